#!/usr/bin/python3
"""Fills a ValeChat database with one long conversation.

The messages alternate between a question and an answer in the shape that
made a long conversation keep the CPU busy (issue 18, bug 0): a paragraph, a
bulleted list and a two-line Python block. Used by the idle UI test
(tests/ui/test_long_conversation.py) and the conversation benchmark
(tools/bench-conversation.sh).

The database must exist with its migrations run (any `valechat` CLI command
does that) and hold the provider `provider_id`.

Usage: tests/ui/long_conversation.py DB_PATH PROVIDER_ID MESSAGES [TITLE]
Prints the new conversation's id.
"""

import sqlite3
import sys
import time

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
            rows = []
            for i in range(count):
                n = i // 2 + 1
                role, text = ("user", QUESTION) if i % 2 == 0 else ("assistant", ANSWER)
                rows.append((conversation, role, text.format(n=n), "complete", provider_id, model, now + i, now + i))
            db.executemany(
                "INSERT INTO messages (conversation_id, role, content, status, provider_id, model,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        return conversation
    finally:
        db.close()


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    print(fill(sys.argv[1], sys.argv[2], int(sys.argv[3]), *sys.argv[4:5]))
