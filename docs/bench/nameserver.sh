#!/usr/bin/env bash
# zonerw serve, NSD and Knot as authoritative servers, side by side in one
# run on loopback: server CPU per query, qps and latency (saturating and at
# a fixed rate), then load time and memory for big zones.
#
#   bash docs/bench/nameserver.sh          # from the repository root
#
# Each server is pinned to CPU 0 (zonerw then has one UDP socket, NSD
# with one server process, Knot with one UDP worker) and dnsperf to CPU 1;
# the servers take turns, ROUNDS times. Server CPU is utime+stime from
# /proc/PID/stat (children included for NSD, which forks), over the
# queries dnsperf got answers to. Needs go, nsd, knotd, dnsperf, dig and
# taskset (apt-get install nsd knot knot-dnsutils dnsperf dnsutils
# util-linux). Everything listens on 127.0.0.1 and is stopped by its PID.
#
# Settings (environment):
#   DURATION=8      seconds per dnsperf run
#   ROUNDS=3        turns of the three servers
#   OUTSTANDING=100 dnsperf -q for the saturating runs
#   RATE=20000      dnsperf -Q for the fixed-rate runs
#   SIZES="100000 1000000"  records of the big zones ("" skips them)
set -euo pipefail

DURATION=${DURATION:-8}
ROUNDS=${ROUNDS:-3}
OUTSTANDING=${OUTSTANDING:-100}
RATE=${RATE:-20000}
SIZES=${SIZES-100000 1000000}
IP=127.0.0.1
PORT_ZONERW=53541 PORT_NSD=53542 PORT_KNOT=53543

cd "$(dirname "$0")/../.."
for tool in go nsd knotd dnsperf dig taskset; do
  command -v "$tool" >/dev/null || { echo "nameserver.sh: $tool not found" >&2; exit 1; }
done
work=$(mktemp -d)
pids=()
stop_all() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap stop_all EXIT
go build -o "$work/zonerw" ./cmd/zonerw

# wait_soa PORT SECONDS: poll until the zone's SOA is answered; sets secs
# to the seconds it took (10 ms polling).
wait_soa() {
  local port=$1 limit=$2 start now
  start=$(date +%s.%N)
  while ! dig @"$IP" -p "$port" +short +tries=1 +time=1 example.com SOA 2>/dev/null | grep -q hostmaster; do
    now=$(date +%s.%N)
    if awk -v s="$start" -v n="$now" -v l="$limit" 'BEGIN { exit !(n - s > l) }'; then
      echo "nameserver.sh: nothing answers on $IP:$port after ${limit}s" >&2
      return 1
    fi
    sleep 0.01
  done
  now=$(date +%s.%N)
  secs=$(awk -v s="$start" -v n="$now" 'BEGIN { printf "%.2f", n - s }')
}

# tree PID: PID and all its descendants (NSD forks twice).
tree() {
  local p
  echo "$1"
  for p in $(pgrep -P "$1" || true); do tree "$p"; done
}

