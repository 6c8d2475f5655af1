-- Assistants (issue 14, part 3): a saved bundle of name, icon (an emoji),
-- system prompt, model (provider + model), parameters and the MCP servers
-- it enables; a new conversation starts from one. At most one assistant is
-- the default (the window's Ctrl+N and `valechat chat` without a model);
-- it lives here rather than in GSettings so the CLI sees it too.

CREATE TABLE assistants (
    id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE CHECK (trim(name) <> ''),
    icon TEXT NOT NULL DEFAULT '',                 -- an emoji; '' for none
    system_prompt TEXT,                            -- NULL: none
    provider_id TEXT REFERENCES providers(id) ON DELETE SET NULL,
    model TEXT,                                    -- as the provider names it
    temperature REAL,                              -- 0.0–2.0; NULL: the server's default
    max_output_tokens BIGINT,                      -- ≥ 1; NULL: the server's default
    is_default BOOLEAN NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,                    -- UTC unix milliseconds
    updated_at BIGINT NOT NULL                     -- UTC unix milliseconds
);

CREATE UNIQUE INDEX assistants_one_default ON assistants (is_default) WHERE is_default;

-- The MCP servers an assistant enables; rows go with the assistant or the server.
CREATE TABLE assistant_mcp_servers (
    assistant_id BIGINT NOT NULL REFERENCES assistants(id) ON DELETE CASCADE,
    server_id TEXT NOT NULL REFERENCES mcp_servers(id) ON DELETE CASCADE,
    PRIMARY KEY (assistant_id, server_id)
);

-- The assistant a conversation started from. The row stays when the
-- assistant is removed (assistant_id becomes NULL, the name and icon are
-- kept for the header); it goes with its conversation. A conversation with
-- a row offers the tools of its own servers (conversation_mcp_servers)
-- only; one without offers every enabled server's, as before.
CREATE TABLE conversation_assistants (
    conversation_id BIGINT PRIMARY KEY NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    assistant_id BIGINT REFERENCES assistants(id) ON DELETE SET NULL,
    name TEXT NOT NULL,                            -- the assistant's name when the conversation started
    icon TEXT NOT NULL                             -- its icon then
);

-- The MCP servers a conversation started from an assistant offers, copied
-- from the assistant and changed independently of it.
CREATE TABLE conversation_mcp_servers (
    conversation_id BIGINT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    server_id TEXT NOT NULL REFERENCES mcp_servers(id) ON DELETE CASCADE,
    PRIMARY KEY (conversation_id, server_id)
);
