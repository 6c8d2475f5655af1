ALTER TABLE mcp_servers DROP COLUMN sandbox;