# cpu_ticks PID: utime+stime of PID and its descendants, in clock ticks.
cpu_ticks() {
  local total=0 p
  for p in $(tree "$1"); do
    [ -r "/proc/$p/stat" ] || continue
    total=$((total + $(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$p/stat")))
  done
  echo "$total"
}

# switches PID: the context switches (voluntary or not) of every thread of
# PID and its descendants. At a fixed rate nearly all are a server
# sleeping when its queue is empty and being woken by the next query.
switches() {
  local total=0 p
  for p in $(tree "$1"); do
    total=$((total + $(cat /proc/"$p"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { n += $2 } END { print n + 0 }')))
  done
  echo "$total"
}

# rss_kb PID: memory of PID and its descendants, in kB: their
# proportional set size (Pss), so that the pages NSD's forked processes
# share are counted once.
rss_kb() {
  local total=0 p
  for p in $(tree "$1"); do
    [ -r "/proc/$p/smaps_rollup" ] || continue
    total=$((total + $(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup")))
  done
  echo "$total"
}

# zone_template N: the zone of N records zonerw renders (one marker record).
zone_template() {
  awk -v n="$1" 'BEGIN {
    print "$ORIGIN example.com.\n$TTL 3600"
    print "@ IN SOA ns1.example.com. hostmaster.example.com. ( 2012080201 ; @serial number@"
    print "    3600 900 1209600 300 )"
    print "  IN NS ns1.example.com.\n  IN NS ns2.example.com."
    print "ns1 IN A 127.0.0.20\nns2 IN A 127.0.0.30\n@ 300 IN A 127.0.0.10 ; @IP@\nwww 300 IN A 127.0.0.10 ; @IP@"
    print "mail IN A 127.0.0.25\nftp IN A 127.0.0.26"
    for (i = 0; i < n - 11; i++) printf "h%d IN A 10.%d.%d.%d\n", i, int(i / 65536) % 256, int(i / 256) % 256, i % 256
  }'
}

# setup DIR N: configs for the three servers serving the same zone of N
# records (zonerw renders it; NSD and Knot load zonerw's rendering).
setup() {
  local dir=$1 n=$2
  mkdir -p "$dir/zonerw" "$dir/nsd" "$dir/knot"
  zone_template "$n" >"$dir/zonerw/example.com.tmpl"
  cat >"$dir/zonerw/zonerw.yaml" <<EOF
state_dir: state
server:
  listen: ["$IP:$PORT_ZONERW"]
  rate_limit: 0   # as NSD's rrl-ratelimit: 0 and Knot without rrl: measure answering
services:
  - name: web
    every: "@every 1h"
    check: {type: tcp, port: 9, timeout: 1s}
    targets:
      - {name: main, ipv4: 127.0.0.10}
      - {name: backup, ipv4: 127.0.0.11}
zones:
  - {name: example.com, template: example.com.tmpl, output: example.com.zone}
EOF
  "$work/zonerw" check -c "$dir/zonerw/zonerw.yaml" >/dev/null # validates
  "$work/zonerw" -q -c "$dir/zonerw/zonerw.yaml" || true       # renders the zone file
  cp "$dir/zonerw/example.com.zone" "$dir/nsd/example.com.zone"
  cp "$dir/zonerw/example.com.zone" "$dir/knot/example.com.zone"
  rm -rf "$dir/zonerw/state" # zonerw serve loads from the template, as the others from text
  # and without the output file: with one and no state, a start also reads
  # it whole, to learn which target the names pointed at (measured apart).
  sed 's/, output: example.com.zone//' "$dir/zonerw/zonerw.yaml" >"$dir/zonerw/serve.yaml"
  cat >"$dir/nsd/nsd.conf" <<EOF
server:
  ip-address: $IP@$PORT_NSD
  username: ""
  chroot: ""
  database: ""
  zonesdir: "$dir/nsd"
  zonelistfile: "$dir/nsd/zone.list"
  xfrdfile: "$dir/nsd/xfrd.state"
  xfrdir: "$dir/nsd/xfr"
  pidfile: "$dir/nsd/nsd.pid"
  logfile: "$dir/nsd/nsd.log"
  server-count: 1
  rrl-ratelimit: 0
  minimal-responses: yes
remote-control:
  control-enable: no
zone:
  name: example.com
  zonefile: "example.com.zone"
EOF
  cat >"$dir/knot/knot.conf" <<EOF
server:
  rundir: "$dir/knot"
  listen: $IP@$PORT_KNOT
  udp-workers: 1
  tcp-workers: 1
  background-workers: 1
database:
  storage: "$dir/knot"
control:
  listen: "$dir/knot/knot.sock"
template:
  - id: default
    storage: "$dir/knot"
    zonefile-sync: -1
    journal-content: none
zone:
  - domain: example.com
    file: "$dir/knot/example.com.zone"
EOF
}

# start NAME DIR: starts one server pinned to CPU 0; sets pid, and secs to
# the seconds until it answers the zone. (Not to be called in $(...): the
# server would hold the substitution's pipe open.)
start() {
  local name=$1 dir=$2
  case $name in
    zonerw) (cd "$dir/zonerw" && exec taskset -c 0 "$work/zonerw" serve -c "${ZONERW_CONFIG:-serve.yaml}" --log-level warn >/dev/null 2>>"$dir/zonerw/log") & ;;
    nsd) taskset -c 0 nsd -d -c "$dir/nsd/nsd.conf" >/dev/null 2>>"$dir/nsd/log" & ;;
    knot) taskset -c 0 knotd -c "$dir/knot/knot.conf" >/dev/null 2>>"$dir/knot/log" & ;;
  esac
  pid=$!
  pids+=("$pid")
  wait_soa "$(port "$name")" 300
}

stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

port() {
  case $1 in zonerw) echo $PORT_ZONERW ;; nsd) echo $PORT_NSD ;; knot) echo $PORT_KNOT ;; esac
}

# The query mix: 80 % A answers, 10 % NXDOMAIN, 10 % SOA.
cat >"$work/queries" <<'EOF'
www.example.com A
ns1.example.com A
example.com A
mail.example.com A
www.example.com A
ns2.example.com A
ftp.example.com A
www.example.com A
nosuch.example.com A
example.com SOA
EOF

# perf NAME MODE ARGS...: one dnsperf run against NAME (running as $pid);
# prints "qps avg_latency_ms cpu_us_per_query switches_per_query
# cpu_us_per_switch".
perf() {
  local name=$1 mode=$2 before after cs_before cs_after out
  shift 2
  before=$(cpu_ticks "$pid")
  cs_before=$(switches "$pid")
  out=$(taskset -c 1 dnsperf -s "$IP" -p "$(port "$name")" -d "$work/queries" -l "$DURATION" -c 1 "$@" 2>&1)
  after=$(cpu_ticks "$pid")
  cs_after=$(switches "$pid")
  echo "$out" | awk -v ticks=$((after - before)) -v cs=$((cs_after - cs_before)) -v hz="$(getconf CLK_TCK)" '
    /Queries completed:/  { done = $3 }
    /Queries per second:/ { qps = $4 }
    /Average Latency/     { avg = $4 * 1000 }
    END { cpu = ticks / hz * 1e6; printf "%.0f %.3f %.2f %.3f %.1f\n", qps, avg, cpu / done, cs / done, cs ? cpu / cs : 0 }'
}

if [ "$ROUNDS" -gt 0 ]; then
echo "== query path: $ROUNDS rounds, $DURATION s per run, saturating (-q $OUTSTANDING) and fixed rate (-Q $RATE)"
setup "$work/small" 11
for name in zonerw nsd knot; do
  start "$name" "$work/small"
  stop "$pid"
done
results="$work/results"
: >"$results"
for round in $(seq "$ROUNDS"); do
  for name in zonerw nsd knot; do
    start "$name" "$work/small"
    echo "$name max $(perf "$name" max -q "$OUTSTANDING")" >>"$results"
    echo "$name rate $(perf "$name" rate -Q "$RATE")" >>"$results"
    stop "$pid"
  done
done
echo
echo "per server, median over $ROUNDS rounds (qps, average latency, server CPU per query;"
echo "context switches per query, and server CPU per context switch):"
for mode in max rate; do
  for name in zonerw nsd knot; do
    awk -v n="$name" -v m="$mode" '$1 == n && $2 == m { q[++k] = $3; l[k] = $4; c[k] = $5; w[k] = $6; p[k] = $7 }
      function med(a, k,   i, j, t) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int((k + 1) / 2)] }
      END { printf "  %-4s %-6s %8.0f qps  %7.3f ms  %6.2f us/query CPU  %5.3f switches/query  %5.1f us/switch\n", m, n, med(q, k), med(l, k), med(c, k), med(w, k), med(p, k) }' "$results"
  done
done
fi

for n in $SIZES; do
  echo
  echo "== load: a zone of $n records"
  setup "$work/z$n" "$n"
  for name in zonerw nsd knot; do
    start "$name" "$work/z$n"
    sleep 2
    echo "  $name: answers after ${secs}s, memory $(($(rss_kb "$pid") / 1024)) MB ($(($(rss_kb "$pid") * 1024 / n)) bytes/record)"
    stop "$pid"
  done
  start zonerw "$work/z$n"
  echo "  zonerw restarted with its stored version: answers after ${secs}s"
  stop "$pid"
  rm -rf "$work/z$n/zonerw/state"
  ZONERW_CONFIG=zonerw.yaml start zonerw "$work/z$n"
  echo "  zonerw started with no state but an output file it reads first: answers after ${secs}s"
  stop "$pid"
done
