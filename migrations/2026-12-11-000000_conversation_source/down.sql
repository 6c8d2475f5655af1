DROP INDEX conversations_source;
ALTER TABLE conversations DROP COLUMN source_id;
ALTER TABLE conversations DROP COLUMN source;
