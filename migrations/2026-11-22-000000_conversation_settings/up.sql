-- Per-conversation generation settings (issue 3): NULL leaves the server's default.
ALTER TABLE conversations ADD COLUMN temperature REAL NULL;        -- sampling temperature, 0.0–2.0
ALTER TABLE conversations ADD COLUMN max_output_tokens BIGINT NULL; -- upper bound on output tokens
