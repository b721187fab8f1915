# distillguard: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= demo-out

.PHONY: demo test lint typecheck unit install install-all clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Core install: what `make demo` needs (no Spark, no torch).
$(VENV)/.core-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

# Everything, for the test suite: every optional extra is tested.
$(VENV)/.all-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev,spark,watermark,text,server,intel]'
	touch $@ $(VENV)/.core-installed

install: $(VENV)/.core-installed
install-all: $(VENV)/.all-installed

demo: $(VENV)/.core-installed
	rm -rf $(OUT)/scan
	$(BIN)/distillguard simulate --accounts 3000 --hours 48 --seed 7 --out $(OUT)/sim
	$(BIN)/distillguard scan $(OUT)/sim/events.parquet --out $(OUT)/scan \
	    --labels $(OUT)/sim/labels.parquet

lint: $(VENV)/.all-installed
	$(BIN)/ruff check src tests benchmarks

typecheck: $(VENV)/.all-installed
	$(BIN)/mypy

# pytest exits 5 when it collected no test: that must fail loudly, not pass.
unit: $(VENV)/.all-installed
	$(BIN)/pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; exit 1; fi; \
	exit $$rc

test: lint typecheck unit

clean:
	rm -rf $(OUT) build dist .pytest_cache .mypy_cache .ruff_cache
