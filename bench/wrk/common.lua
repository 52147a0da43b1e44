-- Shared by every scenario: distinct thread numbers, a per-thread status tally, and one JSON line of results.
-- BENCH_API is where the endpoints are: /api/otp/ (CGI) or the benchmark's FastCGI path.
api = os.getenv("BENCH_API") or "/api/otp/"
local threads = {}
local next_thread = 0

function setup(thread)
   thread:set("thread_index", next_thread)
   next_thread = next_thread + 1
   table.insert(threads, thread)
end

statuses = {}
function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function post(path, body)
   return wrk.format("POST", path, { ["Content-Type"] = "application/json" }, body)
end

function done(summary, latency, requests)
   local mix = {}
   for _, thread in ipairs(threads) do
      local tally = thread:get("statuses")
      for status, count in pairs(tally) do mix[status] = (mix[status] or 0) + count end
   end
   local parts = {}
   for status, count in pairs(mix) do table.insert(parts, string.format('"%d": %d', status, count)) end
   io.write(string.format('RESULT {"requests": %d, "seconds": %.3f, "errors": %d, "p50_ms": %.3f, "p99_ms": %.3f, "mix": {%s}}\n',
      summary.requests, summary.duration / 1e6,
      summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, table.concat(parts, ", ")))
end
