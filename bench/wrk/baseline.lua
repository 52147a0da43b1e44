-- The C program that does nothing: the physical limit of a CGI request on this Apache.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
local body = '{"channel":"email","identifier":"baseline@bench.example"}'
-- wrk ... -- PATH   (the 400 variant: /bench/baseline-400)
local path = "/bench/baseline"
function init(args) path = args[1] or path end
function request() return post(path, body) end
