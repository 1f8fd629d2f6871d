#!/usr/bin/env bash
# dnsperf against `zonerw serve` and against NSD serving the same zone, in one
# run, on loopback only. Prints queries per second and latency for both.
#
#   bash docs/bench/dnsperf.sh            # from the repository root
#
# Needs go, nsd, dnsperf and dig (apt-get install nsd dnsperf dnsutils).
# Settings (environment):
#   DURATION=10     seconds per dnsperf run
#   CLIENTS=4       dnsperf -c (simulated clients)
#   OUTSTANDING=200 dnsperf -q (queries in flight) for the saturating runs
#   RATE=20000      dnsperf -Q (queries per second) for the fixed-rate runs
#   NSD_SERVERS=2   NSD server-count (zonerw uses every core, GOMAXPROCS)
#   ZONERW_PORT=53531 NSD_PORT=53532   ports on 127.0.0.1
# Each server is started by this script and stopped by its PID.
set -euo pipefail

DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-4}
OUTSTANDING=${OUTSTANDING:-200}
RATE=${RATE:-20000}
NSD_SERVERS=${NSD_SERVERS:-2}
ZONERW_PORT=${ZONERW_PORT:-53531}
NSD_PORT=${NSD_PORT:-53532}
IP=127.0.0.1

cd "$(dirname "$0")/../.."
for tool in go nsd dnsperf dig; do
  command -v "$tool" >/dev/null || { echo "dnsperf.sh: $tool not found (apt-get install nsd dnsperf dnsutils)" >&2; exit 1; }
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

# wait_soa PORT: poll the server's SOA for at most 10 s.
wait_soa() {
  local port=$1 i
  for i in $(seq 100); do
    if dig @"$IP" -p "$port" +short +tries=1 +time=1 example.com SOA | grep -q .; then
      return 0
    fi
    sleep 0.1
  done
  echo "dnsperf.sh: nothing answers on $IP:$port after 10s" >&2
  return 1
}

echo "== building zonerw"
go build -o "$work/zonerw" ./cmd/zonerw

# The zone: the README's example template plus a wildcard. Both targets are
# closed ports, so the service stays on main and the zone does not change.
cat >"$work/example.com.tmpl" <<'EOF'
$ORIGIN example.com.
$TTL 3600
@       IN SOA ns1.example.com. hostmaster.example.com. (
                2012080201 ; @serial number@
                3600 900 1209600 300 )
        IN NS   ns1.example.com.
        IN NS   ns2.example.com.
ns1     IN A    127.0.0.20
ns2     IN A    127.0.0.30
@       300 IN A   @IP@
www     300 IN A   127.0.0.10 ; @IP@
mail    IN MX   10 @
*.dev   300 IN A   127.0.0.40
EOF
cat >"$work/zonerw.yaml" <<EOF
state_dir: state
server:
  listen: ["$IP:$ZONERW_PORT"]
  rate_limit: 0   # like NSD's rrl-ratelimit: 0 below: measure answering, not rate limiting
services:
  - name: web
    every: "@every 1m"
    check: {type: tcp, port: 9, timeout: 1s}
    targets:
      - {name: main, ipv4: 127.0.0.10}
      - {name: backup, ipv4: 127.0.0.20}
zones:
  - name: example.com
    template: example.com.tmpl
    output: example.com.zone
EOF

echo "== starting zonerw serve on $IP:$ZONERW_PORT"
"$work/zonerw" serve -c "$work/zonerw.yaml" --log-level warn 2>"$work/zonerw.log" &
pids+=($!)
wait_soa "$ZONERW_PORT"

# NSD serves the very file zonerw rendered (output: above), without rate
# limiting and, like zonerw, without NS records in every answer's authority.
mkdir -p "$work/nsd"
cp "$work/example.com.zone" "$work/nsd/example.com.zone"
cat >"$work/nsd/nsd.conf" <<EOF
server:
  ip-address: $IP@$NSD_PORT
  username: ""
  chroot: ""
  database: ""
  zonesdir: "$work/nsd"
  zonelistfile: "$work/nsd/zone.list"
  xfrdfile: "$work/nsd/xfrd.state"
  xfrdir: "$work/nsd/xfr"
  pidfile: "$work/nsd/nsd.pid"
  logfile: "$work/nsd/nsd.log"
  server-count: $NSD_SERVERS
  rrl-ratelimit: 0
  minimal-responses: yes
