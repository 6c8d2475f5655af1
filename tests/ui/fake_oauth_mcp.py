#!/usr/bin/env python3
"""A fake MCP server behind OAuth 2.1 for UI tests, mirroring
tests/mcp/oauth/server.rs: one threaded stdlib HTTP server that is both

- the authorization server: RFC 8414 metadata at
  /.well-known/oauth-authorization-server (the issuer is the base URL
  exactly, RFC 8414 §3.3; PKCE S256 only), Dynamic Client Registration at
  /register (RFC 7591), /authorize (with consent on, a 302 to the
  redirect URI with a one-time code and the state; with consent off, 403),
  /token (authorization_code with the PKCE verifier checked against the
  stored S256 challenge, RFC 7636 §4.6; refresh_token);
- the protected resource: RFC 9728 metadata at
  /.well-known/oauth-protected-resource[/mcp], and a streamable HTTP MCP
  endpoint POST /mcp that answers 401 with
  `WWW-Authenticate: Bearer resource_metadata="…"` without a valid bearer
  token, and otherwise initialize (protocol 2025-11-25, JSON responses),
  notifications (202), tools/list (one tool, `echo`), tools/call and ping.
  GET /mcp (the SSE stream) answers 405.

Usage: fake_oauth_mcp.py [PORT]  (prints the MCP URL)
"""

import base64
import hashlib
import json
import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

PROTOCOL_VERSION = "2025-11-25"
ECHO_TOOL = {
    "name": "echo",
    "title": "Echo",
    "description": "Repeats the message it is given.",
    "inputSchema": {
        "type": "object",
        "properties": {"message": {"type": "string"}},
        "required": ["message"],
    },
}


