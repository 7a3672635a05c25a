#!/usr/bin/env bash
# order_check.sh [RUNS] [CALLS] [SECONDS]: issue 15.1's correctness run.
# RUNS runs of switchboard-bench with CALLS concurrent calls for SECONDS each
# (default 20 x 150 x 30 s: 3,000 calls at 150 concurrent), each against a
# fresh server; every caller and peer byte is matched by offset and hashed per
# 20 ms unit (silence tagged, bench/load_harness.cpp), so a lost, duplicated
# or reordered frame counts. Prints the totals; exits 1 on any fault.
# KEEP=1 keeps each run's work dir (server log, database) under /tmp.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-20}" calls="${2:-150}" secs="${3:-30}"
build="${BUILD:-$here/build/release}"
out="${OUT:-$build/order-check}" # per-run JSON and summaries (not committed)
mkdir -p "$out"
bin="$build/bench/switchboard-bench"
[ -x "$bin" ] || { echo "order_check: build first: $bin is missing" >&2; exit 2; }
total=0 failed=0 lost=0 dup=0 bad=0 reconnects=0
for r in $(seq 1 "$runs"); do
  f="$out/run-$r.json"
  "$bin" --calls "$calls" --duration "$secs" --start-rate 50 ${KEEP:+--keep} --out "$f" >"$out/run-$r.log" 2>&1 || true
  read -r n fc bl bd mu rc < <(python3 - "$f" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t = d["totals"]
print(t["calls"], t["failed_calls"], t["bytes_lost"], t["bytes_duplicated"],
      t["mismatched_units"], t["peer_reconnects"])
PY
)
  total=$((total + n)) failed=$((failed + fc)) lost=$((lost + bl)) dup=$((dup + bd))
  bad=$((bad + mu)) reconnects=$((reconnects + rc))
  echo "run $r: $n calls, $fc failed, $bl bytes lost, $bd duplicated, $mu units mismatched, $rc reconnects"
done
echo "order_check: $runs runs x $calls concurrent: $total calls, $failed failed, $lost bytes lost, $dup duplicated, $bad units mismatched (lost, duplicated or reordered), $reconnects reconnects"
[ "$failed" -eq 0 ] && [ "$lost" -eq 0 ] && [ "$dup" -eq 0 ] && [ "$bad" -eq 0 ]
