DROP TABLE local_models;
