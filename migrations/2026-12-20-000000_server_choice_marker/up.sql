-- One marker for "this conversation offers its own MCP servers only"
-- (issue 14, part 3): a conversation_server_choices row, whatever the
-- conversation started from. Until now a conversation_assistants row
-- marked it too, so a conversation started from an assistant could never
-- go back to every enabled server; such conversations get the row here,
-- and Store::use_all_enabled_mcp_servers removes it.
INSERT OR IGNORE INTO conversation_server_choices (conversation_id)
    SELECT conversation_id FROM conversation_assistants;
