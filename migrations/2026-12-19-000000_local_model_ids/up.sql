-- Readable ids for the model library (issue 16): a model on this computer is
-- named by its file's name without `.gguf` (`qwen2.5-0.5b-instruct-q4_k_m`),
-- with `-2`, `-3`… when another model has that name, instead of its row
-- number. Conversations, messages, usage records, reservations, favourites,
-- prices, assistants, the provider's default model and per-model spending
-- limits of "On this computer" (provider `local`) that named a model by its
-- row number now name it by this id.

ALTER TABLE local_models ADD COLUMN model_id TEXT NOT NULL DEFAULT '';

CREATE TEMP TABLE local_model_ids AS
WITH files AS (
    -- The file name: what follows the path's last '/'.
    SELECT id, substr(path, length(rtrim(path, replace(path, '/', ''))) + 1) AS name
    FROM local_models
), stems AS (
    SELECT id,
           CASE WHEN lower(name) LIKE '%.gguf' THEN substr(name, 1, length(name) - 5)
                ELSE name END AS stem
    FROM files
), numbered AS (
    SELECT id, stem, row_number() OVER (PARTITION BY stem ORDER BY id) AS n
    FROM stems
)
SELECT id,
       CAST(id AS TEXT) AS old_id,
       CASE WHEN stem = '' THEN 'model-' || id
            WHEN n = 1 THEN stem
            ELSE stem || '-' || n END AS model_id
FROM numbered;

UPDATE local_models
SET model_id = (SELECT t.model_id FROM local_model_ids t WHERE t.id = local_models.id);

CREATE UNIQUE INDEX local_models_model_id ON local_models (model_id);

UPDATE conversations
SET model = (SELECT model_id FROM local_model_ids WHERE old_id = conversations.model)
WHERE provider_id = 'local' AND model IN (SELECT old_id FROM local_model_ids);

UPDATE messages
SET model = (SELECT model_id FROM local_model_ids WHERE old_id = messages.model)
WHERE provider_id = 'local' AND model IN (SELECT old_id FROM local_model_ids);

UPDATE usage_records
SET model = (SELECT model_id FROM local_model_ids WHERE old_id = usage_records.model)
WHERE provider_id = 'local' AND model IN (SELECT old_id FROM local_model_ids);

UPDATE spending_reservations
SET model = (SELECT model_id FROM local_model_ids WHERE old_id = spending_reservations.model)
WHERE provider_id = 'local' AND model IN (SELECT old_id FROM local_model_ids);

UPDATE model_favourites
SET model = (SELECT model_id FROM local_model_ids WHERE old_id = model_favourites.model)
WHERE provider_id = 'local' AND model IN (SELECT old_id FROM local_model_ids);

UPDATE model_prices
SET model = (SELECT model_id FROM local_model_ids WHERE old_id = model_prices.model)
WHERE provider = 'local' AND model IN (SELECT old_id FROM local_model_ids);

UPDATE assistants
SET model = (SELECT model_id FROM local_model_ids WHERE old_id = assistants.model)
WHERE provider_id = 'local' AND model IN (SELECT old_id FROM local_model_ids);

UPDATE providers
SET default_model = (SELECT model_id FROM local_model_ids WHERE old_id = providers.default_model)
WHERE id = 'local' AND default_model IN (SELECT old_id FROM local_model_ids);

UPDATE spending_limits
SET target = 'local/' || (SELECT model_id FROM local_model_ids
                          WHERE 'local/' || old_id = spending_limits.target)
WHERE scope = 'model_month'
  AND target IN (SELECT 'local/' || old_id FROM local_model_ids);

DROP TABLE local_model_ids;
