-- Burst: every connection sends exactly ONE request, all at the same instant, then stays idle.
-- wrk -t T -c C ... -s burst.lua URL -- METHOD PATH PER_THREAD START_US [TOKEN ...]
-- With tokens, request n of thread t carries "Authorization: Token <tokens[t*PER+n]>",
-- so C different people act at the same moment. Each thread prints BURST-DONE when all
-- its answers are in; the harness then stops wrk (SIGINT) and reads WRK-RESULT.
--
-- Why one instant (START_US, microseconds since the epoch) rather than "as soon as
-- connected": gunicorn's sync workers close after each answer, and wrk reconnects at once;
-- a reconnected connection sends nothing, and a sync worker that accepts it waits on it.
-- When one wrk thread's first answers came back before the other thread had connected, those
-- idle connections stood in the listen queue ahead of the late thread's requests, every
-- worker took one, and the late requests waited until wrk gave up. Holding every request
-- until START_US, when all connections are in the queue, puts every real request ahead of
-- every idle one; the burst is then also timed from START_US, not from wrk's start.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_usec; } burst_timeval;
  int gettimeofday(burst_timeval *tv, void *tz);
]]
local clock = ffi.new("burst_timeval")

local function now_us()
  ffi.C.gettimeofday(clock, nil)
  return tonumber(clock.tv_sec) * 1000000 + tonumber(clock.tv_usec)
end

local counter = 0

function setup(thread)
  thread:set("thread_index", counter)
  counter = counter + 1
end

local method, path, per_thread, start_us, tokens = "GET", "/", 1, 0, {}
local issued, answered, late = 0, 0, 0
local statuses = {}

function init(args)
  method, path, per_thread, start_us = args[1], args[2], tonumber(args[3]), tonumber(args[4])
  for i = 5, #args do tokens[#tokens + 1] = args[i] end
end

-- wrk calls delay() once before every real request and request() once more in thread 1
-- to check the script (wrk.c: script_verify_request). So delay() hands out the places and
-- request() takes them in turn; the check call takes none and uses the first token.
-- A connection that reaches delay() after START_US was not connected in time: "late".
local granted = {}

function delay()
  if issued < per_thread then
    issued = issued + 1
    granted[#granted + 1] = thread_index * per_thread + issued
    local wait_ms = (start_us - now_us()) / 1000
    if wait_ms < 0 then
      late = late + 1
      return 0
    end
    return math.ceil(wait_ms)
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
    io.write(string.format("BURST-DONE %d %d %s\n", now_us(), late, table.concat(parts, ",")))
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
