-- What of each NDJSON line the checks cannot see in the rows json_rows reads:
-- whether the line is one JSON object (simdjson's own parse, as strict as the model's
-- parser: it refuses control characters and lone surrogates in strings, invalid UTF-8,
-- NaN, trailing commas and anything after the object), whether it has every key the
-- model requires (JSONEachRow reads an absent array as []), and whether its metadata
-- is an object (JSONEachRow reads a string and an object alike into a text column).
SELECT
    notEmpty(JSONExtractKeys(line) AS keys) AS object,
    hasAll(keys, {required:Array(String)}) AND JSONType(line, 'metadata') = 'Object' AS plain
FROM file({path:String}, 'LineAsString', 'line String')
