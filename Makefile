# Peer Survey Studio: `make run` starts the app on a demo database, `make test` runs the tests.
# Both create .venv and install the pinned requirements first; nothing is downloaded at run time.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= $(or $(SURVEYS_DB),data/surveys.db)
PORT ?= 8501
DEMO_INTERVIEWS ?= 2000

.PHONY: install run test e2e bench bench-large demo clean-venv

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Peer Survey Studio needs Python 3.11 or newer.")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements.txt
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python -m surveys init --db "$(DB)"
	$(BIN)/python -m surveys demo --db "$(DB)" --if-empty --interviews $(DEMO_INTERVIEWS)
	$(BIN)/python -m streamlit run app.py --server.port $(PORT) --server.address localhost -- --db "$(DB)"

# axe-core for the browser tests' accessibility checks, pinned in package-lock.json.
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

test: install node_modules/.package-lock.json
	$(BIN)/python -m pytest

e2e: install node_modules/.package-lock.json
	$(BIN)/python -m pytest -m e2e

bench: install
	$(BIN)/python -m bench

# The same Explore, export and demo benchmarks on 100,000 interviews (about 4.4 million answers).
bench-large: install
	BENCH_INTERVIEWS=100000 BENCH_DEMO_INTERVIEWS=100000 $(BIN)/python -m bench bench_analysis bench_privacy bench_demo

clean-venv:
	rm -rf $(VENV)
