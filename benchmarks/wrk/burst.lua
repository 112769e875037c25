-- Burst: every connection sends exactly ONE request, all at once, then stays idle.
-- wrk -t T -c C ... -s burst.lua URL -- METHOD PATH PER_THREAD [TOKEN ...]
-- With tokens, request n of thread t carries "Authorization: Token <tokens[t*PER+n]>",
-- so C different people act at the same moment. Each thread prints BURST-DONE when all
-- its answers are in; the harness then stops wrk (SIGINT) and reads WRK-RESULT.

local counter = 0

function setup(thread)
  thread:set("thread_index", counter)
  counter = counter + 1
end

local method, path, per_thread, tokens = "GET", "/", 1, {}
local issued, answered = 0, 0
local statuses = {}

function init(args)
  method, path, per_thread = args[1], args[2], tonumber(args[3])
  for i = 4, #args do tokens[#tokens + 1] = args[i] end
end

-- wrk calls delay() once before every real request and request() once more in thread 1
-- to check the script (wrk.c: script_verify_request). So delay() hands out the places and
-- request() takes them in turn; the check call takes none and uses the first token.
local granted = {}

function delay()
  if issued < per_thread then
    issued = issued + 1
    granted[#granted + 1] = thread_index * per_thread + issued
    return 0
  end
  return 3600000 -- never again in this run
end

function request()
  local place = table.remove(granted, 1) or thread_index * per_thread + 1
  local headers = {}
  if #tokens > 0 then
    headers["Authorization"] = "Token " .. tokens[place]
  end
  if method == "POST" then
    headers["Content-Type"] = "application/json"
    return wrk.format("POST", path, headers, "{}")
  end
  return wrk.format(method, path, headers)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  answered = answered + 1
  if answered == per_thread then
    local parts = {}
    for code, count in pairs(statuses) do parts[#parts + 1] = code .. "=" .. count end
    io.write("BURST-DONE " .. table.concat(parts, ",") .. "\n")
    io.flush()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK-RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "mean_us": %.1f, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, summary.bytes, latency.mean,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
