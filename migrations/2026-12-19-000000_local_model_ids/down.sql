-- Drops the readable ids; the rows that name a model by its id keep it.
DROP INDEX local_models_model_id;
ALTER TABLE local_models DROP COLUMN model_id;
