-- Per-provider timeouts (issue 3, "Configurable timeouts"); a provider
-- without a row uses the defaults (10 s connect, 60 s first byte, 30 s idle).

CREATE TABLE provider_timeouts (
    provider_id TEXT PRIMARY KEY NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
    connect_ms BIGINT NOT NULL,     -- time allowed to open the connection, milliseconds
    first_byte_ms BIGINT NOT NULL,  -- time allowed for the reply's first byte, milliseconds
    idle_ms BIGINT NOT NULL,        -- silence allowed between two stream pieces, milliseconds
    updated_at BIGINT NOT NULL      -- UTC unix milliseconds
);

-- Opaque data a provider attached to a tool call and needs back unchanged in
-- the next request's history (Gemini 3's `thoughtSignature`); NULL for most.
ALTER TABLE tool_calls ADD COLUMN provider_data TEXT;
