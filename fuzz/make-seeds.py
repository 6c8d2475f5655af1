#!/usr/bin/env python3
"""Writes the seed corpus fuzz/corpus/<target>/seed-*: real bodies from the
recorded streams in tests/fixtures (provenance and licences:
tests/fixtures/SOURCE.md), cut down where long, and hand-written inputs for
the targets that read no recorded body. Files named `regression-*` are
inputs of fixed crashes, written by hand, and never touched here.

Usage: fuzz/make-seeds.py   (from anywhere; rewrites the seed-* files)
"""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
CORPUS = ROOT / "fuzz" / "corpus"
# AFL++ works best on small inputs: recorded bodies are cut at an event
# boundary below this many bytes.
MAX_SEED = 2048


def cut(body: bytes, sep: bytes) -> bytes:
    """`body` up to the last `sep` before MAX_SEED bytes (whole if short)."""
    if len(body) <= MAX_SEED:
        return body
    end = body.rfind(sep, 0, MAX_SEED)
    return body[: end + len(sep)] if end > 0 else body[:MAX_SEED]


def sse_of_jsonl(path: Path, crlf: bool = False) -> bytes:
    nl = "\r\n" if crlf else "\n"
    lines = [l for l in path.read_text().splitlines() if l.strip()]
    return "".join(f"data: {l}{nl}{nl}" for l in lines).encode()


def write(target: str, seeds: dict[str, bytes]) -> None:
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("seed-*"):
        old.unlink()
    for name, data in seeds.items():
        (folder / f"seed-{name}").write_bytes(data)


def fixture(rel: str) -> bytes:
    return (FIXTURES / rel).read_bytes()


