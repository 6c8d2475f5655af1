-- A conversation's own MCP servers, whatever it started from (issue 14,
-- part 3): a conversation with a row here chose its servers in its
-- settings and offers the tools of its own servers (conversation_mcp_servers)
-- only, as one started from an assistant does; one with neither this row
-- nor a conversation_assistants row offers every enabled server's tools.
CREATE TABLE conversation_server_choices (
    conversation_id BIGINT PRIMARY KEY NOT NULL REFERENCES conversations(id) ON DELETE CASCADE
);
