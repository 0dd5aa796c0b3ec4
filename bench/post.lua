-- wrk script of bench/run.sh: a form POST with client_secret_basic (RFC 6749 §2.3.1), and a summary line at the end.
--   BENCH_BASIC          base64(client_id ":" client_secret); run.sh sets it per client
--   BENCH_BODY           the form (default grant_type=client_credentials, RFC 6749 §4.4.2); a static request
--   BENCH_METHOD         GET sends no body and no credentials (the "floor" workload: GET /jwks); default POST
--   BENCH_REFRESH_FILES  a prefix: thread i reads PREFIX<i> (two digits, as `split -d` names them), one refresh
--                        token per line, each of its own family, at least as many as the thread's connections.
--                        Each request takes one token (grant_type=refresh_token, RFC 6749 §6) and each answer
--                        gives back the rotated one, so a connection always has a fresh token; a failed answer
--                        loses its token (when none is left the request carries an empty one and is counted
--                        in non2xx and in "starved")
-- done() prints one line run.sh parses (latencies in µs, wrk's own histogram):
--   summary requests N non2xx N errors N starved N p50 US p90 US p99 US p99.9 US max US
wrk.method = os.getenv("BENCH_METHOD") or "POST"
if wrk.method == "POST" then
   wrk.body = os.getenv("BENCH_BODY") or "grant_type=client_credentials"
   wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
   wrk.headers["Authorization"] = "Basic " .. os.getenv("BENCH_BASIC")
end

local threads = {}
local counter = 0

function setup(thread)
   thread:set("tid", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

local prefix = os.getenv("BENCH_REFRESH_FILES")
if prefix and prefix ~= "" then
   local tokens = {}
   starved = 0

   function init(args)
      for line in io.lines(string.format("%s%02d", prefix, tid)) do
         if line ~= "" then table.insert(tokens, line) end
      end
   end

   function request()
      local token = table.remove(tokens, 1)
      if not token then
         starved = starved + 1
         token = ""
      end
      return wrk.format(nil, nil, nil, "grant_type=refresh_token&refresh_token=" .. token)
   end

   function response(status, headers, body)
      local token = body and string.match(body, '"refresh_token"%s*:%s*"([^"]+)"')
      if status == 200 and token then table.insert(tokens, token) end
   end
end

-- the summary line, shared with the other wrk script (bench/summary.lua)
dofile(string.match(debug.getinfo(1, "S").source, "^@(.-)[^/]*$") .. "summary.lua")
done = summary_done(threads, "starved")
