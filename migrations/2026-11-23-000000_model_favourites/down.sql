DROP TABLE model_favourites;
