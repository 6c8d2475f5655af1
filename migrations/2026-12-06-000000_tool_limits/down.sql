DROP TABLE tool_limits;