def main() -> None:
    openai = {p.stem: cut(p.read_bytes(), b"\n\n") for p in sorted((FIXTURES / "openai-chat").glob("*.sse"))}
    openai["mistral_tool_call"] = cut(sse_of_jsonl(FIXTURES / "mistral/tool_call.chunks.jsonl"), b"\n\n")
    openai["glm_incremental_tool_call"] = cut(sse_of_jsonl(FIXTURES / "mistral/incremental_tool_call_glm.chunks.jsonl"), b"\n\n")
    openai["error_event"] = b'event: error\ndata: {"error":{"message":"overloaded","type":"server_error"}}\n\n'
    openai["done_only"] = b"data: [DONE]\n\n"
    write("openai_stream", openai)

    anthropic = {p.stem: cut(p.read_bytes(), b"\n\n") for p in sorted((FIXTURES / "anthropic").glob("*.sse"))}
    anthropic["overloaded"] = b'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'
    write("anthropic_stream", anthropic)

    gemini = {p.name.split(".")[0]: cut(sse_of_jsonl(p, crlf=True), b"\r\n\r\n") for p in sorted((FIXTURES / "gemini").glob("*.jsonl"))}
    gemini["blocked_prompt"] = b'data: {"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":7}}\r\n\r\n'
    gemini["in_stream_error"] = b'data: {"error":{"code":500,"message":"internal","status":"INTERNAL"}}\r\n\r\n'
    write("gemini_stream", gemini)

    ollama = {p.stem: cut(p.read_bytes(), b"\n") for p in sorted((FIXTURES / "ollama").glob("*.ndjson")) if "pull" not in p.name}
    write("ollama_stream", ollama)

    write("sse", {
        "openai_text": cut(fixture("openai-chat/text_with_usage.sse"), b"\n\n"),
        "anthropic_basic": cut(fixture("anthropic/basic_response.sse"), b"\n\n"),
        "gemini_crlf": cut(sse_of_jsonl(FIXTURES / "gemini/text.chunks.jsonl", crlf=True), b"\r\n\r\n"),
        "fields": b": OPENROUTER PROCESSING\n\nid: 7\nretry: 1000\nevent: delta\ndata: one\ndata: two\n\ndata:[END]\n\n",
        "cr_only": b"event: a\rdata: x\r\rdata: y\r\r",
        "bom": b"\xef\xbb\xbfdata: first\n\n",
    })
    write("ndjson", {
        "chat": cut(fixture("ollama/chat_stream_docs.ndjson"), b"\n"),
        "pull": cut(fixture("ollama/pull_docs.ndjson"), b"\n"),
        "blank_crlf": b'{"a":1}\r\n\r\n  \n{"b":2}\n[END]\nafter\n',
        "no_newline": b'{"done":true}',
    })

    openai_quota = fixture("errors/openai_insufficient_quota_429.json")
    gemini_retry = fixture("errors/gemini_429_retry_info.json")
    write("retry_after", {
        "huge": b"retry-after: 1e20\n\n" + openai_quota,
        "ms": b"retry-after-ms: 250.5\ncontent-type: application/json\n\n{\"error\":{\"message\":\"slow down\"}}",
        "openai_resets": b"x-ratelimit-remaining-requests: 0\nx-ratelimit-reset-requests: 1m30.5s\nx-ratelimit-reset-tokens: 6m0s\n\n",
        "anthropic_resets": b"anthropic-ratelimit-tokens-remaining: 0\nanthropic-ratelimit-tokens-reset: 2027-01-15T10:00:00Z\n\n{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"rate\"}}",
        "negative_inf": b"retry-after: -inf\nretry-after-ms: NaN\n\nplain text body",
        "gemini": b"retry-after: 30\n\n" + gemini_retry,
        "ollama": b"\n\n{\"error\":\"model 'x' not found\"}",
    })
    retry = json.loads(gemini_retry)

    def with_delay(delay: str) -> bytes:
        r = json.loads(json.dumps(retry))
        for d in r["error"].get("details", []):
            if "retryDelay" in d:
                d["retryDelay"] = delay
        return json.dumps(r).encode()

    write("retry_delay", {
        "recorded": gemini_retry,
        "huge": with_delay("1e20s"),
        "fraction": with_delay("0.250s"),
        "negative": with_delay("-5s"),
        "nan": with_delay("NaNs"),
    })

    init = {"jsonrpc": "2.0", "id": 0, "result": {"protocolVersion": "2025-06-18", "capabilities": {"tools": {"listChanged": True}, "resources": {"subscribe": True}}, "serverInfo": {"name": "fuzz", "version": "1"}, "instructions": "hi"}}
    tools = {"jsonrpc": "2.0", "id": 1, "result": {"tools": [{"name": "echo", "description": "Echo", "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}}}]}}
    call = {"jsonrpc": "2.0", "id": 2, "result": {"content": [{"type": "text", "text": "hi"}, {"type": "image", "data": "AAAA", "mimeType": "image/png"}], "isError": False}}
    notif = {"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": "log line"}}
    progress = {"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": 1, "progress": 0.5, "total": 1}}
    roots = {"jsonrpc": "2.0", "id": "r1", "method": "roots/list"}
    elicit = {"jsonrpc": "2.0", "id": "e1", "method": "elicitation/create", "params": {"mode": "form", "message": "Name?", "requestedSchema": {"type": "object", "properties": {"name": {"type": "string"}}}}}
    error = {"jsonrpc": "2.0", "id": 3, "error": {"code": -32601, "message": "Method not found"}}
    lines = lambda *ms: "".join(json.dumps(m) + "\n" for m in ms).encode()
    write("mcp_jsonrpc", {
        "session": lines(init, tools, call, notif),
        "server_requests": lines(roots, elicit, progress),
        "error": lines(error),
        "garbage_then_valid": b"npm WARN something\n{not json\n" + lines(notif),
        "crlf": lines(init).replace(b"\n", b"\r\n"),
    })

    write("config_import", {
        "claude_desktop": json.dumps({"mcpServers": {"files": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "${HOME}/docs"], "env": {"TOKEN": "${env:GITHUB_TOKEN}"}}, "remote": {"url": "https://example.com/mcp?key=${KEY}", "headers": {"Authorization": "Bearer ${input:token}"}}}}).encode(),
        "vscode": json.dumps({"inputs": [{"id": "token", "type": "promptString"}], "servers": {"gh": {"type": "http", "url": "https://api.githubcopilot.com/mcp/"}, "time": {"type": "stdio", "command": "uvx", "args": ["mcp-server-time"]}}}).encode(),
        "zed": json.dumps({"context_servers": {"x": {"command": {"path": "/usr/bin/x", "args": ["--flag"], "env": {"A": "${A:-default}"}}}, "y": {"settings": {}}}}).encode(),
        "expand_only": b"${env:HOME}/a ${UNSET:-x} ${input:y} ${ ${",
    })
    write("resource_template", {
        "rfc": b"demo://{type}/{+id}{?q,lang}\ntype=a b\nid=x/y\nq=\xc3\xbc&=\nlang=de",
        "operators": b"{#frag}{/path*}{;x,y}{.ext}{&more}{var:3}\nfrag=f\npath=p\nx=1\ny=\next=json\nmore=m",
        "unclosed": b"file:///{dir}/{name\ndir=/etc",
    })
    write("oauth_callback", {
        "approved": b"/callback?code=abc123&state=Zm9vYmFy-state",
        "denied": b"/callback?error=access_denied&state=Zm9vYmFy-state",
        "refused_html": b"/callback?error=%3Cscript%3E&error_description=%22%3E%3Cimg%3E&state=Zm9vYmFy-state",
        "wrong_state": b"/callback?code=abc&state=other",
        "stray": b"/favicon.ico",
        "absolute": b"http://evil.example/callback?code=x&state=Zm9vYmFy-state",
        "custom_redirect": b"/cb/?code=1&state=s\nhttp://[::1]:9/cb/\ns",
    })
    everything = {"mode": "form", "message": "Fill this in", "requestedSchema": {"type": "object", "required": ["name"], "properties": {
        "name": {"title": "String", "type": "string", "minLength": 2, "maxLength": 8},
        "check": {"type": "boolean", "default": True},
        "email": {"type": "string", "format": "email"},
        "when": {"type": "string", "format": "date-time"},
        "day": {"type": "string", "format": "date"},
        "site": {"type": "string", "format": "uri"},
        "integer": {"type": "integer", "minimum": 1, "maximum": 100, "default": 42},
        "number": {"type": "number", "minimum": 0, "maximum": 1000, "default": 2.5},
        "untitled": {"type": "string", "enum": ["Monica", "Rachel"], "enumNames": ["M", "R"]},
        "titled": {"type": "string", "oneOf": [{"const": "hero-1", "title": "Superman"}, {"const": "hero-2", "title": "Wonder Woman"}]},
        "multi": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "string", "enum": ["Guitar", "Piano", "Drums"]}},
    }}}
    # Each value: its shape (0 text, 1 switch, 2 choice, 3 choices), then its text.
    values = [b"0Ada", b"1true", b"0ada@example.com", b"02026-11-22T10:00:00Z", b"02026-02-30", b"0https://example.com", b"0 -3 ", b"01e309", b"2Rachel", b"2hero-2", b"3Guitar,Drums"]
    write("elicitation", {
        "everything": json.dumps(everything).encode() + b"\x00" + b"\x00".join(values),
        "url": json.dumps({"mode": "url", "message": "Pay", "url": "https://example.com/pay", "elicitationId": "e1"}).encode(),
        "legacy_no_mode": json.dumps({"message": "m", "requestedSchema": {"type": "object", "properties": {"n": {"type": "number"}}}}).encode() + b"\x000NaN",
    })
    gguf_seeds()


