"""A local OpenAI-compatible server for ValeChat's UI tests and manual runs.

It answers GET /v1/models with two models and streams every POST
/v1/chat/completions as Server-Sent Events in the documented shape (text
deltas, a finish_reason chunk, a `choices: []` usage chunk, `data: [DONE]`),
with a short pause between chunks so that streaming is visible. The reply
quotes the last user message so tests can tell replies apart.

Tool calls: a prompt containing "call echo twice", sent with a tool named
`everything__echo` (or else any `<server>__echo`) on offer, is answered with two calls of that tool
(messages "first echo" and "second echo", finish_reason `tool_calls`); a
request whose last message is a tool result is answered with the text
"Tool results: " followed by every trailing tool result, " | "-separated.
A prompt containing "ask me for details", with
`everything__trigger-elicitation-request` on offer, is answered with one
call of that tool (no arguments).
A prompt containing "toggle updates", sent with
`everything__toggle-subscriber-updates` on offer, is answered with one call
of that tool (it switches server-everything's simulated resource updates
on or off).
A prompt containing "call a missing tool", sent with any tool on offer, is
answered with a call of `nobody__nothing`, which no server offers.
A prompt containing "numbered" is answered "Answer N to: *prompt*", N
counting that prompt's requests (a regenerated reply differs from the
first); with "slowly" in it too, slowly.

Every chat request's JSON body is kept: `received()` returns them, oldest
first, so a test can check what the app sent.

Run alone:  python3 tests/ui/fake_openai.py [port]   (prints the base URL)
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODELS = ["fake-small", "fake-large"]
# OpenRouter-style details for one model (the picker shows them as badges).
EXTRAS = {
    "fake-large": {
        "name": "Fake Large",
        "context_length": 131072,
        "architecture": {"input_modalities": ["text", "image"]},
        "supported_parameters": ["tools", "temperature"],
    },
}


def reply_for(prompt: str) -> list[str]:
    """The reply's text deltas: markdown with a list and a code block."""
    text = (
        f"Hello from the fake model. You said: *{prompt}*\n\n"
        "Here is a list:\n\n- first item\n- second item with `inline code`\n\n"
        "```python\nprint(\"hello, world\")\n```\n\nThat is all."
    )
    return [text[i : i + 7] for i in range(0, len(text), 7)]


_numbered: dict[str, int] = {}
_numbered_lock = threading.Lock()


def numbered_reply_for(prompt: str) -> list[str]:
    """The reply to a prompt with "numbered" in it: "Answer N to: …", N
    counting the requests for that prompt, so that regenerated replies
    differ."""
    with _numbered_lock:
        n = _numbered.get(prompt, 0) + 1
        _numbered[prompt] = n
    text = f"Answer {n} to: *{prompt}*\n\nThat is all."
    return [text[i : i + 7] for i in range(0, len(text), 7)]


ECHO_TOOL = "everything__echo"
ECHO_MESSAGES = ["first echo", "second echo"]
TOGGLE_TOOL = "everything__toggle-subscriber-updates"

_received: list[dict] = []
_received_lock = threading.Lock()


def received() -> list[dict]:
    """The JSON bodies of the chat requests received so far, oldest first."""
    with _received_lock:
        return list(_received)


ELICIT_TOOL = "everything__trigger-elicitation-request"
# A tool no server offers, called for a prompt with "call a missing tool".
MISSING_TOOL = "nobody__nothing"


def planned_calls(prompt: str, offered: set) -> list[tuple[str, dict]]:
    """The tool calls a prompt asks for: `(tool name, arguments)`. The echo
    tool is server-everything's when offered, else any server's `…__echo`."""
    echo_tool = ECHO_TOOL if ECHO_TOOL in offered else min((n for n in offered if n and n.endswith("__echo")), default=None)
    if "call echo twice" in prompt and echo_tool:
        return [(echo_tool, {"message": m}) for m in ECHO_MESSAGES]
    if "call a missing tool" in prompt and offered:
        return [(MISSING_TOOL, {})]
    if "ask me for details" in prompt and ELICIT_TOOL in offered:
        return [(ELICIT_TOOL, {})]
    if "toggle updates" in prompt and TOGGLE_TOOL in offered:
        return [(TOGGLE_TOOL, {})]
    return []


def tool_text(content) -> str:
    """The text of a tool message (a string or text parts)."""
    if isinstance(content, str):
        return content
    return " ".join(p.get("text", "") for p in content or [] if p.get("type") == "text")


