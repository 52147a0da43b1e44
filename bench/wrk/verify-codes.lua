-- Codes prepared before the run (file BENCH_CODES: "identifier code" per line), spread over the threads.
-- wrk ... -- right   verifies each code once (200); past the end of its share a thread starts again (400s show it).
-- wrk ... -- wrong   sends a wrong code for identifiers that hold a live code (400, and an attempt written).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
local pairs_, position, mode = {}, 0, "right"
function init(args)
   mode = args[1] or "right"
   local threads = tonumber(os.getenv("BENCH_THREADS") or "1")
   local line_number = 0
   for line in io.lines(os.getenv("BENCH_CODES")) do
      if line_number % threads == thread_index then
         local identifier, code = line:match("^(%S+) (%d+)$")
         table.insert(pairs_, { identifier, code })
      end
      line_number = line_number + 1
   end
end
function request()
   position = position % #pairs_ + 1
   local identifier, code = pairs_[position][1], pairs_[position][2]
   if mode == "wrong" then code = (code == "000000") and "000001" or "000000" end
   return post(api .. "verify", string.format('{"channel":"email","identifier":"%s","code":"%s"}', identifier, code))
end
