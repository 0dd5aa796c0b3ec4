-- wrk script of bench/gateway.sh: a GET, optionally with a bearer token, and a summary line at the end.
--   BENCH_TOKEN         one token, sent on every request (static request: wrk builds it once)
--   BENCH_ACCEPT        an Accept header on every request (bench/fhir.sh: application/fhir+json)
--   BENCH_COOKIE        a Cookie header on every request (the sso route: an established session's cookies)
--   BENCH_TOKEN_FILES   a prefix: thread i reads PREFIX<i> (i = 0, 1, ...; two digits, as `split -d` names
--                       them), one token per line, and sends each once; when its file runs out it sends no
--                       token (the gateway answers 401, so an exhausted pool shows as non-2xx, never as cache hits)
-- done() prints one line the script parses:
--   summary requests N non2xx N errors N exhausted N p50 US p90 US p99 US p99.9 US max US
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
   wrk.headers["Authorization"] = "Bearer " .. token
end
local accept = os.getenv("BENCH_ACCEPT")
if accept and accept ~= "" then
   wrk.headers["Accept"] = accept
end
local cookie = os.getenv("BENCH_COOKIE")
if cookie and cookie ~= "" then
   wrk.headers["Cookie"] = cookie
end

local threads = {}
local counter = 0

function setup(thread)
   thread:set("tid", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

local prefix = os.getenv("BENCH_TOKEN_FILES")
if prefix and prefix ~= "" then
   local file
   local headers = {Accept = wrk.headers["Accept"]}
   exhausted = 0

   function init(args)
      file = assert(io.open(string.format("%s%02d", prefix, tid), "r"))
   end

   function request()
      local line = file and file:read("*l")
      if line then
         headers["Authorization"] = "Bearer " .. line
      else
         headers["Authorization"] = nil
         exhausted = exhausted + 1
      end
      return wrk.format(nil, nil, headers)
   end
end

-- the summary line, shared with the other wrk script (bench/summary.lua)
dofile(string.match(debug.getinfo(1, "S").source, "^@(.-)[^/]*$") .. "../summary.lua")
done = summary_done(threads, "exhausted")
