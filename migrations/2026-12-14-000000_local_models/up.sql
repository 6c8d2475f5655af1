-- The model library (issue 16): GGUF files ValeChat runs on this computer.
-- A row per model file: where it is, how it came (copied into the models
-- folder, referenced where it is, downloaded), where it came from, and the
-- metadata read from its GGUF header (JSON, `local::library::ModelMetadata`)
-- so listing the library never reopens the files.

CREATE TABLE local_models (
    id INTEGER PRIMARY KEY NOT NULL,
    path TEXT NOT NULL UNIQUE,              -- absolute path of the .gguf file
    origin TEXT NOT NULL CHECK (origin IN ('copied', 'referenced', 'downloaded')),
    source TEXT,                            -- the imported path, or hf:REPO/FILE@REVISION
    sha256 TEXT,                            -- lower-case hex, when known (downloads)
    size_bytes BIGINT NOT NULL,             -- the file's size when added
    metadata TEXT NOT NULL,                 -- JSON of the GGUF header's metadata
    added_at BIGINT NOT NULL                -- UTC unix milliseconds
);
