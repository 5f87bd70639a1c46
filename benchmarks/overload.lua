-- wrk script for benchmarks.overload: every request creates a new incident (an
-- incidentId unique to its thread and request number), so that each id answered 200
-- names one write. Each thread keeps those ids and counts answers by status; done()
-- writes the ids to $OVERLOAD_IDS, one a line, and prints one WRK line.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  sent = 0
  ids = {}
  ok, busy, other = 0, 0, 0
  headers = {["Content-Type"] = "application/json", ["X-Scope-OrgID"] = "flood-org"}
end

function request()
  sent = sent + 1
  local body = string.format([[{"type":"ANOMALY","incidentId":"f%d-%d","title":"flood %d","category":"PERFORMANCE","description":"p99 latency above baseline","recommendation":"scale out","source":"wrk-flood","status":"OPEN","resolution":"","services":[{"name":"svc-%d","namespace":"prod"}],"metricNames":["http_p99"],"sourceSite":"eu-west","severity":"high","priority":"P2","metadata":{"n":%d}}]],
    tid, sent, sent, sent % 17, sent)
  return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
    ids[ok] = body
  elseif status == 503 then
    busy = busy + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("OVERLOAD_IDS"), "w"))
  local ok_total, busy_total, other_total = 0, 0, 0
  for _, thread in ipairs(threads) do
    for _, id in ipairs(thread:get("ids")) do
      out:write(id, "\n")
    end
    ok_total = ok_total + thread:get("ok")
    busy_total = busy_total + thread:get("busy")
    other_total = other_total + thread:get("other")
  end
  out:close()
  local errors = summary.errors
  io.write(string.format(
    "WRK answers=%d seconds=%.2f rps=%.1f ok=%d busy=%d other=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    ok_total, busy_total, other_total, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    errors.connect + errors.read + errors.write + errors.timeout))
end
