-- An instant as the API shows it (vocabulary.timestamps.format_time): ISO 8601 UTC with
-- a Z, milliseconds only where the time has them; NULL stays NULL.
(t) -> concat(
    formatDateTime(t, '%Y-%m-%dT%H:%i:%S'),
    if(toMillisecond(t) = 0, '', concat('.', leftPad(toString(toMillisecond(t)), 3, '0'))),
    'Z'
) AS iso_time
