-- How far the engine lets tools go in one turn (issue 4: "bounded rounds,
-- configurable"; "tool output is truncated to a configurable size"). One row
-- at most; without it the engine uses its defaults (10 rounds, 32,000
-- characters).

CREATE TABLE tool_limits (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    max_rounds INTEGER NOT NULL CHECK (max_rounds >= 1),             -- model requests per turn that may run tools
    max_result_chars INTEGER NOT NULL CHECK (max_result_chars >= 1), -- characters of one tool result sent to the model
    updated_at BIGINT NOT NULL                                        -- UTC unix milliseconds
);
