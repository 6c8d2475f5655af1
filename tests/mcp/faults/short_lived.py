"""MCP server that answers the handshake and the lists (one tool), then
exits with status 1 after the number of seconds given as argument
(default 1), writing a farewell line to stderr first."""
import json
import os
import sys
import threading

lifetime = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0


def leave():
    print(f"short_lived: exiting after {lifetime} s", file=sys.stderr, flush=True)
    os._exit(1)


threading.Timer(lifetime, leave).start()


def answer(msg, result=None, error=None):
    reply = {"jsonrpc": "2.0", "id": msg["id"]}
    if error is not None:
        reply["error"] = error
    else:
        reply["result"] = result
    print(json.dumps(reply), flush=True)


for line in sys.stdin:
    msg = json.loads(line)
    method = msg.get("method")
    if "id" not in msg:
        continue
    if method == "initialize":
        answer(msg, {"protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
                     "serverInfo": {"name": "short_lived", "version": "1"}})
    elif method == "tools/list":
        answer(msg, {"tools": [{"name": "noop", "inputSchema": {"type": "object"}}]})
    else:
        answer(msg, error={"code": -32601, "message": "Method not found"})
