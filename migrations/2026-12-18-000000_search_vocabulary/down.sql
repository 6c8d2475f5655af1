DROP TABLE messages_fts_vocab;
