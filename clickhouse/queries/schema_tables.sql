-- The live tables of a database with their engines and keys.
SELECT name, engine, sorting_key, primary_key, create_table_query
FROM system.tables
WHERE database = {database:String}
