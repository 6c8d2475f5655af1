#!/usr/bin/env python3
"""Drives ValeChat's WebSocket stream (/v1/ws) with the `websockets` client.

Usage: ws_client.py SCENARIO BASE_URL TOKEN [ARGS…]

BASE_URL is `127.0.0.1:PORT`; the token comes from `valechat serve token`.
Every message either side sends is checked against its JSON Schema in
data/schema/ws/ (with `jsonschema`); a message that does not match fails
the scenario. Each scenario asserts what a front end relies on and prints
one JSON line of facts for the Rust test (tests/cli/serve_ws.rs) to check
against the database. Scenarios:

- chat PROVIDER MODEL: hello, list_models, a new conversation, a second
  message to it, an image (refused first with a wrong media type), a turn
  the provider refuses (`failed`), list_conversations, get_conversation,
  bad messages that leave the connection usable;
- resume PROVIDER MODEL: a connection cut mid-turn, the rest of the turn on
  a new one with `resume`, each event exactly once;
- cancel PROVIDER MODEL: a turn stopped with `cancel` after its first delta;
- tools PROVIDER MODEL TOOL: a tool call approved from a second connection
  (following the turn after `resume`), then one denied;
- limits: a message of another version closes with 4001, one over the size
  limit with 1009;
- auth: no token, a wrong one, the subprotocol and the header.
"""

import asyncio
import base64
import json
import pathlib
import struct
import sys
import zlib

import jsonschema
import referencing
import websockets
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

SCHEMAS = pathlib.Path(__file__).resolve().parents[2] / "data" / "schema" / "ws"
TIMEOUT = 30


def load_validators():
    resources = []
    for path in SCHEMAS.rglob("*.json"):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], referencing.Resource.from_contents(schema)))
    registry = referencing.Registry().with_resources(resources)
    validators = {}
    for direction in ("client", "server"):
        for path in (SCHEMAS / direction).glob("*.json"):
            schema = json.loads(path.read_text())
            jsonschema.Draft202012Validator.check_schema(schema)
            validators[(direction, path.stem)] = jsonschema.Draft202012Validator(
                schema,
                registry=registry,
                format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
            )
    return validators


VALIDATORS = load_validators()
CHECKED = {"client": set(), "server": set()}


def check(direction, message):
    kind = message.get("type")
    validator = VALIDATORS.get((direction, kind))
    assert validator is not None, f"no schema for the {direction} message {kind!r}: {message}"
    errors = sorted(validator.iter_errors(message), key=lambda e: list(e.path))
    assert not errors, f"{direction} message {kind} does not match its schema: " + "; ".join(
        f"{list(e.path)}: {e.message}" for e in errors
    ) + f"\n{json.dumps(message)[:2000]}"
    CHECKED[direction].add(kind)


class Conn:
    """One connection: every message checked against its schema."""

    def __init__(self, ws):
        self.ws = ws

    async def send(self, **message):
        message = {"v": 1, **message}
        check("client", message)
        await self.ws.send(json.dumps(message))

    async def send_raw(self, text):
        await self.ws.send(text)

    async def recv(self):
        text = await asyncio.wait_for(self.ws.recv(), TIMEOUT)
        message = json.loads(text)
        check("server", message)
        return message

    async def recv_type(self, *kinds):
        """The next message of one of `kinds` (others are returned too, in order, before it)."""
        skipped = []
        while True:
            message = await self.recv()
            if message["type"] in kinds:
                return message, skipped
            skipped.append(message)

    async def close(self):
        await self.ws.close()


async def open_conn(base, token, name=None, **options):
    ws = await connect(
        f"ws://{base}/v1/ws",
        subprotocols=["valechat.v1", f"bearer.{token}"],
        user_agent_header="ws-test-agent/1.0",
        open_timeout=TIMEOUT,
        **options,
    )
    assert ws.subprotocol == "valechat.v1", ws.subprotocol
    conn = Conn(ws)
    hello = await conn.recv()
    assert hello["type"] == "hello" and hello["protocol_version"] == 1, hello
    if name:
        await conn.send(type="hello", client={"name": name, "version": "1"})
    return conn, hello


async def turn_events(conn, turn_id, after=0):
    """Events of `turn_id` until finished or failed; seq must follow `after` without gaps."""
    events = []
    expected = after + 1
    while True:
        message = await conn.recv()
        if message.get("turn_id") != turn_id or "seq" not in message:
            continue
        assert message["seq"] == expected, f"seq {message['seq']}, expected {expected}: {message}"
        expected += 1
        events.append(message)
        if message["type"] in ("finished", "failed"):
            return events


