ALTER TABLE tool_calls DROP COLUMN provider_data;
DROP TABLE provider_timeouts;
