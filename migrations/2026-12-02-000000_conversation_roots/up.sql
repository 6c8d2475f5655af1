-- Workspace folders of a conversation, offered to MCP servers as roots
-- (spec 2025-11-25, Client Features → Roots). Rows go with their
-- conversation.
CREATE TABLE conversation_roots (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    conversation_id BIGINT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    path TEXT NOT NULL,             -- absolute local path of the folder
    name TEXT NOT NULL,             -- name shown to the user and to servers
    position INTEGER NOT NULL,      -- order among the conversation's folders, from 0
    created_at BIGINT NOT NULL,     -- UTC unix milliseconds
    UNIQUE (conversation_id, path)
);
