-- Per-provider rate limits (issue 5, "Rate limits per provider (requests /
-- tokens per minute) queue requests instead of failing").
CREATE TABLE provider_rate_limits (
    provider_id TEXT PRIMARY KEY NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
    requests_per_minute INTEGER CHECK (requests_per_minute IS NULL OR requests_per_minute > 0),
    tokens_per_minute BIGINT CHECK (tokens_per_minute IS NULL OR tokens_per_minute > 0),
    updated_at BIGINT NOT NULL       -- UTC unix milliseconds
);
