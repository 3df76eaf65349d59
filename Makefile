# aioapigateway developer targets. Every target installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
# An editable install that only puts src/ on sys.path (a .pth line). The default mode would
# install an import hook (the generator in codegen/ is a second package root) that imports
# pathlib, re, enum and more at every interpreter start-up, skewing import-time measurements,
# and that mypy cannot follow. The generator runs from the repository root: python -m codegen.
EDITABLE := --config-settings editable_mode=compat -e
# Each generated package: botocore service name, model version, package name.
SERVICES := apigateway:2015-07-09:aioapigateway \
	apigatewayv2:2018-11-29:aioapigateway.v2 \
	apigatewaymanagementapi:2018-11-29:aioapigateway.management
# Runs CMD once per service, with $$service, $$spec (its spec/ directory) and $$package set.
define each_service
	@set -e; for entry in $(SERVICES); do \
		service=$${entry%%:*}; rest=$${entry#*:}; version=$${rest%%:*}; package=$${rest#*:}; \
		spec=spec/$$service/$$version; $(1); \
	done
endef
CODEGEN_ARGS = --model $$spec/service-2.json --paginators $$spec/paginators-1.json \
	--endpoint-rules $$spec/endpoint-rule-set-1.json --package $$package --out src

.PHONY: venv generate check-generated update-golden update-spec lint typecheck test pytest demo generality spec-diff bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -c constraints.txt $(EDITABLE) '.[dev]'
	touch $(STAMP)

generate: $(STAMP)
	$(call each_service,$(PY) -m codegen $(CODEGEN_ARGS))

check-generated: $(STAMP)
	$(call each_service,$(PY) -m codegen --check $(CODEGEN_ARGS))

# Rewrite the generator's golden files (tests/golden/) from the fixture model, after an
# intended change of the generator; review the diff. The golden test itself never writes them.
GOLDEN_FIXTURES := tests/fixtures/golden

update-golden: $(STAMP)
	$(PY) -m codegen --model $(GOLDEN_FIXTURES)/service-2.json \
		--paginators $(GOLDEN_FIXTURES)/paginators-1.json \
		--endpoint-rules $(GOLDEN_FIXTURES)/endpoint-rule-set-1.json \
		--package golden_service --out tests/golden

# What the installed botocore's newest models change against spec/.
spec-diff: $(STAMP)
	$(call each_service,echo "== $$service"; $(PY) -m codegen.spec_diff $$spec botocore:$$service)

update-spec: $(STAMP)
	$(call each_service,$(PY) -m codegen.update_spec --service $$service --dest spec)

lint: $(STAMP)
	$(BIN)/ruff check src codegen tests examples benchmarks
	$(BIN)/ruff format --check src codegen tests examples benchmarks

# examples/ too (tests/ on the path for run_demo.py's _moto); test_examples.py also checks
# the README's complete code blocks.
typecheck: $(STAMP)
	MYPYPATH=tests $(BIN)/mypy src codegen examples

pytest: $(STAMP)
	$(BIN)/pytest -q

test: check-generated lint typecheck pytest

demo: $(STAMP)
	$(PY) examples/run_demo.py

# Every other rest-json model of the installed botocore: generate, import, one signed call.
generality: $(STAMP)
	$(PY) tests/_generality.py

# The benchmark has a venv of its own: aiobotocore pins a botocore older than the tests' one.
BENCH_VENV := .venv-bench
BENCH_ARGS ?=

$(BENCH_VENV)/.installed: benchmarks/requirements.txt pyproject.toml
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --disable-pip-version-check -q -r benchmarks/requirements.txt $(EDITABLE) .
	touch $@

# aioapigateway against raw aiohttp + SigV4 (the floor) and aiobotocore, side by side;
# prints PASS/FAIL per target. `make bench BENCH_ARGS=--quick` for a short run.
bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python benchmarks/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(BENCH_VENV) build *.egg-info