def png():
    """A valid 1×1 PNG."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def text_of(events):
    return "".join(e["text"] for e in events if e["type"] == "text_delta")


async def start_turn(conn, request_id, **target):
    await conn.send(type="send", request_id=request_id, **target)
    started, skipped = await conn.recv_type("turn_started", "error")
    assert started["type"] == "turn_started", started
    assert started["request_id"] == request_id, started
    return started, skipped


async def chat(base, token, provider, model):
    conn, hello = await open_conn(base, token, name="ws-test")
    await conn.send(type="list_models", request_id="m")
    models, _ = await conn.recv_type("models")
    assert models["request_id"] == "m"
    assert any(m["provider"] == provider and m["id"] == model for m in models["models"]), models

    started, _ = await start_turn(
        conn, "r1", new={"provider": provider, "model": model, "system_prompt": "Be brief."}, text="Hello"
    )
    conversation = started["conversation_id"]
    events = await turn_events(conn, started["turn_id"])
    finished = events[-1]
    assert finished["type"] == "finished", events
    assert finished["message"]["content"] == text_of(events), events
    usage = [e for e in events if e["type"] == "usage"]
    assert len(usage) == 1 and float(usage[0]["cost_usd"]) > 0, usage

    started, _ = await start_turn(conn, "r2", conversation_id=conversation, text="Again")
    assert started["conversation_id"] == conversation
    second = await turn_events(conn, started["turn_id"])
    assert second[-1]["type"] == "finished", second

    # An image, checked by the engine: a wrong media type is refused first.
    image = {"name": "dot.png", "media_type": "image/png", "data": base64.b64encode(png()).decode()}
    await conn.send(type="send", request_id="bad-image", conversation_id=conversation, text="Look",
                    attachments=[dict(image, media_type="image/jpeg")])
    refused, _ = await conn.recv_type("error")
    assert refused["request_id"] == "bad-image", refused
    bad_image = (refused["code"], refused["field"])
    started, _ = await start_turn(conn, "r3", conversation_id=conversation, text="Look", attachments=[image])
    third = await turn_events(conn, started["turn_id"])
    assert third[-1]["type"] == "finished", third

    # The provider refuses the fourth: `failed`, with the engine's sentence.
    started, _ = await start_turn(conn, "r4", conversation_id=conversation, text="Fail")
    fourth = await turn_events(conn, started["turn_id"])
    failed = fourth[-1]
    assert failed["type"] == "failed" and failed["error"]["message"], fourth
    kinds = sorted({e["type"] for turn in (events, second, third, fourth) for e in turn})

    await conn.send(type="list_conversations", request_id="l", limit=10)
    listed, _ = await conn.recv_type("conversations")
    assert [c["id"] for c in listed["conversations"]] == [conversation], listed
    await conn.send(type="get_conversation", request_id="g", conversation_id=conversation)
    got, _ = await conn.recv_type("conversation")
    roles = [m["role"] for m in got["messages"]]
    assert roles == ["user", "assistant"] * 4, roles
    assert got["messages"][1]["usage"]["cost_usd"] == usage[0]["cost_usd"], got
    await conn.send(type="get_conversation", request_id="missing", conversation_id=999999)
    missing, _ = await conn.recv_type("error")
    assert missing["code"] == "not_found" and missing["request_id"] == "missing", missing

    # Bad messages: an error each, and the connection stays usable.
    codes = []
    for raw in ['{oops', '{"v":1,"type":"cancel","request_id":"c"}', '{"v":1,"type":"fly"}', '{"type":"ping"}']:
        await conn.send_raw(raw)
        error, _ = await conn.recv_type("error")
        codes.append((error["code"], error["field"]))
    await conn.send(type="send", request_id="both", conversation_id=conversation, new={"provider": provider, "model": model}, text="x")
    both, _ = await conn.recv_type("error")
    assert both["request_id"] == "both", both
    codes.append((both["code"], both["field"]))
    await conn.send(type="cancel", turn_id="no-such-turn")
    unknown, _ = await conn.recv_type("error")
    codes.append((unknown["code"], unknown["field"]))
    await conn.send(type="ping", request_id="p")
    pong, _ = await conn.recv_type("pong")
    assert pong["request_id"] == "p"
    await conn.close()
    return {
        "conversation_id": conversation,
        "text": finished["message"]["content"],
        "cost_usd": usage[0]["cost_usd"],
        "codes": codes,
        "server": hello["server"],
        "bad_image": bad_image,
        "failed": failed["error"],
        "kinds": kinds,
    }


async def resume(base, token, provider, model):
    first, _ = await open_conn(base, token, name="ws-resume")
    started, _ = await start_turn(first, "r", new={"provider": provider, "model": model}, text="Count")
    turn = started["turn_id"]
    seen = []
    while len([e for e in seen if e["type"] == "text_delta"]) < 3:
        message = await first.recv()
        if message.get("turn_id") == turn and "seq" in message:
            seen.append(message)
    # Cut without a goodbye, as a network drop would.
    first.ws.transport.abort()
    last = seen[-1]["seq"]
    assert [e["seq"] for e in seen] == list(range(1, last + 1)), seen

    second, _ = await open_conn(base, token, name="ws-resume")
    await second.send(type="resume", turn_id=turn, last_seq=last)
    rest = await turn_events(second, turn, after=last)
    assert rest[-1]["type"] == "finished", rest
    whole = text_of(seen) + text_of(rest)
    assert whole == rest[-1]["message"]["content"], (whole, rest[-1])

    # The finished turn is still kept: from the start, every event again.
    await second.send(type="resume", turn_id=turn, last_seq=0)
    again = await turn_events(second, turn)
    assert [e["seq"] for e in again] == list(range(1, rest[-1]["seq"] + 1))
    assert text_of(again) == whole
    await second.close()
    return {"text": whole, "cut_after_seq": last, "events": rest[-1]["seq"]}


async def cancel(base, token, provider, model):
    conn, _ = await open_conn(base, token, name="ws-cancel")
    started, _ = await start_turn(conn, "r", new={"provider": provider, "model": model}, text="Talk")
    turn = started["turn_id"]
    first, _ = await conn.recv_type("text_delta")
    await conn.send(type="cancel", turn_id=turn)
    events = await turn_events(conn, turn, after=first["seq"])
    end = events[-1]
    await conn.close()
    return {"end": end["type"], "status": (end.get("message") or {}).get("status"), "text": first["text"]}


async def tools(base, token, provider, model, tool):
    conn, _ = await open_conn(base, token, name="ws-tools")
    started, _ = await start_turn(conn, "t1", new={"provider": provider, "model": model}, text="Time?")
    turn = started["turn_id"]
    proposed, before = await conn.recv_type("tool_call_proposed")
    assert proposed["name"] == tool, proposed
    # A second connection follows the turn and approves it.
    other, _ = await open_conn(base, token, name="ws-tools")
    await other.send(type="resume", turn_id=turn, last_seq=0)
    replayed, _ = await other.recv_type("tool_call_proposed")
    assert replayed == proposed, (replayed, proposed)
    await other.send(type="approve", turn_id=turn, tool_call_id=proposed["tool_call_id"])
    events = await turn_events(other, turn, after=proposed["seq"])
    kinds = [e["type"] for e in events]
    assert kinds.index("tool_call_running") < kinds.index("tool_call_finished") < kinds.index("finished"), kinds
    done = next(e for e in events if e["type"] == "tool_call_finished")
    assert done["status"] == "succeeded" and not done["is_error"], done
    # The first connection saw the same events.
    mirrored = await turn_events(conn, turn, after=proposed["seq"])
    assert mirrored == events
    await other.send(type="approve", turn_id=turn, tool_call_id=proposed["tool_call_id"])
    late, _ = await other.recv_type("error")
    assert late["code"] == "no_waiting_call", late
    await other.close()

    started, _ = await start_turn(conn, "t2", conversation_id=started["conversation_id"], text="Again?")
    proposed2, _ = await conn.recv_type("tool_call_proposed")
    await conn.send(type="deny", turn_id=started["turn_id"], tool_call_id=proposed2["tool_call_id"])
    denied_events = await turn_events(conn, started["turn_id"], after=proposed2["seq"])
    denied = next(e for e in denied_events if e["type"] == "tool_call_finished")
    assert denied["status"] == "denied", denied
    assert denied_events[-1]["type"] == "finished", denied_events
    await conn.close()
    return {
        "result": done["result"],
        "final_text": events[-1]["message"]["content"],
        "denied_text": denied_events[-1]["message"]["content"],
        "usage_events": kinds.count("usage"),
    }


async def closed_with(conn):
    try:
        while True:
            await conn.recv()
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


async def limits(base, token):
    conn, hello = await open_conn(base, token)
    await conn.send_raw(json.dumps({"v": 2, "type": "ping"}))
    error = await conn.recv()
    assert error["type"] == "error" and error["code"] == "unsupported_version", error
    version_code = await closed_with(conn)

    conn, hello = await open_conn(base, token, max_size=None)
    big = hello["limits"]["max_message_bytes"] + 1
    await conn.send_raw(json.dumps({"v": 1, "type": "ping", "request_id": "x" * big}))
    size_code = await closed_with(conn)
    return {"version_close": version_code, "size_close": size_code, "max_message_bytes": big - 1}


async def auth(base, token):
    statuses = {}
    for name, options in {
        "none": {},
        "wrong": {"subprotocols": ["valechat.v1", "bearer." + "x" * len(token)]},
        "wrong_header": {"additional_headers": {"Authorization": "Bearer nope"}},
    }.items():
        try:
            ws = await connect(f"ws://{base}/v1/ws", open_timeout=TIMEOUT, **options)
            await ws.close()
            statuses[name] = 101
        except InvalidStatus as refused:
            statuses[name] = refused.response.status_code
    ws = await connect(
        f"ws://{base}/v1/ws",
        additional_headers={"Authorization": f"Bearer {token}"},
        open_timeout=TIMEOUT,
    )
    hello = json.loads(await ws.recv())
    check("server", hello)
    statuses["header"] = 101
    await ws.close()
    conn, _ = await open_conn(base, token)
    statuses["subprotocol"] = 101
    await conn.close()
    return statuses


async def main(argv):
    scenario, base, token, *rest = argv
    result = await {
        "chat": chat,
        "resume": resume,
        "cancel": cancel,
        "tools": tools,
        "limits": limits,
        "auth": auth,
    }[scenario](base, token, *rest)
    result["checked"] = {k: sorted(v) for k, v in CHECKED.items()}
    result["websockets"] = websockets.__version__
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
