-- Favourite models (issue 3): listed first in the model picker.
CREATE TABLE model_favourites (
    provider_id TEXT NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
    model TEXT NOT NULL,            -- model id as the server names it
    created_at BIGINT NOT NULL,     -- UTC unix milliseconds
    PRIMARY KEY (provider_id, model)
);
