-- Back to the narrower CHECK: assumed costs become estimated ones.
CREATE TABLE usage_records_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL UNIQUE,
    provider_id TEXT NOT NULL,
    model TEXT NOT NULL,
    conversation_id BIGINT REFERENCES conversations(id) ON DELETE SET NULL,
    message_id BIGINT REFERENCES messages(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    input_tokens BIGINT NOT NULL DEFAULT 0,
    output_tokens BIGINT NOT NULL DEFAULT 0,
    cache_read_tokens BIGINT NOT NULL DEFAULT 0,
    cache_write_tokens BIGINT NOT NULL DEFAULT 0,
    reasoning_tokens BIGINT NOT NULL DEFAULT 0,
    counted_input_tokens BIGINT,
    verification TEXT NOT NULL
        CHECK (verification IN ('agrees', 'differs', 'unverifiable', 'estimated')),
    cost_usd TEXT NOT NULL,
    cost_source TEXT NOT NULL CHECK (cost_source IN ('actual', 'estimated', 'free', 'unpriced')),
    outcome TEXT NOT NULL CHECK (outcome IN ('completed', 'cancelled', 'failed', 'cut_off'))
);
UPDATE usage_records SET cost_source = 'estimated' WHERE cost_source = 'assumed';
INSERT INTO usage_records_old SELECT * FROM usage_records;
DROP TABLE usage_records;
ALTER TABLE usage_records_old RENAME TO usage_records;
CREATE INDEX usage_records_created_at ON usage_records (created_at);
CREATE INDEX usage_records_provider_time ON usage_records (provider_id, created_at);
CREATE INDEX usage_records_model_time ON usage_records (provider_id, model, created_at);
CREATE INDEX usage_records_conversation ON usage_records (conversation_id, created_at);
CREATE INDEX usage_records_message ON usage_records (message_id);
