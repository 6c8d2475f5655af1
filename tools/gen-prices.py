#!/usr/bin/env python3
"""Generate ValeChat's shipped price table, data/pricing/prices.json.

Reads LiteLLM's `model_prices_and_context_window.json` (MIT, see
data/pricing/SOURCE.md; a copy is kept in data/pricing/litellm/, the
default input) and keeps chat models (`mode == "chat"`) and embedding
models (`mode == "embedding"`: input price only, marked `"mode": "embedding"`,
no `output`) of the
providers ValeChat has presets for, and of the cloud hosts it prices by
namespace (Azure OpenAI, Azure AI, Together, Fireworks, Bedrock, Vertex AI).
Each kept entry is written under our provider namespace (the preset ids of
crates/valechat-core/src/provider/presets.rs, and the host namespaces of
crates/valechat-core/src/billing/pricing.rs) with the model id as that
provider's API names it (LiteLLM's `gemini/`, `mistral/`, `vertex_ai/`, ...
routing prefix removed).

Prices are USD per token, written as decimal strings taken from the JSON text
itself (json.load(parse_float=Decimal)), so no float rounding noise reaches the
table. Output is deterministic: entries sorted by (provider, model), keys
sorted, fixed indentation. The only input besides the file is the generation
date (--generated, default $SOURCE_DATE_EPOCH or today).

When two LiteLLM keys give the same (provider, model) after the prefix is
stripped (`deepseek-chat` and `deepseek/deepseek-chat`), the prefixed key wins:
it is the one LiteLLM routes to that provider's own API.

Usage:
    tools/gen-prices.py [--input PATH] [--output PATH] [--generated YYYY-MM-DD]

Python 3 standard library only.
"""

import argparse
import datetime
import decimal
import hashlib
import json
import os
import sys

REPOSITORY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DEFAULT_INPUT = os.path.join(
    REPOSITORY, "data", "pricing", "litellm", "model_prices_and_context_window.json"
)
DEFAULT_OUTPUT = os.path.join(REPOSITORY, "data", "pricing", "prices.json")

# Provenance of the input (see shared/data/SOURCE.md).
UPSTREAM = {
    "repo": "BerriAI/litellm",
    "path": "model_prices_and_context_window.json",
    "version": "v1.109.1",
    "obtained_from": "PyPI wheel litellm==1.109.1, member "
    "litellm/model_prices_and_context_window_backup.json",
    "licence": "MIT, Copyright (c) 2023 Berri AI",
}

# Date from which the shipped prices apply (UTC midnight).
EFFECTIVE_FROM = "2026-11-01"

# LiteLLM provider name -> ValeChat namespace (preset id, or the namespace
# pricing.rs maps that service's API host to). Google AI Studio is `gemini`;
# Vertex AI (`vertex_ai`, `vertex_ai-*_models`) is `vertex`.
PROVIDERS = {
    "openai": "openai",
    "anthropic": "anthropic",
    "gemini": "gemini",
    "mistral": "mistral",
    "openrouter": "openrouter",
    "groq": "groq",
    "deepseek": "deepseek",
    "xai": "xai",
    "azure": "azure",
    "azure_ai": "azure_ai",
    "together_ai": "together",
    "fireworks_ai": "fireworks",
    "bedrock": "bedrock",
    "bedrock_converse": "bedrock",
    "vertex_ai": "vertex",
}

# Routing prefixes LiteLLM puts before a model id, per namespace, when they
# differ from `<litellm_provider>/`.
PREFIXES = {
    "bedrock": ("bedrock/converse/", "bedrock/", "bedrock_converse/"),
    "vertex": ("vertex_ai/",),
}


def namespace_of(litellm_provider):
    """Our namespace for a LiteLLM provider name (`vertex_ai-anthropic_models` -> `vertex`)."""
    if litellm_provider is None:
        return None
    if litellm_provider.startswith("vertex_ai-"):
        return "vertex"
    return PROVIDERS.get(litellm_provider)

