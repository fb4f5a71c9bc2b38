# Everything installs itself into .venv/ on first use: `make render` and `make test` work on a
# fresh machine with only python3 (>= 3.11) and network access to PyPI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# render and check validate custom resources and Helm values with no flags: schemas come from
# schemas/ (if committed), gitopsgen.toml's schema-locations, then the store packaged in gitopsgen.
# The packaged store (src/gitopsgen/store/default) is built by our own importer from the upstream
# CRDs and chart folders beside the checkout; tests/test_store_upstream.py checks it is current
# (keep its list of sources in step with this one). Every source needs a table in STORE_ORIGINS
# (by its folder name) with the upstream URL it is a copy of, which the lock records.
SHARED ?= ../shared
STORE_SOURCES := $(addprefix $(SHARED)/crds/,argo-cd-v3.5.1 external-secrets-v2.9.0 redis-operator-v0.26.0 \
	cloudnative-pg-chart-0.29.0 plugin-barman-cloud-v0.13.0) \
	$(addprefix $(SHARED)/crds-next/,gateway-api-v1.5.1 nginx-gateway-fabric-v2.6.7 external-secrets-v2.9.0-rest \
	cert-manager-v1.21.1) \
	$(addprefix $(SHARED)/schemas/charts/,cloudnative-pg external-secrets reloader external-dns redis-operator \
	plugin-barman-cloud cert-manager nginx-gateway-fabric)
STORE := src/gitopsgen/store/default
STORE_ORIGINS := store-origins.toml

.PHONY: install render check test test-slow fuzz lint clean store spec-schema docs bench dist

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

# Built beside the packaged store and swapped in only when the import succeeded: a missing source
# (no ../shared) or a failed import leaves the packaged store as it was.
store: $(BIN)/.installed
	@for source in $(STORE_SOURCES) $(STORE_ORIGINS); do [ -e "$$source" ] || { \
		echo "make store: $$source not found; the packaged store ($(STORE)) is left as it was" >&2; exit 2; }; done
	rm -rf $(STORE).new
	$(BIN)/gitopsgen schemas import $(STORE_SOURCES) --origins $(STORE_ORIGINS) --out $(STORE).new \
		|| { rm -rf $(STORE).new; exit 1; }
	rm -rf $(STORE).old
	if [ -e $(STORE) ]; then mv $(STORE) $(STORE).old; fi
	mv $(STORE).new $(STORE)
	rm -rf $(STORE).old

# One pytest worker per core (pytest-xdist). The few slow tests (a wheel build, pre-commit hook
# environments from the package index) and the long run of the no-injection property are
# test-slow's: CI runs them once.
test: $(BIN)/.installed
	$(BIN)/python -m pytest -n auto -m "not slow"

test-slow: $(BIN)/.installed
	$(BIN)/python -m pytest -n auto -m slow
	GITOPSGEN_FUZZ_EXAMPLES=300 $(BIN)/python -m pytest -q tests/test_no_injection.py

# The per-file JSON Schema editors use for environments/*.yaml (their yaml-language-server modeline).
spec-schema: $(BIN)/.installed
	$(BIN)/gitopsgen spec-schema --partial -o environments/spec.schema.json

# The spec reference (docs/spec.md), generated from the models; a test keeps it current.
docs: $(BIN)/.installed
	$(BIN)/gitopsgen spec-schema --format markdown -o docs/spec.md

# Lint: ruff and mypy (strict, configured in pyproject.toml), installed into a virtualenv of their own.
LINT := .venv-lint
$(LINT)/.installed: pyproject.toml
	$(PYTHON) -m venv $(LINT)
	$(LINT)/bin/python -m pip install --quiet --upgrade pip
	$(LINT)/bin/python -m pip install --quiet -e '.[lint,test,helm]'
	@touch $@

lint: $(LINT)/.installed
	$(LINT)/bin/ruff check src tests bench action
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

# Release artifacts: the wheel and the sdist in dist/, each installed into a fresh virtualenv and
# checked there (--version is this version, init, render, validate). Tag the release v<version>.
VERSION = $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' src/gitopsgen/__init__.py)
dist: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet build
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	scripts/check-dist.sh $(VERSION) dist $(PYTHON)

clean:
	rm -rf $(VENV) $(LINT) .pytest_cache dist
