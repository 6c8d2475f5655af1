-- MCP resources attached to user messages (issue "Prompts and resources").
-- A resource row has kind 'resource'; `data` holds a blob's bytes (empty
-- for text), `text` the text contents, `uri` and `server_id` where it was
-- read. `mime_type` is the server's ('' when it gave none).

ALTER TABLE attachments ADD COLUMN kind TEXT NOT NULL DEFAULT 'image'; -- image|resource
ALTER TABLE attachments ADD COLUMN uri TEXT;                          -- resource URI
ALTER TABLE attachments ADD COLUMN server_id TEXT;                    -- MCP server id
ALTER TABLE attachments ADD COLUMN text TEXT;                         -- text contents