# Output field -> LiteLLM field (USD per token).
PRICE_FIELDS = {
    "input": "input_cost_per_token",
    "output": "output_cost_per_token",
    "cache_read": "cache_read_input_token_cost",
    "cache_write": "cache_creation_input_token_cost",
    "reasoning": "output_cost_per_reasoning_token",
    "input_above_200k": "input_cost_per_token_above_200k_tokens",
    "output_above_200k": "output_cost_per_token_above_200k_tokens",
    "cache_read_above_200k": "cache_read_input_token_cost_above_200k_tokens",
    "cache_write_above_200k": "cache_creation_input_token_cost_above_200k_tokens",
}

# Kept modes: chat models, and embedding models (input price only, written
# with "mode": "embedding" and no output price).
MODES = ("chat", "embedding")

LIMIT_FIELDS = ("max_input_tokens", "max_output_tokens")


def decimal_text(value):
    """A JSON number (Decimal or int) as a plain decimal string: 1e-05 -> "0.00001"."""
    if isinstance(value, bool) or not isinstance(value, (int, decimal.Decimal)):
        raise ValueError(f"not a number: {value!r}")
    d = decimal.Decimal(value)
    if d < 0:
        raise ValueError(f"negative price: {value!r}")
    text = format(d.normalize(), "f")
    return text


def model_id(key, litellm_provider, namespace):
    """The model id as the provider's API names it: `gemini/gemini-2.5-flash` -> `gemini-2.5-flash`."""
    for prefix in PREFIXES.get(namespace, (litellm_provider + "/",)):
        if key.startswith(prefix):
            return key[len(prefix):], True
    return key, False


def convert(table):
    """The kept entries, sorted by (provider, model)."""
    chosen = {}
    for key in sorted(table):
        entry = table[key]
        if not isinstance(entry, dict) or entry.get("mode") not in MODES:
            continue
        namespace = namespace_of(entry.get("litellm_provider"))
        if namespace is None:
            continue
        model, prefixed = model_id(key, entry["litellm_provider"], namespace)
        embedding = entry["mode"] == "embedding"
        if entry.get("input_cost_per_token") is None:
            continue
        if not embedding and entry.get("output_cost_per_token") is None:
            continue
        out = {"provider": namespace, "model": model}
        if embedding:
            out["mode"] = "embedding"
        for field, source in PRICE_FIELDS.items():
            if embedding and field != "input":
                # Embeddings bill input tokens only; the output is a vector.
                continue
            if entry.get(source) is not None:
                out[field] = decimal_text(entry[source])
        for field in LIMIT_FIELDS:
            value = entry.get(field)
            if isinstance(value, int) and not isinstance(value, bool):
                out[field] = value
        previous = chosen.get((namespace, model))
        if previous is None or (prefixed and not previous[0]):
            chosen[(namespace, model)] = (prefixed, out)
    return [chosen[k][1] for k in sorted(chosen)]


def default_generated():
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        moment = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
        return moment.date().isoformat()
    return datetime.date.today().isoformat()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", default=DEFAULT_INPUT)
    parser.add_argument("--output", default=DEFAULT_OUTPUT)
    parser.add_argument("--generated", default=default_generated())
    args = parser.parse_args(argv)
    datetime.date.fromisoformat(args.generated)

    with open(args.input, "rb") as f:
        raw = f.read()
    table = json.loads(raw.decode("utf-8"), parse_float=decimal.Decimal)
    models = convert(table)
    document = {
        "source": dict(UPSTREAM, sha256=hashlib.sha256(raw).hexdigest()),
        "generated": args.generated,
        "effective_from": EFFECTIVE_FROM,
        "models": models,
    }
    text = json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    counts = {}
    for m in models:
        counts[m["provider"]] = counts.get(m["provider"], 0) + 1
    print(f"wrote {len(models)} models to {args.output}: {counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
