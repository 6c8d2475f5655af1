-- Knowledge libraries (issue 17): named sets of files and folders, their
-- documents' state, the documents' chunks, and an FTS5 index over the
-- chunks for BM25 retrieval. Vectors (next step) sit beside the chunks,
-- keyed by `document_chunks.id`, for the model `libraries.embedding_model`
-- names.

CREATE TABLE libraries (
    id INTEGER PRIMARY KEY NOT NULL,
    -- Unique, ignoring case.
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    -- `provider_id/model` of the embeddings, NULL while the library is
    -- searched by words only.
    embedding_model TEXT,
    -- UTC unix milliseconds.
    created_at BIGINT NOT NULL
);

-- A file or folder added to a library (an absolute path).
CREATE TABLE library_sources (
    id INTEGER PRIMARY KEY NOT NULL,
    library_id BIGINT NOT NULL REFERENCES libraries (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    UNIQUE (library_id, path)
);

-- A file of a library, as last seen by the indexer.
CREATE TABLE documents (
    id INTEGER PRIMARY KEY NOT NULL,
    library_id BIGINT NOT NULL REFERENCES libraries (id) ON DELETE CASCADE,
    source_id BIGINT NOT NULL REFERENCES library_sources (id) ON DELETE CASCADE,
    -- Absolute path.
    path TEXT NOT NULL,
    -- `text`, `markdown`, `code`, `html`, `pdf`, `docx`, `odt`; NULL when
    -- not read.
    format TEXT,
    -- Bytes, and the modification time in UTC unix milliseconds, when it
    -- was indexed: a file whose size and time are unchanged is skipped.
    size_bytes BIGINT NOT NULL,
    modified_at BIGINT NOT NULL,
    -- SHA-256 of the content, lower-case hex (NULL when not read): a
    -- touched but unchanged file keeps its chunks.
    sha256 TEXT,
    state TEXT NOT NULL CHECK (state IN ('indexed', 'failed', 'skipped')),
    -- Why it failed or was skipped (the user's sentence).
    reason TEXT,
    chunk_count INTEGER NOT NULL DEFAULT 0,
    indexed_at BIGINT NOT NULL,
    UNIQUE (library_id, path)
);

CREATE INDEX documents_source ON documents (source_id);

CREATE TABLE document_chunks (
    id INTEGER PRIMARY KEY NOT NULL,
    document_id BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    -- Its place in the document, from 0.
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    -- The PDF page, from 1 (NULL for other formats), and the lines of the
    -- extracted text it covers, from 1, inclusive.
    page INTEGER,
    first_line INTEGER NOT NULL,
    last_line INTEGER NOT NULL,
    -- o200k_base tokens.
    token_count INTEGER NOT NULL,
    UNIQUE (document_id, ordinal)
);

-- Porter stemming: "indexed" finds "indexing", as questions phrase
-- things differently from the text that answers them.
CREATE VIRTUAL TABLE document_chunks_fts USING fts5(
    text,
    content = 'document_chunks',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER document_chunks_fts_after_insert AFTER INSERT ON document_chunks BEGIN
    INSERT INTO document_chunks_fts (rowid, text) VALUES (new.id, new.text);
END;

CREATE TRIGGER document_chunks_fts_after_delete AFTER DELETE ON document_chunks BEGIN
    INSERT INTO document_chunks_fts (document_chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;

CREATE TRIGGER document_chunks_fts_after_update AFTER UPDATE OF text ON document_chunks BEGIN
    INSERT INTO document_chunks_fts (document_chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO document_chunks_fts (rowid, text) VALUES (new.id, new.text);
END;
