-- The one summary line of bench/run.sh's and bench/gateway.sh's wrk scripts (they parse it):
--   summary requests N non2xx N errors N <label> N p50 US p90 US p99 US p99.9 US max US
-- <label> N sums the per-thread count of that name (requests that found no token left); latencies in µs.
-- Loaded with dofile() by a wrk script, which then sets: done = summary_done(threads, "<label>")
function summary_done(threads, label)
   return function(summary, latency, requests)
      local short = 0
      for _, thread in ipairs(threads) do
         short = short + (thread:get(label) or 0)
      end
      local e = summary.errors
      io.write(string.format("summary requests %d non2xx %d errors %d %s %d p50 %d p90 %d p99 %d p99.9 %d max %d\n",
         summary.requests, e.status, e.connect + e.read + e.write + e.timeout, label, short,
         latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max))
   end
end
