ALTER TABLE conversations DROP COLUMN seed;
ALTER TABLE conversations DROP COLUMN repeat_penalty;
ALTER TABLE conversations DROP COLUMN min_p;
ALTER TABLE conversations DROP COLUMN top_k;
ALTER TABLE conversations DROP COLUMN top_p;
