-- json_lines_shapes for a JSON array of objects, item by item in order. The array is
-- parsed whole first, so any fault in it (not JSON, something after it) leaves no items.
SELECT JSONType(item, 'metadata') = 'Object' AS plain
FROM file({path:String}, 'RawBLOB', 'blob String')
ARRAY JOIN JSONExtractArrayRaw(blob) AS item
