#!/usr/bin/env python3
"""A tiny fake Ollama server for UI tests: /api/tags lists the models pulled
so far (none at first), /api/show describes any model, and /api/pull streams
a short NDJSON progress sequence (manifest, a 1000-byte layer in five steps,
verify, write, success) with pauses so a test can watch the progress bar.
Pulling a name containing "missing" answers 500 like Ollama does for an
unknown model.

Usage: fake_ollama.py [PORT]  (prints the base URL)
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PULLED: list[str] = []
STEP_DELAY = 0.6


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

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
        if self.path.rstrip("/") == "/api/tags":
            models = [{"name": m, "model": m, "size": 1000, "digest": "d" * 64, "details": {}} for m in PULLED]
            self._json(200, {"models": models})
        else:
            self._json(404, {"error": "not found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        path = self.path.rstrip("/")
        if path == "/api/show":
            self._json(200, {"model_info": {"general.architecture": "llama", "llama.context_length": 4096}, "capabilities": ["completion"]})
            return
        if path != "/api/pull":
            self._json(404, {"error": "not found"})
            return
        model = body.get("model", "")
        if "missing" in model:
            self._json(500, {"error": "pull model manifest: file does not exist"})
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Connection", "close")
        self.end_headers()

        def send(obj):
            self.wfile.write(json.dumps(obj).encode() + b"\n")
            self.wfile.flush()
            time.sleep(STEP_DELAY)

        try:
            send({"status": "pulling manifest"})
            for done in range(0, 1001, 250):
                send({"status": "pulling 6a0746a1ec1a", "digest": "sha256:6a0746a1ec1a", "total": 1000, "completed": done})
            send({"status": "verifying sha256 digest"})
            send({"status": "writing manifest"})
            if model not in PULLED:
                name = model if ":" in model else f"{model}:latest"
                PULLED.append(name)
            send({"status": "success"})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client cancelled
        self.close_connection = True


def start(port: int = 0) -> ThreadingHTTPServer:
    """Starts the server on 127.0.0.1 in a daemon thread and returns it."""
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


if __name__ == "__main__":
    srv = start(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print(f"http://127.0.0.1:{srv.server_address[1]}", flush=True)
    threading.Event().wait()
