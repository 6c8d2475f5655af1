-- Sampling parameters beyond the temperature (issue 16), per conversation;
-- NULL leaves the server's default. Each protocol sends the ones it has.
ALTER TABLE conversations ADD COLUMN top_p REAL;           -- (0, 1]
ALTER TABLE conversations ADD COLUMN top_k INTEGER;        -- >= 1
ALTER TABLE conversations ADD COLUMN min_p REAL;           -- [0, 1]
ALTER TABLE conversations ADD COLUMN repeat_penalty REAL;  -- [0, 2], 1 = none
ALTER TABLE conversations ADD COLUMN seed BIGINT;          -- 0 .. 2^32 - 1
