-- The migrations already applied to this database.
SELECT name FROM schema_migrations FINAL
