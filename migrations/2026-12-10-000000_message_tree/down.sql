DROP INDEX messages_parent;
ALTER TABLE conversations DROP COLUMN active_leaf_id;
ALTER TABLE messages DROP COLUMN parent_id;
