-- Usage ledger and spending limits (issue 5). Money is TEXT holding an exact
-- decimal number of US dollars (rust_decimal); times are UTC unix ms.

-- One row per provider request; request_id is unique so that a retry or a
-- replayed event never bills twice.
CREATE TABLE usage_records (
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
    cost_source TEXT NOT NULL CHECK (cost_source IN ('actual', 'estimated', 'free', 'unpriced')),
    outcome TEXT NOT NULL CHECK (outcome IN ('completed', 'cancelled', 'failed', 'cut_off'))
);
CREATE INDEX usage_records_created_at ON usage_records (created_at);
CREATE INDEX usage_records_provider_time ON usage_records (provider_id, created_at);
CREATE INDEX usage_records_model_time ON usage_records (provider_id, model, created_at);
CREATE INDEX usage_records_conversation ON usage_records (conversation_id, created_at);
CREATE INDEX usage_records_message ON usage_records (message_id);

-- Spending limits. target: NULL for the global scopes, a provider id for
-- provider_month, "provider/model" for model_month, a conversation id (as
-- text) for conversation. One limit per scope and target.
CREATE TABLE spending_limits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL CHECK (scope IN
        ('global_day', 'global_month', 'provider_month', 'model_month', 'conversation')),
    target TEXT,
    amount_usd TEXT NOT NULL,        -- exact decimal USD, > 0
    hard BOOLEAN NOT NULL,           -- hard: refuse; soft: warn
    thresholds TEXT NOT NULL,        -- alert percentages, e.g. "50,80,100"
    enabled BOOLEAN NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX spending_limits_scope_target ON spending_limits (scope, IFNULL(target, ''));

-- Thresholds already announced, once per limit, threshold and period
-- ("2026-11-22", "2026-11" or "total").
CREATE TABLE limit_alerts (
    limit_id BIGINT NOT NULL REFERENCES spending_limits(id) ON DELETE CASCADE,
    threshold INTEGER NOT NULL,      -- percent, 1..=100
    period_key TEXT NOT NULL,
    raised_at BIGINT NOT NULL,       -- UTC unix milliseconds
    PRIMARY KEY (limit_id, threshold, period_key)
);

-- Worst-case amounts held by requests in flight; replaced by a usage record
-- when the request ends. Rows older than an hour are ignored (crash safety).
CREATE TABLE spending_reservations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL UNIQUE,
    provider_id TEXT NOT NULL,
    model TEXT NOT NULL,
    conversation_id BIGINT,
    amount_usd TEXT NOT NULL,        -- exact decimal USD, >= 0
    created_at BIGINT NOT NULL
);
CREATE INDEX spending_reservations_created_at ON spending_reservations (created_at);
