ALTER TABLE spending_reservations DROP COLUMN interrupted;
ALTER TABLE spending_reservations DROP COLUMN input_tokens;
ALTER TABLE spending_reservations DROP COLUMN message_id;
