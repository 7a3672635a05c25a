#!/usr/bin/env bash
# user/system CPU of the floor's relay and the server's threads over 10 s at 100 bursty calls
# (bench/RESULTS.md, "what a frame costs"); it runs from the repository root.
cd "$(dirname "$0")/../../.." # the repository root
snap() { for p in "$@"; do for t in /proc/$p/task/*; do echo "$p/$(basename $t) $(cat $t/comm) $(awk '{print $14, $15}' $t/stat)"; done; done; }
diffsnap() { join <(sort $1) <(sort $2) | awk '{du=$6-$3; ds=$7-$4; if (du+ds>0) {print $1, $2, "user", du*10, "ms sys", ds*10, "ms"; U+=du; S+=ds}} END {print "total user", U*10, "ms sys", S*10, "ms"}'; }
build/release/bench/floor/switchboard-floor --calls 100 --burst 20 --duration 20 --warmup 2 > ${TMPDIR:-/tmp}/usersys-us-floor.txt 2>&1 &
sleep 6; P=$(pgrep -f "switchboard-floor --calls" | sort -n | tail -1)
snap $P > ${TMPDIR:-/tmp}/usersys-f0; sleep 10; snap $P > ${TMPDIR:-/tmp}/usersys-f1; wait
echo "floor relay (pid $P):"; diffsnap ${TMPDIR:-/tmp}/usersys-f0 ${TMPDIR:-/tmp}/usersys-f1
build/release/bench/switchboard-bench --switchboard build/release/app/switchboard --calls 100 --duration 30 --bursty --out ${TMPDIR:-/tmp}/usersys-us-server.json > ${TMPDIR:-/tmp}/usersys-us-server.txt 2>&1 &
sleep 14; P=$(pgrep -f "app/switchboard --config" | head -1)
snap $P > ${TMPDIR:-/tmp}/usersys-s0; sleep 10; snap $P > ${TMPDIR:-/tmp}/usersys-s1; wait
echo "server (pid $P):"; diffsnap ${TMPDIR:-/tmp}/usersys-s0 ${TMPDIR:-/tmp}/usersys-s1
grep -h "down p50\|server .*CPU" ${TMPDIR:-/tmp}/usersys-us-server.txt | cut -c1-120
grep -h "relay cpu\|CPU\|cpu" ${TMPDIR:-/tmp}/usersys-us-floor.txt | head -5
