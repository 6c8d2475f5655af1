#!/usr/bin/env python3
"""Drives `valechat mcp serve` with the official MCP Python SDK (`mcp`).

Run by tests/cli/mcp_serve.rs with tests/mcp/venv's Python:

    mcp_sdk.py --exe VALECHAT [--url URL] [--read-only] --model PROVIDER/MODEL
               [--secret TEXT]

Over stdio (VALECHAT's `mcp serve`, this process's environment) unless
--url names a streamable HTTP endpoint. It checks, in order:

- initialize: server name `valechat`, instructions;
- tools/list: list_models and get_usage (only those with --read-only), each
  with an input and an output schema;
- list_models: MODEL among the structured models, its provider reachable;
- get_usage: structured totals with the cost as a decimal string;
- resources: config://providers names the provider and never contains
  --secret; stats://usage is JSON with totals and limits;
- resources/subscribe to stats://usage: prints `SUBSCRIBED` and waits (up
  to 20 s) for notifications/resources/updated, which the test causes by
  billing a request from another process; prints `UPDATED`.

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


async def run(session: ClientSession, args, updated: anyio.Event) -> None:
    init = await session.initialize()
    assert init.server_info.name == "valechat", init.server_info
    assert init.instructions, "no instructions"
    say(f"initialized {init.protocol_version}")

    tools = (await session.list_tools()).tools
    names = sorted(t.name for t in tools)
    expected = ["get_usage", "list_models"]
    assert names == expected, names
    for t in tools:
        assert t.input_schema.get("type") == "object", t
        assert t.output_schema and t.output_schema.get("type") == "object", t
    say(f"tools {','.join(names)}")

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
    say("SUBSCRIBED")
    with anyio.fail_after(20):
        await updated.wait()
    say("UPDATED")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--exe", required=True)
    parser.add_argument("--url")
    parser.add_argument("--read-only", action="store_true")
    parser.add_argument("--model", required=True)
    parser.add_argument("--secret")
    args = parser.parse_args()

    updated = anyio.Event()

    async def on_message(message) -> None:
        root = getattr(message, "root", message)
        if isinstance(root, Exception):
            return
        if getattr(root, "method", None) == "notifications/resources/updated":
            if root.params.uri == "stats://usage":
                updated.set()

    info = types.Implementation(name=CLIENT_NAME, version="1.0")

    async def with_streams(read, write) -> None:
        async with ClientSession(read, write, message_handler=on_message, client_info=info) as session:
            await run(session, args, updated)

    if args.url:
        async with streamable_http_client(args.url) as streams:
            await with_streams(streams[0], streams[1])
    else:
        serve = ["mcp", "serve"] + (["--read-only"] if args.read_only else [])
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
