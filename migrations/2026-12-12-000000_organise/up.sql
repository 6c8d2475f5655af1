-- Pin, archive and folders (issue 14, part 3). A pinned conversation is
-- listed first; an archived one is hidden from the sidebar until the user
-- asks for archived conversations. A conversation is in at most one
-- folder; deleting a folder moves its conversations back to no folder
-- (ON DELETE SET NULL), never deletes them.

CREATE TABLE folders (
    id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (trim(name) <> ''),
    created_at BIGINT NOT NULL               -- UTC unix milliseconds
);

ALTER TABLE conversations ADD COLUMN pinned BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN archived BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN folder_id BIGINT
    REFERENCES folders(id) ON DELETE SET NULL;

CREATE INDEX conversations_folder ON conversations (folder_id);