class State:
    """What the server remembers; the test reads and changes it."""

    def __init__(self):
        self.lock = threading.Lock()
        self.base = ""
        self.consent = True
        self.clients = {}  # client_id -> registration
        self.codes = {}  # code -> (client_id, redirect_uri, challenge)
        self.access = set()
        self.refresh = set()
        self.registrations = 0
        self.authorizations = 0
        self.code_grants = 0
        self.refresh_grants = 0
        self.pkce_failures = 0
        self.mcp_methods = []  # JSON-RPC methods answered with a valid token

    def issue(self):
        access, refresh = "access-" + secrets.token_hex(8), "refresh-" + secrets.token_hex(8)
        self.access.add(access)
        self.refresh.add(refresh)
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 3600,
            "refresh_token": refresh,
            "scope": "mcp",
        }

    def expire_access_tokens(self):
        """Makes every access token issued so far invalid (refresh tokens
        stay), as when they expire overnight."""
        with self.lock:
            self.access.clear()

    def methods(self):
        """The JSON-RPC methods answered so far with a valid token."""
        with self.lock:
            return list(self.mcp_methods)

    def counts(self):
        with self.lock:
            return {
                "registrations": self.registrations,
                "authorizations": self.authorizations,
                "code_grants": self.code_grants,
                "refresh_grants": self.refresh_grants,
                "pkce_failures": self.pkce_failures,
            }


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: State  # set by start()

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status, body=None, headers=None, content_type="application/json"):
        data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if body is not None:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        length = int(self.headers.get("Content-Length", "0") or "0")
        return self.rfile.read(length) if length else b""

    def _resource_metadata(self):
        base = self.state.base
        return {"resource": f"{base}/mcp", "authorization_servers": [base], "scopes_supported": ["mcp"]}

    def _server_metadata(self):
        base = self.state.base
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "registration_endpoint": f"{base}/register",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "scopes_supported": ["mcp"],
        }

    def _authorized(self):
        header = self.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return False
        with self.state.lock:
            return header[len("Bearer "):] in self.state.access

    def _challenge(self):
        metadata = f"{self.state.base}/.well-known/oauth-protected-resource"
        self._send(401, {"error": "invalid_token"}, {"WWW-Authenticate": f'Bearer resource_metadata="{metadata}"'})

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path in ("/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"):
            self._send(200, self._resource_metadata())
        elif url.path == "/.well-known/oauth-authorization-server":
            self._send(200, self._server_metadata())
        elif url.path == "/authorize":
            self._authorize(parse_qs(url.query))
        elif url.path == "/mcp":
            if not self._authorized():
                self._challenge()
            else:
                self._send(405, {"error": "no SSE stream"}, {"Allow": "POST"})
        else:
            self._send(404, {"error": "not found"})

    def do_DELETE(self):
        self._send(405, {"error": "no sessions"}, {"Allow": "POST"})

    def _authorize(self, query):
        one = {k: v[0] for k, v in query.items()}
        state = self.state
        with state.lock:
            state.authorizations += 1
            client = state.clients.get(one.get("client_id", ""))
            consent = state.consent
        redirect = one.get("redirect_uri", "")
        problems = []
        if client is None:
            problems.append("unknown client_id")
        elif redirect not in client.get("redirect_uris", []):
            problems.append(f"redirect_uri {redirect!r} was not registered")
        if one.get("response_type") != "code":
            problems.append("response_type is not code")
        if one.get("code_challenge_method") != "S256" or not one.get("code_challenge"):
            problems.append("no S256 code_challenge")
        if "state" not in one:
            problems.append("no state")
        if problems:
            self._send(400, ("bad authorization request: " + "; ".join(problems)).encode(), content_type="text/plain")
            return
        if not consent:
            self._send(403, b"consent refused by the test", content_type="text/plain")
            return
        code = "code-" + secrets.token_hex(8)
        with state.lock:
            state.codes[code] = (one["client_id"], redirect, one["code_challenge"])
        parts = urlsplit(redirect)
        extra = urlencode({"code": code, "state": one["state"]})
        query = f"{parts.query}&{extra}" if parts.query else extra
        self._send(302, b"", {"Location": urlunsplit(parts._replace(query=query))}, content_type="text/plain")

    def do_POST(self):
        path = urlsplit(self.path).path
        body = self._body()
        if path == "/register":
            self._register(body)
        elif path == "/token":
            self._token({k: v[0] for k, v in parse_qs(body.decode()).items()})
        elif path == "/mcp":
            if not self._authorized():
                self._challenge()
            else:
                self._mcp(body)
        else:
            self._send(404, {"error": "not found"})

    def _register(self, body):
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            self._send(400, {"error": "invalid_client_metadata"})
            return
        client_id = "client-" + secrets.token_hex(6)
        reply = {
            "client_id": client_id,
            "redirect_uris": request.get("redirect_uris", []),
            "client_name": request.get("client_name"),
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
        }
        with self.state.lock:
            self.state.registrations += 1
            self.state.clients[client_id] = reply
        self._send(201, reply)

    def _token(self, form):
        state = self.state
        grant = form.get("grant_type")
        with state.lock:
            if grant == "authorization_code":
                stored = state.codes.pop(form.get("code", ""), None)
                if stored is None:
                    reply = None
                else:
                    client_id, redirect, challenge = stored
                    verifier = form.get("code_verifier", "")
                    if not verifier or s256(verifier) != challenge:
                        state.pkce_failures += 1
                        reply = None
                    elif form.get("redirect_uri") != redirect or form.get("client_id", client_id) != client_id:
                        reply = None
                    else:
                        state.code_grants += 1
                        reply = state.issue()
            elif grant == "refresh_token" and form.get("refresh_token") in state.refresh:
                state.refresh.discard(form["refresh_token"])
                state.refresh_grants += 1
                reply = state.issue()
            else:
                reply = None
        if reply is None:
            self._send(400, {"error": "invalid_grant"})
        else:
            self._send(200, reply, {"Cache-Control": "no-store"})

    def _mcp(self, body):
        try:
            message = json.loads(body)
        except ValueError:
            self._send(400, {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "parse error"}})
            return
        if isinstance(message, list) or "id" not in message:
            self._send(202)  # notifications and responses
            return
        method, params, rid = message.get("method"), message.get("params") or {}, message["id"]
        with self.state.lock:
            self.state.mcp_methods.append(method)
        if method == "initialize":
            result = {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "fake-oauth-mcp", "version": "1.0.0"},
            }
        elif method == "tools/list":
            result = {"tools": [ECHO_TOOL]}
        elif method == "tools/call" and params.get("name") == "echo":
            text = str((params.get("arguments") or {}).get("message", ""))
            result = {"content": [{"type": "text", "text": f"Echo: {text}"}], "isError": False}
        elif method == "ping":
            result = {}
        else:
            self._send(200, {"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": f"no method {method}"}})
            return
        self._send(200, {"jsonrpc": "2.0", "id": rid, "result": result})


def start(port: int = 0):
    """Starts the server on 127.0.0.1 in a daemon thread; returns
    (server, state). The MCP URL is `state.base + "/mcp"`."""
    state = State()
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, state


if __name__ == "__main__":
    _srv, st = start(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print(f"{st.base}/mcp", flush=True)
    threading.Event().wait()
