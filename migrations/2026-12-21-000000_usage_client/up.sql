-- Who asked for a request that came from outside the window (issue 15):
-- `mcp:<clientInfo.name>` for the MCP server mode, `api:<User-Agent
-- product>` for the OpenAI-compatible API, `ws:<client>` for the
-- WebSocket stream. NULL for the window's and the CLI's own requests.
ALTER TABLE usage_records ADD COLUMN client TEXT;
