DROP TABLE tool_permissions;
DROP INDEX tool_calls_message;
DROP TABLE tool_calls;
