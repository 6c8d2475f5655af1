"""MCP server that answers the handshake, then exits in the middle of a tool
call, after writing a line with a token-like value on stderr (the value must
reach the server's log, never the model)."""
import json
import sys

for line in sys.stdin:
    msg = json.loads(line)
    method = msg.get("method")
    if method == "initialize":
        print(json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": {
            "protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
            "serverInfo": {"name": "crash", "version": "1"}}}), flush=True)
    elif method == "server/discover":
        print(json.dumps({"jsonrpc": "2.0", "id": msg["id"],
                          "error": {"code": -32601, "message": "Method not found"}}), flush=True)
    elif method == "tools/list":
        print(json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": {"tools": [
            {"name": "boom", "description": "A fault", "inputSchema": {"type": "object"}}]}}),
              flush=True)
    elif method == "tools/call":
        print("debug: Authorization: Bearer ghp_crashTokenAbc123XYZ", file=sys.stderr, flush=True)
        print("crashing now", file=sys.stderr, flush=True)
        sys.exit(3)
    elif "id" in msg and method not in ("tools/call",):
        print(json.dumps({"jsonrpc": "2.0", "id": msg["id"],
                          "error": {"code": -32601, "message": "Method not found"}}), flush=True)
