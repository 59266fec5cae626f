-- wrk script for `make load`: every request carries the scenario's API token (env LOAD_TOKEN);
-- at the end one line "LOAD_RESULT {json}" with requests, req/s, p50/p95/p99 (ms) and errors
-- (non-2xx answers + socket errors), which tests/load/run.py parses.
local token = os.getenv("LOAD_TOKEN")
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   non2xx = 0
   if token and token ~= "" then
      wrk.headers["Authorization"] = "Token " .. token
   end
   wrk.headers["Accept"] = "application/json"
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
   end
end

function done(summary, latency, requests)
   local bad = 0
   for _, t in ipairs(threads) do
      bad = bad + t:get("non2xx")
   end
   local e = summary.errors
   local socket = e.connect + e.read + e.write + e.timeout
   io.write(string.format(
      'LOAD_RESULT {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, ' ..
      '"p99_ms": %.2f, "max_ms": %.2f, "non2xx": %d, "socket_errors": %d}\n',
      summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
      latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000, bad, socket))
end
