"""MCP server that floods stderr (more than a pipe buffer) and prints garbage
on stdout around every answer; its one tool answers "done"."""
import json
import sys

def noise():
    for i in range(20000):
        sys.stderr.write(f"noise line {i} " + "x" * 40 + "\n")
    sys.stderr.write("last noise line\n")
    sys.stderr.flush()

for line in sys.stdin:
    msg = json.loads(line)
    method = msg.get("method")
    print("this is not JSON {{{", flush=True)
    if method == "initialize":
        print(json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": {
            "protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
            "serverInfo": {"name": "noisy", "version": "1"}}}), flush=True)
    elif method == "server/discover":
        print(json.dumps({"jsonrpc": "2.0", "id": msg["id"],
                          "error": {"code": -32601, "message": "Method not found"}}), flush=True)
    elif method == "tools/list":
        print(json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": {"tools": [
            {"name": "noise", "description": "A fault", "inputSchema": {"type": "object"}}]}}),
              flush=True)
    elif method == "tools/call":
        noise()
        print(json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": {
            "content": [{"type": "text", "text": "done"}]}}), flush=True)
    elif "id" in msg and method not in ("tools/call",):
        print(json.dumps({"jsonrpc": "2.0", "id": msg["id"],
                          "error": {"code": -32601, "message": "Method not found"}}), flush=True)
