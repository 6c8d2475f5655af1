"""A local server speaking the Anthropic Messages API, for UI tests.

GET /v1/models lists one model; POST /v1/messages streams the documented
event sequence (message_start with usage, content_block_start, text_delta
events, content_block_stop, message_delta with stop_reason and output
tokens, message_stop), quoting the last user message. Requests must carry
`x-api-key` equal to KEY and an `anthropic-version` header, so a test can
tell that the key went through the keyring to the wire.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEY = "sk-ant-test-0000-4242"
MODEL = "claude-fake-1"


def reply_for(prompt: str) -> list[str]:
    """The reply's text deltas."""
    text = f"Claude here. You asked: {prompt}"
    return [text[i : i + 6] for i in range(0, len(text), 6)]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _json(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorised(self) -> bool:
        if self.headers.get("x-api-key") != KEY or not self.headers.get("anthropic-version"):
            self._json(401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}})
            return False
        return True

    def do_GET(self):
        if not self._authorised():
            return
        if self.path.split("?")[0].rstrip("/") == "/v1/models":
            self._json(200, {"data": [{"type": "model", "id": MODEL, "display_name": "Claude Fake"}], "has_more": False, "first_id": MODEL, "last_id": MODEL})
        else:
            self._json(404, {"type": "error", "error": {"type": "not_found_error", "message": "not found"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        if not self._authorised():
            return
        prompt = ""
        for message in reversed(body.get("messages", [])):
            if message.get("role") == "user":
                content = message.get("content")
                if isinstance(content, str):
                    prompt = content
                else:
                    prompt = "".join(block.get("text", "") for block in content if block.get("type") == "text")
                break
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()

        def send(kind, obj):
            self.wfile.write(f"event: {kind}\ndata: {json.dumps(obj)}\n\n".encode())
            self.wfile.flush()

        pieces = reply_for(prompt)
        send("message_start", {"type": "message_start", "message": {"id": "msg_fake", "type": "message", "role": "assistant", "model": body.get("model"), "content": [], "stop_reason": None, "usage": {"input_tokens": 11, "output_tokens": 1}}})
        send("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
        send("ping", {"type": "ping"})
        for piece in pieces:
            time.sleep(0.02)
            send("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}})
        send("content_block_stop", {"type": "content_block_stop", "index": 0})
        send("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": len(pieces)}})
        send("message_stop", {"type": "message_stop"})
        self.close_connection = True


def start(port: int = 0) -> ThreadingHTTPServer:
    """Starts the server on 127.0.0.1 in a daemon thread and returns it."""
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
