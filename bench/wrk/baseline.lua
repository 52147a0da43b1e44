-- The C program that does nothing: the physical limit of a CGI request on this Apache.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
local body = '{"channel":"email","identifier":"baseline@bench.example"}'
function request() return post("/bench/baseline", body) end
