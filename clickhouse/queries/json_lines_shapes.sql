-- Whether each NDJSON line is one JSON object whose metadata is an object: simdjson's
-- own parse of the whole line, as strict as the model's parser (it refuses control
-- characters and lone surrogates in strings, invalid UTF-8, NaN, trailing commas and
-- anything after the object). json_rows cannot tell: it reads a string and an object
-- alike into a text column, and a line of two objects as two rows.
SELECT JSONType(line, 'metadata') = 'Object' AS plain
FROM file({path:String}, 'LineAsString', 'line String')
