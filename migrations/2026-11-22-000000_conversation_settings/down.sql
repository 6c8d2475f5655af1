ALTER TABLE conversations DROP COLUMN max_output_tokens;
ALTER TABLE conversations DROP COLUMN temperature;
