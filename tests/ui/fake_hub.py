#!/usr/bin/python3
"""A local server standing in for Hugging Face in the UI tests
(VALECHAT_HF_ENDPOINT), as tests/cli/models_hub.rs does for the CLI:

- GET /api/models/{owner}/{name}/tree/{revision}[/{dir}] lists every file
  of data/local-models.json (the curated list) as an LFS file with the
  SHA-256 and size of the bytes served (`wrong_hash` lists a wrong SHA-256
  for the repositories named, `huge` a size no disk holds);
- GET /{owner}/{name}/resolve/{revision}/{file} serves those bytes with
  `Range` support, `chunk` bytes every `pace` seconds (ten times that for
  the repositories in `slow`), so that a download takes a few seconds and
  its progress can be seen, paused, resumed and cancelled.

`server.ranges` records the Range header of each /resolve/ request.
"""

import hashlib
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CATALOG = os.path.join(os.path.dirname(__file__), "..", "..", "data", "local-models.json")


def start(body, wrong_hash=(), slow=(), huge=(), chunk=2048, pace=0.05):
    """Serves `body` for every curated file on 127.0.0.1 in a daemon thread;
    the repositories in `slow` ten times slower; those in `huge` list a
    size of 10 PB (more than any disk has free)."""
    with open(CATALOG) as f:
        models = json.load(f)["models"]
    sha = hashlib.sha256(body).hexdigest()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            parts = self.path.split("?")[0].strip("/").split("/")
            if parts[:2] == ["api", "models"] and len(parts) >= 6 and parts[4] == "tree":
                repo = "/".join(parts[2:4])
                listed = "0" * 64 if repo in wrong_hash else sha
                size = 10**16 if repo in huge else len(body)
                entries = [
                    {"type": "file", "path": m["file"], "size": size, "lfs": {"oid": listed, "size": size}}
                    for m in models
                    if m["repo"] == repo
                ]
                self.reply(200, json.dumps(entries).encode(), "application/json")
            elif len(parts) >= 5 and parts[2] == "resolve":
                self.server.ranges.append(self.headers.get("Range"))
                self.serve_bytes(pace * 10 if "/".join(parts[:2]) in slow else pace)
            else:
                self.reply(404, b"not found", "text/plain")

        def reply(self, status, data, kind):
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def serve_bytes(self, pace):
            start_at = 0
            asked = self.headers.get("Range")
            if asked and asked.startswith("bytes=") and asked.endswith("-"):
                start_at = int(asked[len("bytes="):-1])
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start_at}-{len(body) - 1}/{len(body)}")
            else:
                self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body) - start_at))
            self.end_headers()
            try:
                for i in range(start_at, len(body), chunk):
                    self.wfile.write(body[i:i + chunk])
                    self.wfile.flush()
                    time.sleep(pace)
            except (BrokenPipeError, ConnectionResetError):
                pass  # a paused download closes the connection

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.ranges = []
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
