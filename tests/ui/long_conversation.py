#!/usr/bin/python3
"""Fills a ValeChat database with one long conversation.

The messages alternate between a question and an answer in the shape that
made a long conversation keep the CPU busy (issue 18, bug 0): a paragraph, a
bulleted list and a two-line Python block. Used by the idle UI test
(tests/ui/test_long_conversation.py) and the conversation benchmark
(tools/bench-conversation.sh).

`prepare` makes a whole data directory: it adds the provider "Fake" (id
`fake`) with the `valechat` CLI, which also creates the database and runs
its migrations, then fills it. `fill` alone needs such a database.

Usage: tests/ui/long_conversation.py DB_PATH PROVIDER_ID MESSAGES [TITLE]
Prints the new conversation's id.
"""

import os
import sqlite3
import subprocess
import sys
import time

# A provider address that is never reached (nothing is sent to it).
UNREACHABLE = "http://127.0.0.1:9/v1"

QUESTION = "Question {n}: how do I read a file line by line in Python?"

ANSWER = """Answer {n}: open the file in a `with` block and iterate over it.

- The file is closed when the block ends.
- Each line keeps its trailing newline.

```python
with open("notes.txt") as notes:
    lines = [line.rstrip() for line in notes]
```
"""


def fill(db_path, provider_id, count, title="A long conversation", model="fake-model"):
    """Adds a conversation of `count` messages to the database at `db_path`.

    Returns the conversation's id. Messages are stored `complete`, half
    questions (role user) and half answers (role assistant), one second apart.
    """
    now = int(time.time()) - count
    db = sqlite3.connect(db_path)
    try:
        with db:
            cursor = db.execute(
                "INSERT INTO conversations (title, provider_id, model, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (title, provider_id, model, now, now + count),
            )
            conversation = cursor.lastrowid
            # One path: each message follows the one before; the last is
            # the active leaf (the branch the window shows).
            parent = None
            for i in range(count):
                n = i // 2 + 1
                role, text = ("user", QUESTION) if i % 2 == 0 else ("assistant", ANSWER)
                parent = db.execute(
                    "INSERT INTO messages (conversation_id, role, content, status, provider_id, model,"
                    " created_at, updated_at, parent_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (conversation, role, text.format(n=n), "complete", provider_id, model, now + i, now + i, parent),
                ).lastrowid
            db.execute(
                "UPDATE conversations SET active_leaf_id = ? WHERE id = ?", (parent, conversation)
            )
        return conversation
    finally:
        db.close()


def prepare(binary, data_dir, count, title="A long conversation", base_url=UNREACHABLE, model="fake-model"):
    """Adds the provider "Fake" at `base_url` to the data directory
    `data_dir` with the `valechat` binary `binary`, then a conversation of
    `count` messages with `model` (see `fill`). Returns its id."""
    env = dict(os.environ, VALECHAT_DATA_DIR=data_dir)
    subprocess.run(
        [binary, "providers", "add", "--name", "Fake", "--base-url", base_url],
        env=env, check=True, stdout=subprocess.DEVNULL,
    )
    return fill(os.path.join(data_dir, "valechat.db"), "fake", count, title, model)


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    print(fill(sys.argv[1], sys.argv[2], int(sys.argv[3]), *sys.argv[4:5]))
