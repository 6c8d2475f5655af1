DROP TABLE spending_reservations;
DROP TABLE limit_alerts;
DROP TABLE spending_limits;
DROP TABLE usage_records;
