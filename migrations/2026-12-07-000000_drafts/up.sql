-- Drafts kept per conversation (issue 18, bug 7: "a draft typed in the
-- composer is lost on quit (keep drafts per conversation)"). The text the
-- composer holds for each conversation, written as the user types; a row
-- goes with its conversation. The row whose conversation_id is NULL is the
-- draft of the new conversation not yet sent; there is at most one.

CREATE TABLE drafts (
    id INTEGER PRIMARY KEY NOT NULL,
    conversation_id BIGINT UNIQUE REFERENCES conversations(id) ON DELETE CASCADE, -- NULL: the new conversation
    text TEXT NOT NULL CHECK (text <> ''),  -- an empty draft is no row
    updated_at BIGINT NOT NULL              -- UTC unix milliseconds
);

CREATE UNIQUE INDEX drafts_one_new_conversation ON drafts ((conversation_id IS NULL))
    WHERE conversation_id IS NULL;