def tool_results(messages) -> list[str]:
    """The texts of the tool messages at the end of the conversation."""
    out = []
    for m in reversed(messages):
        if m.get("role") != "tool":
            break
        out.append(tool_text(m.get("content")))
    return list(reversed(out))


def prompt_of(content) -> str:
    """The text of a user message; content parts (text and `image_url`) become
    their text plus how many images came with it."""
    if isinstance(content, str):
        return content
    text = " ".join(p.get("text", "") for p in content if p.get("type") == "text")
    images = sum(1 for p in content if p.get("type") == "image_url")
    return f"{text} (with {images} image{'s' if images != 1 else ''})"


FLAKY_FAILURES = 3  # a "flaky" prompt gets this many 503s before an answer
_flaky_seen: dict[str, int] = {}
_flaky_lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    delay = 0.02

    def log_message(self, *args):  # keep test output quiet
        pass

    def _json(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.rstrip("/") == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": m, "object": "model", "owned_by": "test", **EXTRAS.get(m, {})} for m in MODELS]})
        else:
            self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._json(404, {"error": {"message": "not found"}})
            return
        with _received_lock:
            _received.append(body)
        model = body.get("model")
        if model not in MODELS:
            self._json(404, {"error": {"message": f"The model `{model}` does not exist", "type": "invalid_request_error", "code": "model_not_found"}})
            return
        content = next((m["content"] for m in reversed(body.get("messages", [])) if m.get("role") == "user"), "")
        prompt = prompt_of(content)
        # A prompt with "flaky" in it fails with 503 the first FLAKY_FAILURES
        # times (more than the client's automatic retries), then succeeds.
        if "flaky" in prompt:
            with _flaky_lock:
                seen = _flaky_seen.get(prompt, 0)
                _flaky_seen[prompt] = seen + 1
            if seen < FLAKY_FAILURES:
                self._json(503, {"error": {"message": "The server is overloaded", "type": "server_error"}})
                return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()), "model": model}

        def send(obj):
            self.wfile.write(b"data: " + json.dumps(obj).encode() + b"\n\n")
            self.wfile.flush()

        messages = body.get("messages", [])
        offered = {t.get("function", {}).get("name") for t in body.get("tools") or []}
        results = tool_results(messages)
        try:
            if results:
                text = "Tool results: " + " | ".join(results)
                send({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]})
                for i in range(0, len(text), 9):
                    time.sleep(self.delay)
                    send({**base, "choices": [{"index": 0, "delta": {"content": text[i : i + 9]}, "finish_reason": None}]})
                send({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
                send({**base, "choices": [], "usage": {"prompt_tokens": 30, "completion_tokens": 10, "total_tokens": 40}})
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True
                return
            calls = planned_calls(prompt, offered)
            if calls:
                send({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": None}, "finish_reason": None}]})
                for i, (tool, args) in enumerate(calls):
                    start = {"index": i, "id": f"call_{i + 1}", "type": "function", "function": {"name": tool, "arguments": ""}}
                    send({**base, "choices": [{"index": 0, "delta": {"tool_calls": [start]}, "finish_reason": None}]})
                    arguments = json.dumps(args)
                    half = len(arguments) // 2
                    for piece in (arguments[:half], arguments[half:]):
                        time.sleep(self.delay)
                        send({**base, "choices": [{"index": 0, "delta": {"tool_calls": [{"index": i, "function": {"arguments": piece}}]}, "finish_reason": None}]})
                send({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]})
                send({**base, "choices": [], "usage": {"prompt_tokens": 20, "completion_tokens": 16, "total_tokens": 36}})
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True
                return
            send({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]})
            # A prompt that asks for a slow answer gets one, so that a test
            # can press Stop in the middle of it.
            delay = 0.4 if "slowly" in prompt else self.delay
            pieces = numbered_reply_for(prompt) if "numbered" in prompt else reply_for(prompt)
            for piece in pieces:
                time.sleep(delay)
                send({**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
            send({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            send({**base, "choices": [], "usage": {"prompt_tokens": 12, "completion_tokens": 40, "total_tokens": 52}})
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped the reply
        self.close_connection = True


def start(port: int = 0) -> ThreadingHTTPServer:
    """Starts the server on 127.0.0.1 in a daemon thread and returns it."""
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


if __name__ == "__main__":
    srv = start(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print(f"http://127.0.0.1:{srv.server_address[1]}/v1", flush=True)
    threading.Event().wait()
