-- The words of the search index, for expanding the last word of a search
-- (typed as a prefix) into the words it starts (issue 14, the search
-- benchmark): FTS5's `fts5vocab` module
-- (https://sqlite.org/fts5.html#the_fts5vocab_virtual_table_module), one
-- row per word with the number of messages holding it (`doc`). It reads
-- `messages_fts` as it is when queried: nothing to keep in step, nothing
-- stored.

CREATE VIRTUAL TABLE messages_fts_vocab USING fts5vocab(messages_fts, 'row');
