# Everything installs itself into .venv/ on first use: `make render` and `make test` work on a
# fresh machine with only python3 (>= 3.11) and network access to PyPI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# render and check validate custom resources and Helm values with no flags: schemas come from
# schemas/ (if committed), gitopsgen.toml's schema-locations, then the store packaged in gitopsgen.
# The packaged store (src/gitopsgen/store/default) is built by our own importer from the upstream
# CRDs and chart folders beside the checkout; tests/test_store_upstream.py checks it is current
# (keep its list of sources in step with this one).
SHARED ?= ../shared
# The Prometheus Operator CRDs of the kinds we render, vendored under upstream/ (see its README).
PROMETHEUS_OPERATOR := 0.93.0
PROMETHEUS_OPERATOR_CRDS := https://raw.githubusercontent.com/prometheus-operator/prometheus-operator/v$(PROMETHEUS_OPERATOR)/example/prometheus-operator-crd
STORE_SOURCES := $(addprefix $(SHARED)/crds/,argo-cd-v3.5.1 external-secrets-v2.9.0 redis-operator-v0.26.0 \
	cloudnative-pg-chart-0.29.0 plugin-barman-cloud-v0.13.0) \
	$(addprefix $(SHARED)/schemas/charts/,cloudnative-pg external-secrets reloader external-dns redis-operator \
	plugin-barman-cloud cert-manager) \
	upstream/prometheus-operator-v$(PROMETHEUS_OPERATOR)
STORE := src/gitopsgen/store/default

.PHONY: install render check test fuzz lint clean store spec-schema docs bench upstream-crds

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(BIN)/.installed

render: $(BIN)/.installed
	$(BIN)/gitopsgen render --all

check: $(BIN)/.installed
	$(BIN)/gitopsgen render --all --check

upstream-crds:
	mkdir -p upstream/prometheus-operator-v$(PROMETHEUS_OPERATOR)
	for kind in podmonitors prometheusrules; do \
		curl -fsSL -o upstream/prometheus-operator-v$(PROMETHEUS_OPERATOR)/monitoring.coreos.com_$$kind.yaml \
			$(PROMETHEUS_OPERATOR_CRDS)/monitoring.coreos.com_$$kind.yaml; done

store: $(BIN)/.installed
	rm -rf $(STORE)
	$(BIN)/gitopsgen schemas import $(STORE_SOURCES) --out $(STORE)

# One pytest worker per core (pytest-xdist): the suite is mostly whole processes and git repositories.
test: $(BIN)/.installed
	$(BIN)/python -m pytest -n auto

# The per-file JSON Schema editors use for environments/*.yaml (their yaml-language-server modeline).
spec-schema: $(BIN)/.installed
	$(BIN)/gitopsgen schema --partial -o environments/spec.schema.json

# The spec reference (docs/spec.md), generated from the models; a test keeps it current.
docs: $(BIN)/.installed
	$(BIN)/gitopsgen schema --format markdown -o docs/spec.md

# Lint: ruff and mypy (strict, configured in pyproject.toml), installed into a virtualenv of their own.
LINT := .venv-lint
$(LINT)/.installed: pyproject.toml
	$(PYTHON) -m venv $(LINT)
	$(LINT)/bin/python -m pip install --quiet --upgrade pip
	$(LINT)/bin/python -m pip install --quiet -e '.[lint,test,helm]'
	@touch $@

lint: $(LINT)/.installed
	$(LINT)/bin/ruff check src tests bench
	$(LINT)/bin/mypy

# Speed at scale (N generated environments, medians of 5, the Kapitan peer kit at N = 100).
BENCH_ARGS ?=
bench: $(BIN)/.installed
	$(BIN)/python bench/bench.py $(BENCH_ARGS)

# The no-injection property with many more examples than CI runs (tests/test_no_injection.py).
FUZZ_EXAMPLES ?= 3000
fuzz: $(BIN)/.installed
	GITOPSGEN_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/test_no_injection.py -q \
		--hypothesis-show-statistics -k structure

clean:
	rm -rf $(VENV) $(LINT) .pytest_cache
