-- A new identifier every request, so each one stores a record and writes a message to the outbox.
-- wrk ... -- TAG   (TAG keeps identifiers of different runs apart)
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
local tag, counter = "g", 0
function init(args) tag = (args[1] or "g") .. "-" .. thread_index end
function request()
   counter = counter + 1
   return post(api .. "generate", string.format('{"channel":"email","identifier":"%s-%d@bench.example"}', tag, counter))
end
