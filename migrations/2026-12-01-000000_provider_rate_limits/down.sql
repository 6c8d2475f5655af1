DROP TABLE provider_rate_limits;
