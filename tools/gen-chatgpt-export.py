#!/usr/bin/env python3
"""Writes a synthetic ChatGPT data export (`conversations.json`) of about
SIZE megabytes (default 200) for the import benchmark
(`tools/bench-import.sh`).

Each conversation has the shape of a real one (see
`tests/fixtures/import/README.md`): a `message: null` root, a hidden
system node, then user/assistant turns of a few hundred to a few thousand
characters; every fifth turn has a regenerated reply (a branch) and
`current_node` points at the last reply. Deterministic (fixed seed), so
runs compare.

usage: tools/gen-chatgpt-export.py OUT.json [SIZE_MB]
"""

import json
import random
import sys

WORDS = ("the import streams one conversation at a time so memory stays flat "
         "while the file grows rust gtk sqlite diesel tree branch reply model "
         "token cost export markdown json schema ValeChat Zürich café naïve").split()


def text(rng, n_words):
    return " ".join(rng.choice(WORDS) for _ in range(n_words))


def node(nid, parent, children, role, content, t, model=None, hidden=False):
    metadata = {"is_visually_hidden_from_conversation": True} if hidden else {}
    if model:
        metadata["model_slug"] = model
    return {
        "id": nid,
        "message": {
            "id": nid,
            "author": {"role": role, "name": None, "metadata": {}},
            "create_time": t,
            "update_time": None,
            "content": {"content_type": "text", "parts": [content]},
            "status": "finished_successfully",
            "end_turn": True,
            "weight": 1.0,
            "metadata": metadata,
            "recipient": "all",
        },
        "parent": parent,
        "children": children,
    }


def conversation(rng, index):
    t = 1_700_000_000.0 + index * 3600
    cid = f"00000000-0000-4000-8000-{index:012d}"
    mapping = {"root": {"id": "root", "message": None, "parent": None, "children": ["sys"]}}
    mapping["sys"] = node("sys", "root", [], "system", "", None, hidden=True)
    parent = "sys"
    last = parent
    for turn in range(rng.randint(4, 30)):
        u = f"u{turn}"
        mapping[parent]["children"].append(u)
        mapping[u] = node(u, parent, [], "user", text(rng, rng.randint(10, 120)), t + turn * 60)
        replies = [f"a{turn}"] + ([f"a{turn}b"] if turn % 5 == 4 else [])
        for a in replies:
            mapping[u]["children"].append(a)
            mapping[a] = node(a, u, [], "assistant", text(rng, rng.randint(60, 500)),
                              t + turn * 60 + 5, model=rng.choice(["gpt-4o", "gpt-4o-mini", "o3"]))
        parent = last = replies[-1]
    return {
        "title": text(rng, 4),
        "create_time": t,
        "update_time": t + 3000,
        "mapping": mapping,
        "moderation_results": [],
        "current_node": last,
        "plugin_ids": None,
        "conversation_id": cid,
        "conversation_template_id": None,
        "gizmo_id": None,
        "is_archived": index % 50 == 0,
        "safe_urls": [],
        "default_model_slug": "gpt-4o",
        "id": cid,
    }


def main():
    out = sys.argv[1]
    size = int(sys.argv[2]) * 1_000_000 if len(sys.argv) > 2 else 200_000_000
    rng = random.Random(14)
    written = 0
    count = 0
    with open(out, "w", encoding="utf-8") as f:
        f.write("[")
        while written < size:
            piece = ("" if count == 0 else ", ") + json.dumps(conversation(rng, count), ensure_ascii=False)
            f.write(piece)
            written += len(piece.encode("utf-8"))
            count += 1
        f.write("]\n")
    print(f"{out}: {count} conversations, {written / 1e6:.1f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
