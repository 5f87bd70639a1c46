-- NDJSON lines, or the objects of a JSON array, as rows of the fields' plain types (the
-- structure is bound, made from the model's fields), refusing the whole file at any
-- value not of its field's type: a number or a boolean for a text, an unknown or
-- repeated key, a null where no null can be stored. An object is read as its text
-- wherever a text goes, so that metadata comes as sent; elsewhere that is an object
-- where a string should be, which the reader sends to the model (ingest/json_engine.py).
SELECT *
FROM file({path:String}, 'JSONEachRow', {structure:String})
SETTINGS
    input_format_json_read_objects_as_strings = 1,
    input_format_json_read_numbers_as_strings = 0,
    input_format_json_read_bools_as_numbers = 0,
    input_format_json_read_bools_as_strings = 0,
    input_format_json_read_arrays_as_strings = 0,
    input_format_json_ignore_unknown_keys_in_named_tuple = 0,
    input_format_skip_unknown_fields = 0,
    input_format_null_as_default = 0,
    input_format_parallel_parsing = 0
