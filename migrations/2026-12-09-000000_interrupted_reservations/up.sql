-- Usage after a kill -9 (issue 13, point 9). A reservation learns the
-- assistant message its request writes and ValeChat's count of the
-- request's input, so that a request whose process died mid-stream can be
-- recorded at the next start as an estimated usage record (tokens counted
-- from what was stored) instead of silently expiring. `interrupted` is set
-- at start-up, when no other process has the database open, on every
-- reservation left over: they belong to processes that are gone.
ALTER TABLE spending_reservations
    ADD COLUMN message_id BIGINT REFERENCES messages(id) ON DELETE SET NULL;
ALTER TABLE spending_reservations ADD COLUMN input_tokens BIGINT;
ALTER TABLE spending_reservations ADD COLUMN interrupted BOOLEAN NOT NULL DEFAULT 0;
