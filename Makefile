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

.PHONY: venv generate check-generated update-golden update-spec lint typecheck test pytest demo generality spec-diff bench clean docs docs-check bench-pacing

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -c constraints.txt $(EDITABLE) '.[dev,docs]'
	touch $(STAMP) $(CODEGEN_STAMP)

# What the generator alone needs (the runtime, jinja2, ruff): `make generate` on a fresh
# checkout installs this much (seconds) instead of the whole development venv.
CODEGEN_STAMP := $(VENV)/.installed-codegen
$(CODEGEN_STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -c constraints.txt $(EDITABLE) '.[codegen]'
	touch $(CODEGEN_STAMP)

generate: $(CODEGEN_STAMP)
	$(call each_service,$(PY) -m codegen $(CODEGEN_ARGS))

check-generated: $(CODEGEN_STAMP)
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
	@# RedisPacer's tests start a real redis-server (Debian's package) on a loopback port.
	command -v redis-server >/dev/null || (apt-get update -q && apt-get install -y -q redis-server)
	$(BIN)/pytest -q

test: check-generated lint typecheck pytest docs

demo: $(STAMP)
	$(PY) examples/run_demo.py

# The API reference site (MkDocs + Material, the `docs` extra), offline: the pages of
# docs/site/ and the reference generated from each package's model (codegen/docs_site) are
# written into build/docs, built into site/ in strict mode (a warning fails), and every
# internal link of the HTML is checked. Open site/index.html, or serve site/ for search.
DOCS_PACKAGES = $(foreach entry,$(SERVICES),--package $(call docs_spec,$(subst :, ,$(entry))))
docs_spec = spec/$(word 1,$(1))/$(word 2,$(1))=$(word 3,$(1))

docs: $(STAMP)
	$(PY) -m codegen.docs_site build $(DOCS_PACKAGES) --guide docs/site --readme README.md \
		--out build/docs --public-module aioapigateway.testing
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict
	$(PY) -m codegen.docs_site check-links site

# The built site in headless Chromium (Debian's package, installed when missing): the home
# page, a client page, a model page and a search; screenshots in site/_screenshots/.
docs-check: docs
	test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)
	$(PY) -m codegen.docs_site browser-check site --chromium /usr/bin/chromium \
		--client-page reference/aioapigateway/client.html \
		--model-page reference/aioapigateway/models/deployment.html --search deployment

# Every other rest-json model of the installed botocore: generate, import, one signed call.
generality: $(STAMP)
	$(PY) tests/_generality.py

# The benchmark has a venv of its own: aiobotocore pins a botocore older than the tests' one.
# `make bench BENCH_PYTHON=/path/to/python3.13` runs the whole comparison under another
# interpreter (a venv per interpreter); on Python >= 3.12 AWS's own smithy-python client
# (aws-sdk-api-gateway, benchmarks/requirements-smithy.txt) joins as a variant.
BENCH_PYTHON ?= $(PYTHON)
BENCH_VENV ?= .venv-bench$(if $(filter $(PYTHON),$(BENCH_PYTHON)),,-$(notdir $(BENCH_PYTHON)))
BENCH_ARGS ?=

$(BENCH_VENV)/.installed: benchmarks/requirements.txt benchmarks/requirements-smithy.txt pyproject.toml
	test -x $(BENCH_VENV)/bin/python || $(BENCH_PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --disable-pip-version-check -q -r benchmarks/requirements.txt $(EDITABLE) .
	if $(BENCH_VENV)/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
		$(BENCH_VENV)/bin/python -m pip install --disable-pip-version-check -q -r benchmarks/requirements-smithy.txt; fi
	touch $@

# aioapigateway against raw aiohttp + SigV4 (the floor) and aiobotocore, side by side;
# prints PASS/FAIL per target. `make bench BENCH_ARGS=--quick` for a short run.
bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python benchmarks/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .venv-bench .venv-bench-* build site *.egg-info

# Pacing proof at a bigger size: 4 worker processes against a loopback quota-enforcing server,
# pacing off vs RedisPacer (a real redis-server on a loopback port); prints the README table.
bench-pacing: $(STAMP)
	command -v redis-server >/dev/null || (apt-get update -q && apt-get install -y -q redis-server)
	$(BIN)/python benchmarks/bench_pacing.py
