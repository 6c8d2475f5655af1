-- Assumed prices (issue 13, point 8): a local or custom endpoint serving a
-- model that exists only as a paid cloud model (a LiteLLM proxy serving
-- gpt-4o) is billed at that model's shipped price, and its usage records
-- say so: cost_source 'assumed'. SQLite cannot change a CHECK constraint,
-- so the table is rebuilt with the wider one (nothing references it).
CREATE TABLE usage_records_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL UNIQUE,
    provider_id TEXT NOT NULL,       -- no FK: spend stays when a provider is removed
    model TEXT NOT NULL,             -- model id as the server names it
    conversation_id BIGINT REFERENCES conversations(id) ON DELETE SET NULL,
    message_id BIGINT REFERENCES messages(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,      -- UTC unix milliseconds
    input_tokens BIGINT NOT NULL DEFAULT 0,
    output_tokens BIGINT NOT NULL DEFAULT 0,
    cache_read_tokens BIGINT NOT NULL DEFAULT 0,
    cache_write_tokens BIGINT NOT NULL DEFAULT 0,
    reasoning_tokens BIGINT NOT NULL DEFAULT 0,
    counted_input_tokens BIGINT,     -- independent count, NULL when none
    verification TEXT NOT NULL
        CHECK (verification IN ('agrees', 'differs', 'unverifiable', 'estimated')),
    cost_usd TEXT NOT NULL,          -- exact decimal USD
    cost_source TEXT NOT NULL
        CHECK (cost_source IN ('actual', 'estimated', 'free', 'unpriced', 'assumed')),
    outcome TEXT NOT NULL CHECK (outcome IN ('completed', 'cancelled', 'failed', 'cut_off'))
);
INSERT INTO usage_records_new SELECT * FROM usage_records;
DROP TABLE usage_records;
ALTER TABLE usage_records_new RENAME TO usage_records;
CREATE INDEX usage_records_created_at ON usage_records (created_at);
CREATE INDEX usage_records_provider_time ON usage_records (provider_id, created_at);
CREATE INDEX usage_records_model_time ON usage_records (provider_id, model, created_at);
CREATE INDEX usage_records_conversation ON usage_records (conversation_id, created_at);
CREATE INDEX usage_records_message ON usage_records (message_id);
