DROP TRIGGER IF EXISTS messages_fts_after_update;
DROP TRIGGER IF EXISTS messages_fts_after_delete;
DROP TRIGGER IF EXISTS messages_fts_after_insert;
DROP TABLE IF EXISTS messages_fts;
DROP TABLE IF EXISTS messages;
DROP TABLE IF EXISTS conversations;
DROP TABLE IF EXISTS providers;
