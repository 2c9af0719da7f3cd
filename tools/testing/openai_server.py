"""A scripted OpenAI-compatible chat-completions server on 127.0.0.1, for tests.

Use it directly as a context manager; no pytest plugin needed::

    from tools.testing.openai_server import ScriptedOpenAI, reply, refusal, error, tool_call

    with ScriptedOpenAI([reply({"subject": "a fox"}, usage=(120, 15)), error(503)]) as server:
        client = server.client(timeout=2.0)     # AsyncOpenAI(base_url=server.base_url, max_retries=0)
        ...                                     # or point your own client at server.base_url
        assert server.requests[0]["model"] == "test-model"

The script is either a sequence of canned responses, served in order (an exhausted
script answers HTTP 500 "script exhausted", so a test that makes an unplanned call
fails loudly), or a callable ``fn(request_json) -> response``. A response is a
`Canned` made by one of the helpers:

- ``reply(content, usage=(prompt, completion), finish_reason="stop")``: an assistant
  message; ``content`` may be a str, a dict/list (sent as JSON text) or a pydantic model.
- ``refusal(text)``: ``message.refusal`` set and no content (what strict-schema models send).
- ``tool_call(name, arguments, id="call_1")``: one function tool call (``arguments`` a dict
  or a JSON string); several with ``tool_calls([(name, args), ...])``.
- ``error(status, message="...")``: an HTTP error with an OpenAI-style error body.
- ``raw(body, status=200)``: any JSON body, sent as is.
- ``runaway(unit, prefix=...)``: a model that never stops: ``unit`` repeated up to the request's ``max_tokens``
  (``finish_reason="length"``); with no ``max_tokens`` it fills the context (llama-server: HTTP 500).
- Every helper takes ``delay_s=`` to stall before answering (client timeouts).
  A plain str or dict in the script is shorthand for ``reply(...)``.

When the request has ``"stream": true`` the same response is sent as server-sent
events (``chat.completion.chunk`` objects, a usage chunk when
``stream_options.include_usage`` is set, then ``data: [DONE]``).

``ScriptedOpenAI(script, dialect="llama-cpp-python")`` answers as that server does to the structured-output
request shapes it does not take (see `tools.testing.openai_dialects`: openai, llama-cpp-python, llama-server,
lm-studio, no-structured-output), before the script is consulted; a bad max_tokens or temperature is a 400
in every dialect.

Every request body is recorded, in order, in ``server.requests`` (parsed JSON);
``server.paths`` holds the request paths. ``GET /v1/models`` lists the model.
Anything else answers 404. ``close()`` (or leaving the ``with``) stops the server
and wakes any handler still sleeping on a delay.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tools.testing.openai_dialects import rejection, runaway_answer

DEFAULT_MODEL = "test-model"


@dataclass
class Canned:
    """One scripted answer: a status, a JSON body (or the parts of an assistant message) and a delay."""

    status: int = 200
    body: dict[str, Any] | None = None
    content: str | None = None
    refusal: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    finish_reason: str = "stop"
    usage: tuple[int, int] | None = None
    delay_s: float = 0.0
    runaway: str | None = None  # repeated after `content` until max_tokens (or the context) runs out


def _as_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if hasattr(content, "model_dump_json"):
        return content.model_dump_json()
    return json.dumps(content)


def reply(
    content: Any, *, usage: tuple[int, int] | None = None, finish_reason: str = "stop", delay_s: float = 0.0
) -> Canned:
    """An assistant message with this content (str, JSON-able value or pydantic model)."""
    return Canned(content=_as_text(content), usage=usage, finish_reason=finish_reason, delay_s=delay_s)


def refusal(text: str = "I can't help with that.", *, delay_s: float = 0.0) -> Canned:
    """A refusal: `message.refusal` set, no content."""
    return Canned(refusal=text, delay_s=delay_s)


def tool_calls(
    calls: Iterable[tuple[str, Any]], *, delay_s: float = 0.0, usage: tuple[int, int] | None = None
) -> Canned:
    """Several function tool calls in one assistant message."""
    made = [
        {"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": _as_text(arguments)}}
        for i, (name, arguments) in enumerate(calls, start=1)
    ]
    return Canned(tool_calls=made, finish_reason="tool_calls", delay_s=delay_s, usage=usage)


def tool_call(name: str, arguments: Any, *, id: str = "call_1", delay_s: float = 0.0) -> Canned:
    """One function tool call."""
    canned = tool_calls([(name, arguments)], delay_s=delay_s)
    canned.tool_calls[0]["id"] = id
    return canned


def error(status: int, message: str = "scripted error", *, delay_s: float = 0.0) -> Canned:
    """An HTTP error with an OpenAI-style error body."""
    body = {"error": {"message": message, "type": "server_error" if status >= 500 else "invalid_request_error"}}
    return Canned(status=status, body=body, delay_s=delay_s)


def runaway(unit: str = "and again ", *, prefix: str = '{"subject": "', delay_s: float = 0.0) -> Canned:
    """A model that writes `prefix` then repeats `unit` until the request's max_tokens stops it (or, without one,
    the context is full)."""
    return Canned(content=prefix, finish_reason="length", runaway=unit, delay_s=delay_s)


def raw(body: dict[str, Any], *, status: int = 200, delay_s: float = 0.0) -> Canned:
    """Any JSON body, sent as is."""
    return Canned(status=status, body=body, delay_s=delay_s)


def _coerce(item: Canned | str | dict[str, Any]) -> Canned:
    if isinstance(item, Canned):
        return item
    return reply(item)


def _rough_tokens(text: str) -> int:
    return max(1, len(text) // 4)


Script = Iterable[Canned | str | dict[str, Any]] | Callable[[dict[str, Any]], Canned | str | dict[str, Any]]


class ScriptedOpenAI:
    """An OpenAI-compatible server on 127.0.0.1 that answers from a script and records every request."""

    def __init__(self, script: Script = (), *, model: str = DEFAULT_MODEL, dialect: str = "openai") -> None:
        rejection(dialect, {"messages": ["check the dialect's name"]})
        self.model = model
        self.dialect = dialect
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self._fn: Callable[[dict[str, Any]], Canned | str | dict[str, Any]] | None = None
        self._queue: deque[Canned] = deque()
        if callable(script):
            self._fn = script
        else:
            self._queue.extend(_coerce(item) for item in script)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._ids = itertools.count(1)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> ScriptedOpenAI:
        handler = type("_Handler", (_Handler,), {"server_owner": self})
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        httpd.daemon_threads = True
        httpd.block_on_close = False
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, name="scripted-openai", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> ScriptedOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what tests use ----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the scripted server is not running; use it in a `with` block or call start()")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def push(self, *items: Canned | str | dict[str, Any]) -> None:
        """Append more canned responses to the script."""
        with self._lock:
            self._queue.extend(_coerce(item) for item in items)

    @property
    def remaining(self) -> int:
        """How many canned responses have not been served yet."""
        return len(self._queue)

    def client(self, *, timeout: float = 5.0, api_key: str = "test-key") -> Any:
        """An `openai.AsyncOpenAI` pointed at this server, with retries off."""
        from openai import AsyncOpenAI

        return AsyncOpenAI(base_url=self.base_url, api_key=api_key, timeout=timeout, max_retries=0)

    # -- inside the handler threads ----------------------------------------------------------------
    def _next(self, request: dict[str, Any]) -> Canned:
        with self._lock:
            self.requests.append(request)
            refused = rejection(self.dialect, request)
            if refused is not None:  # the server refuses the request itself: the script is not consulted
                return Canned(status=refused[0], body=refused[1])
            if self._fn is None:
                if not self._queue:
                    return error(500, f"script exhausted after {len(self.requests) - 1} responses")
                return self._queue.popleft()
        return _coerce(self._fn(request))

    def _completion(self, canned: Canned, request: dict[str, Any]) -> dict[str, Any]:
        if canned.body is not None:
            return canned.body
        message: dict[str, Any] = {"role": "assistant", "content": canned.content, "refusal": canned.refusal}
        if canned.tool_calls:
            message["tool_calls"] = canned.tool_calls
        if canned.usage is not None:
            prompt_tokens, completion_tokens = canned.usage
        else:
            prompt_tokens = _rough_tokens(json.dumps(request.get("messages", [])))
            completion_tokens = _rough_tokens(canned.content or canned.refusal or json.dumps(canned.tool_calls))
        return {
            "id": f"chatcmpl-scripted-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model") or self.model,
            "choices": [{"index": 0, "message": message, "finish_reason": canned.finish_reason, "logprobs": None}],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }


def _chunks(completion: dict[str, Any], include_usage: bool) -> list[dict[str, Any]]:
    """The server-sent-event chunks that stream this completion."""
    base = {k: completion[k] for k in ("id", "created", "model")} | {"object": "chat.completion.chunk"}
    choice = completion["choices"][0]
    message = choice["message"]
    deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
    text = message.get("content") or ""
    deltas.extend({"content": text[i : i + 16]} for i in range(0, len(text), 16))
    if message.get("refusal"):
        deltas.append({"refusal": message["refusal"]})
    for index, call in enumerate(message.get("tool_calls") or []):
        deltas.append({"tool_calls": [{"index": index, **call}]})
    out = [base | {"choices": [{"index": 0, "delta": d, "finish_reason": None}]} for d in deltas]
    out.append(base | {"choices": [{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}]})
    if include_usage:
        out.append(base | {"choices": [], "usage": completion.get("usage")})
    return out


class _Handler(BaseHTTPRequestHandler):
    server_owner: ScriptedOpenAI
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return

    def _send_json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        owner = self.server_owner
        owner.paths.append(self.path)
        if self.path.rstrip("/") == "/v1/models":
            self._send_json(
                200, {"object": "list", "data": [{"id": owner.model, "object": "model", "owned_by": "test"}]}
            )
        else:
            self._send_json(404, {"error": {"message": f"no route GET {self.path}", "type": "not_found"}})

    def do_POST(self) -> None:
        owner = self.server_owner
        owner.paths.append(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        payload = self.rfile.read(length) if length else b""
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send_json(404, {"error": {"message": f"no route POST {self.path}", "type": "not_found"}})
            return
        try:
            request = json.loads(payload or b"{}")
        except json.JSONDecodeError as exc:
            self._send_json(400, {"error": {"message": f"bad JSON: {exc}", "type": "invalid_request_error"}})
            return
        canned = owner._next(request)
        if canned.runaway is not None:
            status, body, content = runaway_answer(owner.dialect, request, canned.content or "", canned.runaway)
            canned = Canned(status=status, body=body, content=content, finish_reason="length", delay_s=canned.delay_s)
        if canned.delay_s and owner._stopping.wait(canned.delay_s):
            return
        try:
            if canned.status != 200:
                self._send_json(canned.status, canned.body or {"error": {"message": "scripted error"}})
                return
            completion = owner._completion(canned, request)
            if request.get("stream"):
                self._stream(completion, bool((request.get("stream_options") or {}).get("include_usage")))
            else:
                self._send_json(200, completion)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (e.g. its timeout)
            return

    def _stream(self, completion: dict[str, Any], include_usage: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        for chunk in _chunks(completion, include_usage):
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True
