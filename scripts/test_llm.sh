#!/usr/bin/env bash
# `make test-llm`: the real-server tier. Builds (once, cached under $LLM_HOME) llama-cpp-python's server and
# llama.cpp's llama-server, serves SmolLM2-135M-Instruct on 127.0.0.1 with both, runs tests/llm_servers against
# them (protocol outcomes, not taste), then measures 20 requests through `dailies spec --director llm` on each.
# Not part of .ci/run: the first build takes 20-30 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
LLM_HOME=${LLM_HOME:-$HOME/.cache/dailies/llm}
export LLM_HOME
RUN=$(mktemp -d "${TMPDIR:-/tmp}/dailies-llm.XXXXXX")
scripts/llm_servers.sh build
trap 'scripts/llm_servers.sh stop "$RUN"; rm -rf "$RUN"' EXIT
scripts/llm_servers.sh serve "$RUN"
PY_URL=$(cat "$RUN/py.url")
CPP_URL=$(cat "$RUN/cpp.url")
echo "test-llm: llama-cpp-python at $PY_URL, llama-server at $CPP_URL"
# The figures are printed even when a test failed (they say how far off it is); the exit status is the tests'.
tests=0
DAILIES_LLM_SERVERS="llama-cpp-python=$PY_URL,llama-server=$CPP_URL" LANGGRAPH_STRICT_MSGPACK=true \
  .venv/bin/python -m pytest -q -p no:cacheprovider tests/llm_servers "$@" || tests=$?
.venv/bin/python bench/llm_servers.py --server "llama-cpp-python=$PY_URL" --server "llama-server=$CPP_URL" \
  --out "${LLM_FIGURES:-$LLM_HOME/figures.json}"
exit "$tests"
