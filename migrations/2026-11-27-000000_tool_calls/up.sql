-- Tool calls the model made (issue 4, "In the chat") and the user's standing
-- permissions for tools ("Always allow this tool").

CREATE TABLE tool_calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    message_id BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE, -- the assistant message that asked
    position INTEGER NOT NULL,          -- order among that message's calls, from 0
    call_id TEXT NOT NULL,              -- provider's call id (call_…, toolu_…)
    name TEXT NOT NULL,                 -- name the model used (server__tool)
    server_id TEXT,                     -- MCP server id, NULL when the tool is unknown
    tool_name TEXT,                     -- the server's own tool name
    arguments TEXT NOT NULL,            -- JSON as the model sent it
    status TEXT NOT NULL,               -- pending|denied|running|succeeded|failed|cancelled
    result TEXT,                        -- full result for the user (JSON)
    result_for_model TEXT,              -- text sent back to the model (maybe truncated)
    is_error BOOLEAN NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,         -- UTC unix milliseconds
    duration_ms BIGINT,                 -- wall time of the call, when it ran
    UNIQUE (message_id, position)
);
CREATE INDEX tool_calls_message ON tool_calls(message_id);

CREATE TABLE tool_permissions (
    server_binding TEXT NOT NULL,       -- the server's command line or URL
    tool_name TEXT NOT NULL,            -- the server's own tool name
    definition_hash TEXT NOT NULL,      -- sha256 of the tool's definition when allowed
    created_at BIGINT NOT NULL,         -- UTC unix milliseconds
    PRIMARY KEY (server_binding, tool_name)
);
