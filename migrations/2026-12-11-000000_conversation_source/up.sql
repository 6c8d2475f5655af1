-- Where an imported conversation came from (issue 14, part 4: importing the
-- same file twice does not duplicate). `source` names the format
-- (`chatgpt` | `claude` | `open_webui` | `valechat`), `source_id` the
-- conversation's id there; both NULL for a conversation made here. One
-- conversation per source id.
ALTER TABLE conversations ADD COLUMN source TEXT;
ALTER TABLE conversations ADD COLUMN source_id TEXT;

CREATE UNIQUE INDEX conversations_source ON conversations (source, source_id)
    WHERE source IS NOT NULL;
