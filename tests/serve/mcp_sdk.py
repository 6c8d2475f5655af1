#!/usr/bin/env python3
"""Drives `valechat mcp serve` with the official MCP Python SDK (`mcp`).

Run by tests/cli/mcp_serve.rs with tests/mcp/venv's Python:

    mcp_sdk.py --exe VALECHAT [--url URL] --model PROVIDER/MODEL
               [--second PROVIDER/MODEL] [--secret TEXT]
               [--scenario full|read-only|limit|compare-limit|cancel|stateless]

Over stdio (VALECHAT's `mcp serve`, this process's environment; with
`--read-only` for that scenario) unless --url names a streamable HTTP
endpoint. Scenario `full` (the default) checks, in order:

- initialize: server name `valechat`, instructions;
- tools/list: the four tools, each with an input and an output schema;
- list_models: MODEL among the structured models, its provider reachable;
- get_usage: structured totals with the cost as a decimal string;
- resources: config://providers names the provider and never contains
  --secret; stats://usage is JSON with totals and limits;
- resources/subscribe to stats://usage, then generate with a progress
  token: progress received, text and cost returned, then
  notifications/resources/updated arrives (prints `UPDATED 1`);
- compare_models over MODEL and --second: both columns answered;
- prints `SUBSCRIBED` and waits (up to 20 s) for another update, which the
  test causes by billing a request from another process (`UPDATED 2`).

`read-only`: only list_models and get_usage are listed; generate is refused.
`limit`: generate answers with a tool error naming the hard limit.
`compare-limit`: compare_models over MODEL and --second, the second refused
by a hard limit: its column has the error, the first answered.
`stateless`: the 2026-07-28 era (server/discover, no initialize): the
tools listed; subscriptions/listen to stats://usage; generate with progress
and no model (the default assistant's, which must be MODEL); the listen
stream's update.
`cancel`: generate is cancelled after its first progress notification
(the test checks that the provider's connection closes while the session
is still open, then writes `closed` to stdin).

Every check that fails raises; the exit status is 0 only when all passed.
Progress lines go to stdout, flushed, for the test to follow.
"""

import argparse
import json
import os
import sys

import anyio
from mcp import ClientSession, types
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.client.subscriptions import listen

CLIENT_NAME = "sdk-test"


def say(line: str) -> None:
    print(line, flush=True)


def structured(result) -> dict:
    assert not result.is_error, f"tool error: {result.content}"
    data = result.structured_content
    assert isinstance(data, dict), f"no structuredContent: {result}"
    text = [c.text for c in result.content if getattr(c, "type", "") == "text"]
    assert text and text[0], f"no text content: {result.content}"
    return data


def resource_text(result) -> str:
    (content,) = result.contents
    return content.text


