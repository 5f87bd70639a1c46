toDateTime64({from:Int64}, 3, 'UTC') AS window_from,
toDateTime64({to:Int64}, 3, 'UTC') AS window_to,
-- The bucket a time in [from, to) falls in: the largest i with
-- from + floor(i * (to - from) / n) <= t, in whole integer arithmetic.
(t) -> intDiv(
    (intDiv(toUnixTimestamp64Milli(t) - {from:Int64} * 1000, 1000) + 1) * {buckets:Int64} - 1,
    {to:Int64} - {from:Int64}
) AS bucket_of
