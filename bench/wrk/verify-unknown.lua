-- Identifiers that hold no code: every request reads the store and answers 400.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
local tag, counter = "u", 0
function init(args) tag = "unknown-" .. thread_index end
function request()
   counter = counter + 1
   return post(api .. "verify", string.format('{"channel":"email","identifier":"%s-%d@bench.example","code":"123456"}', tag, counter))
end
