-- One identifier: after the first send every request meets the cooldown (429).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
local body = '{"channel":"email","identifier":"cooldown@bench.example"}'
function request() return post(api .. "generate", body) end