remote-control:
  control-enable: no
zone:
  name: example.com
  zonefile: "example.com.zone"
EOF
echo "== starting nsd on $IP:$NSD_PORT (server-count $NSD_SERVERS)"
nsd -d -c "$work/nsd/nsd.conf" &
pids+=($!)
wait_soa "$NSD_PORT"

# The query mix: existing names, NODATA, NXDOMAIN and wildcard names.
cat >"$work/queries" <<'EOF'
www.example.com A
www.example.com A
www.example.com A
example.com A
example.com SOA
example.com NS
example.com MX
ns1.example.com A
www.example.com AAAA
nosuch.example.com A
gone.example.com AAAA
host1.dev.example.com A
host2.dev.example.com A
EOF

echo "== both servers give the same answers"
while read -r name type; do
  a=$(dig @"$IP" -p "$ZONERW_PORT" +noall +answer +authority +comments "$name" "$type" | grep -E 'status:|IN' | sed 's/id: [0-9]*//' | sort)
  b=$(dig @"$IP" -p "$NSD_PORT" +noall +answer +authority +comments "$name" "$type" | grep -E 'status:|IN' | sed 's/id: [0-9]*//' | sort)
  if [ "$a" != "$b" ]; then
    printf 'dnsperf.sh: %s %s differs\nzonerw:\n%s\nnsd:\n%s\n' "$name" "$type" "$a" "$b" >&2
    exit 1
  fi
done <"$work/queries"

# rcvbuf_errors: the kernel's count of UDP datagrams dropped because a
# socket's receive buffer was full (whole machine, so it is only a hint).
rcvbuf_errors() {
  awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) col[$i] = i; h = 1 } else print $col["RcvbufErrors"] }' /proc/net/snmp
}

# run NAME PORT LABEL ARGS...: one dnsperf run; keeps its output, with
# the receive-buffer drops during the run appended.
run() {
  local name=$1 port=$2 label=$3 before
  shift 3
  before=$(rcvbuf_errors)
  dnsperf -s "$IP" -p "$port" -d "$work/queries" -l "$DURATION" -c "$CLIENTS" "$@" \
    >"$work/$name-$label.out" 2>&1
  echo "UDP receive buffer drops: $(($(rcvbuf_errors) - before))" >>"$work/$name-$label.out"
}

# summary FILE: qps, lost, average/min/max latency and stddev in ms, and
# the kernel's UDP receive-buffer drops during the run.
summary() {
  awk '
    /Queries lost:/         { lost = $3 }
    /Queries per second:/   { qps = $4 }
    /Average Latency/       { gsub(/[(),]/, ""); avg = $4 * 1000; min = $6 * 1000; max = $8 * 1000 }
    /Latency StdDev/        { sd = $4 * 1000 }
    /receive buffer drops:/ { drops = $5 }
    END { printf "%8.0f qps  lost %-4s  latency avg %.3f ms  min %.3f  max %.3f  stddev %.3f  (udp rcvbuf drops %s)\n", qps, lost, avg, min, max, sd, drops }
  ' "$1"
}

echo "== dnsperf: $DURATION s each, -c $CLIENTS, saturating (-q $OUTSTANDING), then fixed rate (-Q $RATE)"
run zonerw "$ZONERW_PORT" max -q "$OUTSTANDING"
run nsd "$NSD_PORT" max -q "$OUTSTANDING"
run zonerw "$ZONERW_PORT" rate -Q "$RATE"
run nsd "$NSD_PORT" rate -Q "$RATE"

echo
echo "saturating (-q $OUTSTANDING):"
printf '  zonerw serve %s\n' "$(summary "$work/zonerw-max.out")"
printf '  nsd          %s\n' "$(summary "$work/nsd-max.out")"
echo "fixed rate (-Q $RATE):"
printf '  zonerw serve %s\n' "$(summary "$work/zonerw-rate.out")"
printf '  nsd          %s\n' "$(summary "$work/nsd-rate.out")"
echo
grep -h 'Response codes' "$work/zonerw-max.out" | sed 's/^ */  zonerw serve /'
grep -h 'Response codes' "$work/nsd-max.out" | sed 's/^ */  nsd          /'
if [ -s "$work/zonerw.log" ]; then
  echo "zonerw serve logged (warn and above):"
  sed 's/^/  /' "$work/zonerw.log"
fi
