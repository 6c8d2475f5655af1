#!/usr/bin/env python3
"""Drives `valechat serve` with the official openai client (tests/cli/serve_api.rs).

Environment: OPENAI_BASE_URL (http://ADDRESS/v1), OPENAI_API_KEY (the
token). The providers behind it are the test's fakes: `fake` (OpenAI
Chat Completions) serving `gpt-test`, `claude` (Anthropic Messages)
serving `claude-test`, and `capped` under a hard spending limit of its own.
Each check prints a line; the first failure raises (exit status 1).
"""

import json
import os

import openai

client = openai.OpenAI(max_retries=0, timeout=20)
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


def check(name, condition, detail=""):
    if not condition:
        raise AssertionError(f"{name}: {detail}")
    print(f"ok {name}")


# The model list: every provider's models as provider/model.
models = client.models.list()
ids = sorted(m.id for m in models.data)
check("models", ids == ["capped/gpt-test", "claude/claude-test", "fake/gpt-test"], ids)
check("owned_by", {m.owned_by for m in models.data} == {"fake", "claude", "capped"}, models.data)

# A whole completion: text, finish reason, usage.
reply = client.chat.completions.create(
    model="fake/gpt-test",
    messages=[
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hello"},
    ],
    temperature=0.2,
    max_tokens=64,
)
check("text", reply.choices[0].message.content == "Hello there", reply)
check("finish", reply.choices[0].finish_reason == "stop", reply)
check("usage", (reply.usage.prompt_tokens, reply.usage.completion_tokens, reply.usage.total_tokens) == (12, 5, 17), reply.usage)
check("object", reply.object == "chat.completion" and reply.id.startswith("chatcmpl-"), reply)

# Streamed, with include_usage: role first, text deltas, finish, usage last.
chunks = list(
    client.chat.completions.create(
        model="fake/gpt-test",
        messages=[{"role": "user", "content": "Stream please"}],
        stream=True,
        stream_options={"include_usage": True},
    )
)
with_choices = [c for c in chunks if c.choices]
check("stream role", with_choices[0].choices[0].delta.role == "assistant", chunks[0])
text = "".join(c.choices[0].delta.content or "" for c in with_choices)
check("stream text", text == "One two three", text)
check("stream finish", with_choices[-1].choices[0].finish_reason == "stop", with_choices[-1])
check("stream usage last", chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == 3, chunks[-1])
check("usage only last", all(c.usage is None for c in chunks[:-1]), chunks)

# Streamed without include_usage: no usage chunk.
plain = list(
    client.chat.completions.create(
        model="fake/gpt-test",
        messages=[{"role": "user", "content": "Again"}],
        stream=True,
    )
)
check("no usage chunk", all(c.choices and c.usage is None for c in plain), plain)

# A tool call passed through, streamed: id, name, arguments in fragments.
calls = {}
finish = None
for chunk in client.chat.completions.create(
    model="fake/gpt-test",
    messages=[{"role": "user", "content": "Weather in Oslo?"}],
    tools=[WEATHER],
    tool_choice="required",
    stream=True,
):
    for choice in chunk.choices:
        finish = choice.finish_reason or finish
        for call in choice.delta.tool_calls or []:
            entry = calls.setdefault(call.index, {"id": None, "name": None, "arguments": ""})
            if call.id:
                entry["id"] = call.id
            if call.function and call.function.name:
                entry["name"] = call.function.name
            if call.function and call.function.arguments:
                entry["arguments"] += call.function.arguments
check("stream tool call", calls.get(0, {}).get("name") == "get_weather" and calls[0]["id"] == "call_w1", calls)
check("stream tool arguments", json.loads(calls[0]["arguments"]) == {"city": "Oslo"}, calls)
check("stream tool finish", finish == "tool_calls", finish)

# The same, whole, then the result sent back in the history.
reply = client.chat.completions.create(
    model="fake/gpt-test",
    messages=[
        {"role": "user", "content": "Weather in Oslo?"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_w1", "type": "function",
             "function": {"name": "get_weather", "arguments": "{\"city\":\"Oslo\"}"}}]},
        {"role": "tool", "tool_call_id": "call_w1", "content": "12 °C"},
    ],
    tools=[WEATHER],
)
message = reply.choices[0].message
check("tool call", message.tool_calls and message.tool_calls[0].function.name == "get_weather", message)
check("tool arguments", json.loads(message.tool_calls[0].function.arguments) == {"city": "Bergen"}, message)
check("tool finish", reply.choices[0].finish_reason == "tool_calls", reply)

# Anthropic behind the same API, translated both ways.
reply = client.chat.completions.create(
    model="claude/claude-test",
    messages=[{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Hi"}],
)
check("anthropic text", reply.choices[0].message.content == "Hello there!", reply)
check("anthropic usage", (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (11, 6), reply.usage)
check("anthropic model", reply.model == "claude/claude-3-opus-latest", reply.model)

# A hard spending limit: OpenAI's spent-quota answer.
try:
    client.chat.completions.create(
        model="capped/gpt-test",
        messages=[{"role": "user", "content": "Expensive"}],
        max_tokens=1000,
    )
    check("hard limit", False, "no error")
except openai.RateLimitError as e:
    check("hard limit", e.status_code == 429 and e.code == "insufficient_quota", e.body)
    check("hard limit sentence", "limit" in e.message, e.message)

# A model no provider serves.
try:
    client.chat.completions.create(model="nope/x", messages=[{"role": "user", "content": "Hi"}])
    check("unknown model", False, "no error")
except openai.NotFoundError as e:
    check("unknown model", e.code == "model_not_found", e.body)

# No token, and a wrong one.
for key in [None, "vc-wrong"]:
    anonymous = openai.OpenAI(api_key=key or "unused", max_retries=0, timeout=20)
    # openai.Omit() leaves the Authorization header out altogether.
    headers = {"Authorization": openai.Omit()} if key is None else None
    try:
        anonymous.models.list(extra_headers=headers)
        check(f"token {key!r}", False, "no error")
    except openai.AuthenticationError as e:
        check(f"token {key!r}", e.status_code == 401, e.body)

# Over the rate limit (the server allows RATE_LIMIT a minute): RateLimitError
# with Retry-After.
limited = None
for _ in range(int(os.environ["RATE_LIMIT"]) + 1):
    try:
        client.chat.completions.create(model="nope/x", messages=[{"role": "user", "content": "Hi"}])
    except openai.NotFoundError:
        continue
    except openai.RateLimitError as e:
        limited = e
        break
check("rate limit", limited is not None and limited.code == "rate_limit_exceeded", limited)
check("retry after", int(limited.response.headers["retry-after"]) >= 1, limited.response.headers)
print("all checks passed")
