-- MCP servers (src/core/mcp/config.rs). Secrets are in the keyring, never here.
CREATE TABLE mcp_servers (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    transport TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT 1,
    era TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
