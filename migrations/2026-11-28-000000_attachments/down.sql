DROP INDEX attachments_message;
DROP TABLE attachments;