async def run(session: ClientSession, args, updates: list) -> None:
    if args.scenario == "stateless":
        # The 2026-07-28 era: server/discover, no initialize, every request
        # carrying the protocol version and clientInfo in its _meta.
        found = await session.discover()
        assert session.protocol_version == "2026-07-28", session.protocol_version
        assert found.instructions, "no instructions"
        say(f"discovered {session.protocol_version}")
        names = sorted(t.name for t in (await session.list_tools()).tools)
        assert names == ["compare_models", "generate", "get_usage", "list_models"], names
        progress = []

        async def on_progress(value, total, message) -> None:
            progress.append(message)

        # The era's subscription: subscriptions/listen, not resources/subscribe.
        async with listen(session, resource_subscriptions=["stats://usage"]) as subscription:
            assert subscription.honored.resource_subscriptions == ["stats://usage"], subscription.honored
            say("listening")
            reply = structured(
                await session.call_tool("generate", {"prompt": "Hi"}, progress_callback=on_progress)
            )
            assert "".join(progress) == reply["text"] and reply["text"], (progress, reply)
            assert reply["provider"] == args.model.split("/", 1)[0], reply
            say(f"generate {reply['text']!r} {reply['usage']['cost_usd']} USD, {len(progress)} progress")
            with anyio.fail_after(20):
                event = await subscription.__anext__()
            assert getattr(event, "uri", None) == "stats://usage", event
            say("UPDATED listen")
        return
    init = await session.initialize()
    assert init.server_info.name == "valechat", init.server_info
    assert init.instructions, "no instructions"
    say(f"initialized {init.protocol_version}")

    tools = (await session.list_tools()).tools
    names = sorted(t.name for t in tools)
    if args.scenario == "read-only":
        assert names == ["get_usage", "list_models"], names
        try:
            refused = await session.call_tool("generate", {"prompt": "Hi"})
            assert refused.is_error, refused
        except Exception as e:  # noqa: BLE001 - a protocol error is a refusal too
            say(f"generate refused: {e}")
        say(f"tools {','.join(names)}")
        return
    expected = ["compare_models", "generate", "get_usage", "list_models"]
    assert names == expected, names
    for t in tools:
        assert t.input_schema.get("type") == "object", t
        assert t.output_schema and t.output_schema.get("type") == "object", t
    say(f"tools {','.join(names)}")
    if args.scenario == "limit":
        refused = await session.call_tool("generate", {"model": args.model, "prompt": "Hi"})
        assert refused.is_error, refused
        text = refused.content[0].text
        assert "limit" in text and "left" in text and "spent" in text, text
        say(f"limit: {text}")
        return
    if args.scenario == "compare-limit":
        both = structured(await session.call_tool("compare_models", {"models": [args.model, args.second], "prompt": "Hi"}))
        first, second = both["columns"]
        assert first["error"] is None and first["text"], first
        assert second["error"] and "limit" in second["error"] and not second["text"], second
        say(f"compare: {second['model']} refused: {second['error']}")
        return
    if args.scenario == "cancel":
        with anyio.CancelScope() as scope:

            async def on_progress(progress, total, message) -> None:
                say(f"progress {progress} {message!r}")
                scope.cancel()

            await session.call_tool("generate", {"model": args.model, "prompt": "Hi"}, progress_callback=on_progress)
        assert scope.cancelled_caught, "generate ended before it was cancelled"
        say("cancelled")
        # The session stays open until the test saw the provider's
        # connection close (it writes a line to stdin), so the close comes
        # from the cancellation, not from the end of the session.
        line = await anyio.to_thread.run_sync(sys.stdin.readline)
        assert line.strip() == "closed", line
        return

    provider, model = args.model.split("/", 1)
    listed = structured(await session.call_tool("list_models", {}))
    models = [(m["provider_id"], m["model"]) for m in listed["models"]]
    assert (provider, model) in models, models
    reachable = {p["id"]: p["reachable"] for p in listed["providers"]}
    assert reachable.get(provider) is True, listed["providers"]
    say(f"models {len(models)}")

    usage = structured(await session.call_tool("get_usage", {"period": "month", "group_by": "model"}))
    assert isinstance(usage["totals"]["cost_usd"], str), usage
    say(f"usage {usage['totals']['cost_usd']}")

    bad = await session.call_tool("get_usage", {"period": "year"})
    assert bad.is_error, bad
    say("bad arguments: tool error")

    providers_text = resource_text(await session.read_resource("config://providers"))
    assert provider in providers_text, providers_text
    if args.secret:
        assert args.secret not in providers_text, "the API key is in config://providers"
    assert "has_api_key" in providers_text
    stats = json.loads(resource_text(await session.read_resource("stats://usage")))
    assert "totals" in stats and "limits" in stats, stats
    say("resources read")

    await session.subscribe_resource("stats://usage")
    progress = []

    async def on_progress(value, total, message) -> None:
        progress.append((value, message))

    reply = structured(
        await session.call_tool(
            "generate", {"model": args.model, "prompt": "Hi", "max_tokens": 50}, progress_callback=on_progress
        )
    )
    assert progress, "no progress notification"
    assert "".join(m for _, m in progress) == reply["text"], (progress, reply)
    assert reply["text"], reply
    assert reply["usage"]["cost_usd"] not in (None, "0"), reply
    say(f"generate {reply['text']!r} {reply['usage']['cost_usd']} USD, {len(progress)} progress")
    await wait_for_updates(updates, 1)
    say("UPDATED 1")

    if args.second:
        both = structured(await session.call_tool("compare_models", {"models": [args.model, args.second], "prompt": "Hi"}))
        columns = both["columns"]
        assert [c["model"] for c in columns] == [args.model, args.second], columns
        for c in columns:
            assert c["error"] is None and c["text"], c
            assert isinstance(c["total_ms"], int), c
        say(f"compare {len(columns)} columns")

    seen = len(updates)
    say("SUBSCRIBED")
    await wait_for_updates(updates, seen + 1)
    say("UPDATED 2")


async def wait_for_updates(updates: list, count: int) -> None:
    with anyio.fail_after(20):
        while len(updates) < count:
            await anyio.sleep(0.05)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--exe", required=True)
    parser.add_argument("--url")
    parser.add_argument("--scenario", default="full", choices=["full", "read-only", "limit", "compare-limit", "cancel", "stateless"])
    parser.add_argument("--model", required=True)
    parser.add_argument("--second")
    parser.add_argument("--secret")
    args = parser.parse_args()

    updates: list = []

    async def on_message(message) -> None:
        root = getattr(message, "root", message)
        if isinstance(root, Exception):
            return
        if getattr(root, "method", None) == "notifications/resources/updated":
            if root.params.uri == "stats://usage":
                updates.append(root.params.uri)

    info = types.Implementation(name=CLIENT_NAME, version="1.0")

    async def with_streams(read, write) -> None:
        async with ClientSession(read, write, message_handler=on_message, client_info=info) as session:
            await run(session, args, updates)

    if args.url:
        async with streamable_http_client(args.url) as streams:
            await with_streams(streams[0], streams[1])
    else:
        serve = ["mcp", "serve"] + (["--read-only"] if args.scenario == "read-only" else [])
        params = StdioServerParameters(command=args.exe, args=serve, env=dict(os.environ))
        async with stdio_client(params) as (read, write):
            await with_streams(read, write)
    say("PASSED")


if __name__ == "__main__":
    try:
        anyio.run(main)
    except BaseException as e:  # noqa: BLE001 - the test reads the reason
        print(f"FAILED: {e!r}", file=sys.stderr, flush=True)
        raise
