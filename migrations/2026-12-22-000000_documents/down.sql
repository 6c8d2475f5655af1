DROP TRIGGER document_chunks_fts_after_update;
DROP TRIGGER document_chunks_fts_after_delete;
DROP TRIGGER document_chunks_fts_after_insert;
DROP TABLE document_chunks_fts;
DROP TABLE document_chunks;
DROP TABLE documents;
DROP TABLE library_sources;
DROP TABLE libraries;
