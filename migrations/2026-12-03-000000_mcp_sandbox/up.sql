-- Per-server sandbox and resource limits of stdio MCP servers
-- (src/core/mcp/sandbox.rs), as JSON; NULL: off.
ALTER TABLE mcp_servers ADD COLUMN sandbox TEXT;
