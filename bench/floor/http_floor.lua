-- wrk pacing for switchboard-http-floor, as bench/webhook_check.cpp paces the
-- webhook check: a form POST of about the same size, 10 connections x one
-- request per 20 ms = 500 requests/s.
-- PACING=fixed makes every wait 20 ms (the connections stay in step); by
-- default each wait is drawn from 10..30 ms (switchboard-bench
-- --webhook-pacing random).
-- PACING=random wrk -t1 -c10 -d30s --latency -s bench/floor/http_floor.lua http://127.0.0.1:PORT/
wrk.method = "POST"
wrk.body = string.rep("Param=value&", 40)
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
if os.getenv("PACING") == "fixed" then
  function delay() return 20 end
else
  function delay() return math.random(10, 30) end
end