def gguf_header(kvs: list, tensors: list) -> bytes:
    """A GGUF v3 header: `kvs` as (key, type id, packed value), `tensors`
    as (name, dims, GGML type)."""
    import struct

    def string(text: str) -> bytes:
        data = text.encode()
        return struct.pack("<Q", len(data)) + data

    out = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs))
    for key, kind, value in kvs:
        out += string(key) + struct.pack("<I", kind) + value
    for name, dims, kind in tensors:
        out += string(name) + struct.pack("<I", len(dims))
        out += b"".join(struct.pack("<Q", d) for d in dims) + struct.pack("<IQ", kind, 0)
    return out


def gguf_seeds() -> None:
    import struct

    def s(text: str) -> bytes:
        data = text.encode()
        return struct.pack("<Q", len(data)) + data

    u32 = lambda v: struct.pack("<I", v)
    tokens = struct.pack("<IQ", 8, 3) + s("a") + s("b") + s("</s>")
    scores = struct.pack("<IQ", 6, 3) + struct.pack("<fff", 0.0, -1.0, -2.0)
    llama = [
        ("general.architecture", 8, s("llama")),
        ("general.name", 8, s("tiny")),
        ("general.license", 8, s("mit")),
        ("general.file_type", 4, u32(15)),
        ("llama.context_length", 4, u32(256)),
        ("llama.embedding_length", 4, u32(64)),
        ("llama.block_count", 4, u32(2)),
        ("llama.attention.head_count", 4, u32(4)),
        ("llama.attention.head_count_kv", 4, u32(2)),
        ("tokenizer.chat_template", 8, s("{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}")),
        ("tokenizer.ggml.tokens", 9, tokens),
        ("tokenizer.ggml.scores", 9, scores),
    ]
    tensors = [("token_embd.weight", [64, 3], 12), ("output_norm.weight", [64], 0)]
    write("gguf", {
        "llama": gguf_header(llama, tensors),
        "no_file_type": gguf_header([kv for kv in llama if kv[0] != "general.file_type"], tensors + [("blk.0.attn_q.weight", [64, 64], 8)]),
        "nested_array": gguf_header([("general.architecture", 8, s("qwen2")), ("x", 9, struct.pack("<IQ", 9, 1) + struct.pack("<IQ", 4, 2) + u32(1) + u32(2))], []),
        "empty": gguf_header([], []),
    })


if __name__ == "__main__":
    main()
