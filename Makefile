# Everything installs itself into .venv/ on first use: `make render` and `make test` work on a
# fresh machine with only python3 (>= 3.11) and network access to PyPI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Custom-resource schemas for validation during render, when the reference data is beside us
# (kubeconform CRDs-catalog layout). Override with `make render SCHEMAS=path/to/crds`.
SCHEMAS ?= $(wildcard ../shared/schemas/crds-strict)
SCHEMA_FLAGS := $(if $(SCHEMAS),--schema-location $(SCHEMAS))
# Chart folders ({chart}/values.schema.json + values.yaml) to validate Helm values files against.
CHART_SCHEMAS ?= $(wildcard ../shared/schemas/charts)
SCHEMA_FLAGS += $(if $(CHART_SCHEMAS),--chart-schema-location $(CHART_SCHEMAS))

.PHONY: install render check test fuzz lint clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(BIN)/.installed

render: $(BIN)/.installed
	$(BIN)/gitopsgen render --all $(SCHEMA_FLAGS)

check: $(BIN)/.installed
	$(BIN)/gitopsgen render --all --check $(SCHEMA_FLAGS)

test: $(BIN)/.installed
	$(BIN)/python -m pytest

# The no-injection property with many more examples than CI runs (tests/test_no_injection.py).
FUZZ_EXAMPLES ?= 3000
fuzz: $(BIN)/.installed
	GITOPSGEN_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/test_no_injection.py -q \
		--hypothesis-show-statistics -k structure

clean:
	rm -rf $(VENV) .pytest_cache
