DROP TABLE conversation_mcp_servers;
DROP TABLE conversation_assistants;
DROP TABLE assistant_mcp_servers;
DROP INDEX assistants_one_default;
DROP TABLE assistants;
