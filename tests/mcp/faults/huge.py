"""MCP server whose tool `huge` answers with a 17 MiB message (one line of
stdout) and whose tool `long_stderr` writes a 2 MiB stderr line, then
answers "done"."""
import json
import sys

def answer(msg, result):
    print(json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": result}), flush=True)

for line in sys.stdin:
    msg = json.loads(line)
    method = msg.get("method")
    if method == "initialize":
        answer(msg, {"protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
                     "serverInfo": {"name": "huge", "version": "1"}})
    elif method == "tools/list":
        answer(msg, {"tools": [
            {"name": "huge", "description": "A fault", "inputSchema": {"type": "object"}},
            {"name": "long_stderr", "description": "A fault", "inputSchema": {"type": "object"}}]})
    elif method == "tools/call" and msg["params"]["name"] == "huge":
        answer(msg, {"content": [{"type": "text", "text": "h" * (17 * 1024 * 1024)}]})
    elif method == "tools/call":
        sys.stderr.write("e" * (2 * 1024 * 1024) + "\n")
        sys.stderr.write("after the long line\n")
        sys.stderr.flush()
        answer(msg, {"content": [{"type": "text", "text": "done"}]})
    elif "id" in msg:
        print(json.dumps({"jsonrpc": "2.0", "id": msg["id"],
                          "error": {"code": -32601, "message": "Method not found"}}), flush=True)
