-- Images attached to user messages (issue 3, "Images").

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    message_id BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE, -- the user message
    position INTEGER NOT NULL,          -- order among that message's images, from 0
    name TEXT NOT NULL,                 -- file name shown to the user
    mime_type TEXT NOT NULL,            -- image/png|image/jpeg|image/webp|image/gif, sniffed
    data BLOB NOT NULL,                 -- the image file, at most 20 MiB
    created_at BIGINT NOT NULL,         -- UTC unix milliseconds
    UNIQUE (message_id, position)
);
CREATE INDEX attachments_message ON attachments(message_id);
