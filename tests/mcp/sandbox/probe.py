"""MCP stdio server (hand-written JSON-RPC, no dependencies) whose tools
probe the sandbox it runs in, for tests/mcp/sandbox.rs:

- write {path}: create the file and write "probe"; answers "ok" or
  "error: <errno name>".
- connect {port}: TCP connect to 127.0.0.1:port; "ok" or "error: ...".
- limits: the text of /proc/self/limits.
- env: the environment, one NAME=value per line, sorted.
- argv: the server's own arguments, one per line.
- spawn {marker}: start a grandchild `python3 -c <sleep> <marker>` and
  answer "ok"; the test looks for the marker in /proc to see it die.
- syscalls: what a few calls the seccomp filter and --disable-userns
  refuse answer, one `name: ok|<errno name>` line each: personality
  (turning off address randomisation), keyctl (reading the session
  keyring's id), userns (a new user namespace, tried in a child process).
"""
import ctypes
import platform
import errno
import json
import os
import socket
import subprocess
import sys

TOOLS = [
    {"name": name, "description": name, "inputSchema": {"type": "object"}}
    for name in ("write", "connect", "limits", "env", "argv", "spawn", "syscalls")
]


def reply(msg_id, result=None, error=None):
    body = {"jsonrpc": "2.0", "id": msg_id}
    if error is None:
        body["result"] = result
    else:
        body["error"] = error
    print(json.dumps(body), flush=True)


def run(name, args):
    if name == "write":
        try:
            with open(args["path"], "w") as f:
                f.write("probe")
            return "ok"
        except OSError as e:
            return "error: " + errno.errorcode.get(e.errno, str(e))
    if name == "connect":
        try:
            socket.create_connection(("127.0.0.1", int(args["port"])), timeout=3).close()
            return "ok"
        except OSError as e:
            return "error: " + str(e)
    if name == "limits":
        with open("/proc/self/limits") as f:
            return f.read()
    if name == "env":
        return "\n".join(f"{k}={v}" for k, v in sorted(os.environ.items()))
    if name == "argv":
        return "\n".join(sys.argv[1:])
    if name == "spawn":
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)", args["marker"]])
        return "ok"
    if name == "syscalls":
        return syscalls()
    return "error: unknown tool"


# keyctl's number; KEYCTL_GET_KEYRING_ID of KEY_SPEC_SESSION_KEYRING.
KEYCTL = {"x86_64": 250, "aarch64": 219}.get(platform.machine())
ADDR_NO_RANDOMIZE = 0x0040000
CLONE_NEWUSER = 0x10000000


def outcome(result):
    if result != -1:
        return "ok"
    return errno.errorcode.get(ctypes.get_errno(), "?")


def syscalls():
    libc = ctypes.CDLL(None, use_errno=True)
    lines = ["personality: " + outcome(libc.personality(ADDR_NO_RANDOMIZE))]
    if KEYCTL is not None:
        lines.append("keyctl: " + outcome(libc.syscall(KEYCTL, 0, -3, 0)))
    pid = os.fork()
    if pid == 0:
        code = 0 if libc.unshare(CLONE_NEWUSER) == 0 else ctypes.get_errno()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    lines.append("userns: " + ("ok" if code == 0 else errno.errorcode.get(code, "?")))
    return "\n".join(lines)


for line in sys.stdin:
    msg = json.loads(line)
    method = msg.get("method")
    if "id" not in msg:
        continue
    if method == "initialize":
        reply(msg["id"], {
            "protocolVersion": msg["params"].get("protocolVersion", "2025-11-25"),
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "sandbox-probe", "version": "1"}})
    elif method == "tools/list":
        reply(msg["id"], {"tools": TOOLS})
    elif method == "tools/call":
        params = msg["params"]
        text = run(params["name"], params.get("arguments") or {})
        reply(msg["id"], {"content": [{"type": "text", "text": text}], "isError": False})
    else:
        reply(msg["id"], error={"code": -32601, "message": "Method not found"})
