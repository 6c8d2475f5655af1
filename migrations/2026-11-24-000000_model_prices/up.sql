-- Model prices (issue 5): the shipped table (origin 'shipped', provider = our
-- namespace such as "openai") and the user's own prices (origin 'user',
-- provider = a configured provider id). Prices are USD per token as decimal
-- TEXT (rust_decimal); NULL where unknown. Times are UTC unix milliseconds.
CREATE TABLE model_prices (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    effective_from BIGINT NOT NULL,
    input TEXT NOT NULL,
    output TEXT NOT NULL,
    cache_read TEXT,
    cache_write TEXT,
    reasoning TEXT,
    -- Long-context tier: applies to the whole request when its input passes
    -- 200,000 tokens.
    input_above_200k TEXT,
    output_above_200k TEXT,
    cache_read_above_200k TEXT,
    cache_write_above_200k TEXT,
    max_input_tokens BIGINT,
    max_output_tokens BIGINT,
    -- 'shipped' | 'user'
    origin TEXT NOT NULL CHECK (origin IN ('shipped', 'user')),
    created_at BIGINT NOT NULL,
    -- Also the index of the lookup by (provider, model).
    UNIQUE (provider, model, effective_from, origin)
);
