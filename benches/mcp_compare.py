#!/usr/bin/env python3
"""compare_models over 4 models against the slowest single model (issue 15,
benchmarks): the added cost of running the columns side by side.

Starts a local OpenAI-compatible stand-in whose four models answer after
different delays (time to first token 100–400 ms, then 20 chunks 10 ms
apart), configures them in a temporary ValeChat data folder, and drives
`valechat mcp serve` over stdio with the MCP Python SDK: each model alone
through `generate`, then all four through `compare_models`, ROUNDS times.
Prints the medians; asserts nothing.

Usage: tests/mcp/venv/bin/python benches/mcp_compare.py [VALECHAT] [ROUNDS]
(default: target/debug/valechat, 5 rounds).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import anyio
from mcp import ClientSession, types
from mcp.client.stdio import StdioServerParameters, stdio_client

DELAYS_MS = {"m100": 100, "m200": 200, "m300": 300, "m400": 400}
CHUNKS = 20
CHUNK_GAP_MS = 10


class Fake(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        body = json.dumps({"object": "list", "data": [{"id": m, "object": "model"} for m in DELAYS_MS]}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers["content-length"])))
        model = request["model"]
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("connection", "close")
        self.end_headers()
        time.sleep(DELAYS_MS.get(model, 100) / 1000)

        def send(obj):
            self.wfile.write(f"data: {json.dumps(obj)}\n\n".encode())
            self.wfile.flush()

        for i in range(CHUNKS):
            send({"id": "x", "object": "chat.completion.chunk", "model": model,
                  "choices": [{"index": 0, "delta": {"content": f"w{i} "}, "finish_reason": None}]})
            time.sleep(CHUNK_GAP_MS / 1000)
        send({"id": "x", "object": "chat.completion.chunk", "model": model,
              "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        send({"id": "x", "object": "chat.completion.chunk", "model": model, "choices": [],
              "usage": {"prompt_tokens": 10, "completion_tokens": CHUNKS, "total_tokens": 10 + CHUNKS}})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True


def valechat(exe, data, *args):
    env = dict(os.environ, VALECHAT_DATA_DIR=data, RUST_LOG="off")
    subprocess.run([exe, *args], env=env, check=True, stdout=subprocess.DEVNULL)


async def measure(exe, data, rounds):
    env = dict(os.environ, VALECHAT_DATA_DIR=data, RUST_LOG="off")
    params = StdioServerParameters(command=exe, args=["mcp", "serve"], env=env)
    singles = {m: [] for m in DELAYS_MS}
    compares = []
    async with stdio_client(params) as (read, write):
        info = types.Implementation(name="bench", version="1")
        async with ClientSession(read, write, client_info=info) as session:
            await session.initialize()
            for _ in range(rounds):
                for m in DELAYS_MS:
                    start = time.perf_counter()
                    r = await session.call_tool("generate", {"model": f"fake/{m}", "prompt": "Hi"})
                    assert not r.is_error, r.content
                    singles[m].append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                r = await session.call_tool(
                    "compare_models", {"models": [f"fake/{m}" for m in DELAYS_MS], "prompt": "Hi"})
                assert not r.is_error, r.content
                assert all(c["error"] is None for c in r.structured_content["columns"]), r.structured_content
                compares.append((time.perf_counter() - start) * 1000)
    return singles, compares


def main():
    exe = sys.argv[1] if len(sys.argv) > 1 else "target/debug/valechat"
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    server = ThreadingHTTPServer(("127.0.0.1", 0), Fake)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as data:
        url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        valechat(exe, data, "providers", "add", "--name", "Fake", "--base-url", url)
        for m in DELAYS_MS:
            valechat(exe, data, "prices", "set", "--provider", "fake", "--model", m, "--input", "1", "--output", "2")
        singles, compares = anyio.run(measure, exe, data, rounds)
    server.shutdown()
    for m, times in singles.items():
        print(f"generate {m}: median {statistics.median(times):.0f} ms")
    slowest = max(statistics.median(t) for t in singles.values())
    compare = statistics.median(compares)
    print(f"compare_models over 4: median {compare:.0f} ms; slowest single {slowest:.0f} ms; "
          f"ratio {compare / slowest:.2f} ({rounds} rounds)")


if __name__ == "__main__":
    main()
