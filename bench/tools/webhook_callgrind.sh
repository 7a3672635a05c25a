#!/usr/bin/env bash
# Instructions and simulated cache misses per webhook, counted by callgrind:
# a figure that does not move with the VM's noise (bench/RESULTS.md), for
# comparing two builds of the webhook path.
#
#   bash bench/tools/webhook_callgrind.sh BUILD/app/switchboard [WORK_DIR]
#
# Starts the server under valgrind --tool=callgrind (cache simulation, one
# profile per thread), warms it with 3 s of signed webhooks, zeroes the
# counters, sends 20 s of webhooks with wrk (10 connections, ~100 req/s
# under valgrind), dumps and prints per-request figures for all threads and
# for the busiest (the io thread). Needs valgrind, wrk, curl, python3.
set -euo pipefail
bin=$(realpath "$1")
work=${2:-$(mktemp -d)}
mkdir -p "$work"
port=${PORT:-38112}
cat > "$work/config.toml" <<TOML
[server]
bind_address = "127.0.0.1"
io_threads = 1
read_timeout_ms = 60000
[twilio]
validate_signatures = true
stream_attach_timeout_ms = 60000
[openai]
# Plain and refused at once: no TLS store to load, the call stays up retrying.
realtime_url = "ws://127.0.0.1:9/v1/realtime?model=gpt-realtime"
[notifier]
poll_interval_ms = 1000
TOML
export PORT=$port SERVER_PUBLIC_URL=https://switchboard.bench.invalid TWILIO_AUTH_TOKEN=tok \
  OPENAI_API_KEY=x SWITCHBOARD_DB="$work/bench.db" SWITCHBOARD_LOG_LEVEL=error
"$bin" --config "$work/config.toml" tenants add --number +15559990000 --name B --greeting Hi >/dev/null
valgrind --tool=callgrind --cache-sim=yes --separate-threads=yes \
  --callgrind-out-file="$work/cg.out" "$bin" --config "$work/config.toml" serve >/dev/null 2>"$work/server.log" &
pid=$!
for _ in $(seq 1 150); do
  curl -s -o /dev/null "http://127.0.0.1:$port/telephony/realtime-health" && break
  sleep 0.2
done
# The signature is HMAC-SHA1 (token "tok") of the public URL + sorted params.
cat > "$work/webhook.lua" <<LUA
wrk.method = "POST"
wrk.body = "CallSid=CA77777777777777777777777777777777&AccountSid=AC00000000000000000000000000000000&From=%2B15550009999&To=%2B15559990000&CallStatus=ringing&Direction=inbound"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["X-Twilio-Signature"] = "lP8zcRX0To3MYa8zHIRxGHcbpYc="
function delay() return 100 end
LUA
url="http://127.0.0.1:$port/telephony/realtime-inbound-voice"
wrk -t1 -c10 -d3s -s "$work/webhook.lua" "$url" >/dev/null
callgrind_control -z "$pid" >/dev/null 2>&1
wrk -t1 -c10 -d20s -s "$work/webhook.lua" "$url" > "$work/wrk.txt"
callgrind_control -d "$pid" >/dev/null 2>&1
kill -INT "$pid"
wait "$pid" 2>/dev/null || true
grep -q "Non-2xx" "$work/wrk.txt" && { echo "some webhooks were refused: $work/wrk.txt" >&2; exit 1; }
python3 - "$work" <<'PY'
import glob, re, sys
work = sys.argv[1]
reqs = int(re.search(r"(\d+) requests in", open(work + "/wrk.txt").read()).group(1))
rows = []
for f in sorted(glob.glob(work + "/cg.out.1-*")):
    for line in open(f):
        if line.startswith(("summary:", "totals:")):
            v = [int(x) for x in line.split()[1:]] + [0] * 9
            rows.append((f[-2:], v[:9]))
            break
total = [sum(r[1][i] for r in rows) for i in range(9)]
io = max(rows, key=lambda r: r[1][0])
def fmt(v): return f"Ir {v[0]/reqs:.0f}, I1 misses {v[3]/reqs:.0f}, D1 read misses {v[4]/reqs:.0f}"
print(f"{reqs} webhooks; per webhook: all threads {fmt(total)}; io thread (#{io[0]}) {fmt(io[1])}")
PY
echo "profiles: $work/cg.out.1-* (callgrind_annotate)"
