DROP TABLE provider_timeouts;
