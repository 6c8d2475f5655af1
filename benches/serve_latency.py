#!/usr/bin/env python3
"""Added latency of `valechat serve`'s OpenAI-compatible API: time to first
token of a streamed chat completion through /v1/chat/completions minus the
same request sent directly to the provider, p50 and p99, at 1 and at N
concurrent streams.

The provider is a local stand-in (a threaded HTTP server in this script
answering every completion at once with three chunks and a usage chunk),
so the figures are ValeChat's own cost: the HTTP hop, the token check,
the request translation, the reservation against the limits, the provider
client and the usage record written at the end.

Usage (the token lives in the keyring, so inside a session):
  tests/run-in-session.sh tests/serve/venv/bin/python benches/serve_latency.py \\
      [--valechat target/debug/valechat] [--requests 200] [--concurrency 100]
"""

import argparse
import concurrent.futures
import http.server
import json
import os
import statistics
import subprocess
import tempfile
import threading
import time

import httpx2 as httpx  # openai 3's HTTP client
import openai


class FakeProvider(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        body = json.dumps({"object": "list", "data": [{"id": "m", "object": "model", "owned_by": "x"}]}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        chunks = []
        for delta, finish in [({"role": "assistant", "content": "Hello"}, None), ({"content": " there"}, None), ({}, "stop")]:
            chunks.append({"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m",
                           "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
        chunks.append({"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m", "choices": [],
                       "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}})
        body = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
        body = body.encode()
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class ProviderServer(http.server.ThreadingHTTPServer):
    # 100 connections at once: the default backlog of 5 resets them.
    request_queue_size = 1024
    daemon_threads = True


def ttft(client, model):
    start = time.perf_counter()
    stream = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi"}], stream=True)
    first = None
    for chunk in stream:
        if first is None and chunk.choices and chunk.choices[0].delta.content:
            first = time.perf_counter() - start
    return first


def measure(client, model, requests, concurrency):
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        times = list(pool.map(lambda _: ttft(client, model), range(requests)))
    times.sort()
    return statistics.median(times) * 1000, times[int(len(times) * 0.99) - 1] * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--valechat", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "debug/valechat"))
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()

    provider = ProviderServer(("127.0.0.1", 0), FakeProvider)
    threading.Thread(target=provider.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{provider.server_address[1]}/v1"
    data = tempfile.mkdtemp(prefix="valechat-bench-")
    env = dict(os.environ, VALECHAT_DATA_DIR=data, RUST_LOG="off", LC_ALL="C.UTF-8")
    subprocess.run([args.valechat, "providers", "add", "--name", "Fake", "--base-url", base], env=env, check=True, capture_output=True)
    server = subprocess.Popen([args.valechat, "serve", "--port", "0", "--requests-per-minute", "1000000"],
                              env=env, stdout=subprocess.PIPE, text=True)
    try:
        address = None
        for line in server.stdout:
            if "http://" in line:
                address = line.split("http://")[1].strip()
                break
        token = subprocess.run([args.valechat, "serve", "token"], env=env, check=True, capture_output=True, text=True).stdout.strip()
        limits = dict(max_connections=args.concurrency * 2, max_keepalive_connections=args.concurrency * 2)
        direct = openai.OpenAI(base_url=base, api_key="x", max_retries=0, http_client=httpx.Client(limits=httpx.Limits(**limits)))
        api = openai.OpenAI(base_url=f"http://{address}", api_key=token, max_retries=0, http_client=httpx.Client(limits=httpx.Limits(**limits)))
        for client, model in [(direct, "m"), (api, "fake/m")]:
            measure(client, model, 20, 1)  # warm up
        print(f"{'concurrency':>11} {'direct p50':>10} {'p99':>8} {'api p50':>8} {'p99':>8} {'added p50':>9} {'p99':>8}  (ms)")
        for concurrency in [1, args.concurrency]:
            d50, d99 = measure(direct, "m", args.requests, concurrency)
            a50, a99 = measure(api, "fake/m", args.requests, concurrency)
            print(f"{concurrency:>11} {d50:>10.2f} {d99:>8.2f} {a50:>8.2f} {a99:>8.2f} {a50 - d50:>9.2f} {a99 - d99:>8.2f}")
    finally:
        server.terminate()
        server.wait(timeout=10)
        provider.shutdown()


if __name__ == "__main__":
    main()
