-- json_lines_shapes for a JSON array of objects: the same two answers for each item,
-- in order. The array is parsed whole first, so any fault in it (not JSON, something
-- after it) leaves no items at all.
SELECT
    notEmpty(JSONExtractKeys(item) AS keys) AS object,
    hasAll(keys, {required:Array(String)}) AND JSONType(item, 'metadata') = 'Object' AS plain
FROM file({path:String}, 'RawBLOB', 'blob String')
ARRAY JOIN JSONExtractArrayRaw(blob) AS item
