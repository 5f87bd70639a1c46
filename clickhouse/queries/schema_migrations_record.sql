-- Records that a migration file has run.
INSERT INTO schema_migrations SELECT {name:String}, now64(3)
