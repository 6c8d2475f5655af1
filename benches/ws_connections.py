#!/usr/bin/env python3
"""Memory per idle WebSocket connection of `valechat serve` (/v1/ws).

Starts `valechat serve` on an empty data folder, reads its resident memory
(VmRSS of /proc/PID/status), opens N connections (each reads the server's
`hello` and sends its own), waits for the memory to settle, reads it again
and prints the difference per connection; then closes them and reads it
once more. The server's own allocator may keep freed memory, so the figure
after closing says what is returned, not what a connection costs.

Usage (the token lives in the keyring, so inside a session):
  tests/run-in-session.sh tests/serve/venv/bin/python benches/ws_connections.py \\
      [--valechat target/debug/valechat] [--connections 1000]
"""

import argparse
import asyncio
import json
import os
import resource
import subprocess
import tempfile
import time

from websockets.asyncio.client import connect


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def settled_rss(pid, seconds=2.0):
    """RSS once two readings 0.5 s apart agree within 64 KiB (or after `seconds`)."""
    last = rss_kib(pid)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = rss_kib(pid)
        if abs(now - last) < 64:
            return now
        last = now
    return last


async def open_all(address, token, count):
    sockets = []
    for i in range(count):
        ws = await connect(
            f"ws://{address}/v1/ws",
            subprotocols=["valechat.v1", f"bearer.{token}"],
            ping_interval=None,
        )
        json.loads(await ws.recv())  # hello
        await ws.send(json.dumps({"v": 1, "type": "hello", "client": {"name": f"bench-{i % 10}"}}))
        sockets.append(ws)
    # Every connection answered: the server has handled each hello.
    for ws in sockets[:: max(1, count // 20)]:
        await ws.send(json.dumps({"v": 1, "type": "ping", "request_id": "p"}))
        json.loads(await ws.recv())
    return sockets


async def run(address, token, count, pid):
    before = settled_rss(pid)
    started = time.monotonic()
    sockets = await open_all(address, token, count)
    opened = time.monotonic() - started
    during = await asyncio.to_thread(settled_rss, pid)
    for ws in sockets:
        await ws.close()
    after = await asyncio.to_thread(settled_rss, pid)
    return before, during, after, opened


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--valechat", default="target/debug/valechat")
    parser.add_argument("--connections", type=int, default=1000)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = args.connections + 256
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, wanted * 2), hard))
    data = tempfile.mkdtemp(prefix="valechat-ws-bench-")
    env = dict(os.environ, VALECHAT_DATA_DIR=data, RUST_LOG="off")
    server = subprocess.Popen(
        [args.valechat, "serve", "--port", "0", "--no-tools", "--requests-per-minute", "1000000"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        address = None
        for line in server.stdout:
            if "http://" in line:
                address = line.split("http://")[1].strip().removesuffix("/v1")
                break
        token = subprocess.run(
            [args.valechat, "serve", "token"], env=env, check=True, capture_output=True, text=True
        ).stdout.strip()
        before, during, after, opened = asyncio.run(run(address, token, args.connections, server.pid))
    finally:
        server.terminate()
        server.wait(timeout=10)
    per = (during - before) / args.connections
    print(f"valechat: {args.valechat}")
    print(f"connections: {args.connections} (opened in {opened:.1f} s)")
    print(f"server RSS: {before / 1024:.1f} MiB idle, {during / 1024:.1f} MiB with the connections open, "
          f"{after / 1024:.1f} MiB after closing them")
    print(f"per idle connection: {per:.1f} KiB")


if __name__ == "__main__":
    main()
