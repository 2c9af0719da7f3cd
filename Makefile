# Set-up and checks. Every target creates or updates the virtual environment at .venv itself.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The CPU wheel of torch lies on this machine's disk; unpinned torch pulls a multi-GB CUDA build.
TORCH ?= torch==2.13.0
OUT ?= demo-out
SRC := agent tools generator bots prompts

.PHONY: venv venv-dev demo test test-llm lint bench

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install -q -e .

venv-dev: $(BIN)/python
	$(BIN)/pip install -q "$(TORCH)" -e ".[gpu,scale,dev]"

demo: venv
	$(BIN)/dailies demo --out $(OUT)

test: venv-dev
	$(BIN)/ruff check $(SRC) tests bench
	$(BIN)/lint-imports
	LANGGRAPH_STRICT_MSGPACK=true $(BIN)/python -m pytest -q

# The real-server tier (not in .ci/run): builds llama-cpp-python's server and llama.cpp's llama-server once
# (cached under ~/.cache/dailies/llm; 20-30 min the first time on 2 cores), serves SmolLM2-135M on 127.0.0.1.
test-llm: venv-dev
	scripts/test_llm.sh

lint: venv-dev
	$(BIN)/ruff check $(SRC) tests bench
	$(BIN)/ruff format --check $(SRC) tests bench
