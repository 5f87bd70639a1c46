-- The live columns of every table in a database, in table order: what the schema
-- test compares with the Arrow schemas the writer sends.
SELECT table, name, type
FROM system.columns
WHERE database = {database:String}
ORDER BY table, position
