DELETE FROM attachments WHERE kind <> 'image';
ALTER TABLE attachments DROP COLUMN text;
ALTER TABLE attachments DROP COLUMN server_id;
ALTER TABLE attachments DROP COLUMN uri;
ALTER TABLE attachments DROP COLUMN kind;
