DROP INDEX conversations_folder;
ALTER TABLE conversations DROP COLUMN folder_id;
ALTER TABLE conversations DROP COLUMN archived;
ALTER TABLE conversations DROP COLUMN pinned;
DROP TABLE folders;
