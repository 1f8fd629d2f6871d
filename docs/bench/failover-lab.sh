#!/usr/bin/env bash
# From a probe decision to every secondary, on loopback only: `zonerw serve`
# probes a main and a backup web server (HTTP every 1s, rise 1, fall 1); the
# script closes main's port (kills its web server by PID) and opens it again,
# SWITCHES times, and for each switch times, from zonerw's "switch" log line
# (the decision) to:
#   published  zonerw's "zone version made" log line (made and stored)
#   zonerw     zonerw's own answer for www.example.com A
#   nsd, knot, bind   each secondary's answer (NOTIFY, then IXFR)
# For comparison it then reloads a Knot primary (the way the original
# script reloaded NSD: write the zone file, reload) serving example.org to
# the same three secondaries, and times from the start of `knotc
# zone-reload` to each answer. All for zones of 100 and of 100,000 records.
# Every server is polled every millisecond (failoverlab watch). It also
# prints each secondary's CPU time per switch through zonerw.
#
#   bash docs/bench/failover-lab.sh          # from the repository root
#
# Needs go, nsd, knotd and knotc (knot), named (bind9) and dig (dnsutils):
#   apt-get install nsd knot bind9 dnsutils
# Settings (environment):
#   SWITCHES=10          switches per zone size (odd: failover, even: failback)
#   SIZES="100 100000"   records per zone
#   KNOT_PRIMARY=1       0: skip the Knot primary comparison
#   SECONDARIES="nsd knot bind"  the secondaries to start (one alone shows
#                        what it does with the machine to itself)
#   DEADLINE=1200        seconds the whole run may take
#   PORT=53561           first of six ports: zonerw, NSD, Knot, BIND, the
#                        Knot primary, the web servers
#   KEEP=                set to keep the work directory (logs, configs)
#   PERF=                knot, nsd or bind: sample that secondary with perf
#                        (apt-get install linux-perf) during the switches
#                        through zonerw, and split its CPU into the switches
#                        (failoverlab profile). For Debian's Knot 3.2.6 it
#                        also names the functions of its post-IXFR pass
#                        over every node of the zone (see KNOT_ADJUST).
#                        perf follows the threads of the process it is
#                        given, not processes forked later: NSD loads each
#                        transfer in a forked child, which is not counted.
# Everything this script starts is stopped by its PID, also on error or ^C.
set -euo pipefail

SWITCHES=${SWITCHES:-10}
SIZES=${SIZES:-"100 100000"}
KNOT_PRIMARY=${KNOT_PRIMARY:-1}
SECONDARIES=${SECONDARIES-nsd knot bind}
DEADLINE=${DEADLINE:-1200}
PORT=${PORT:-53561}
ZONERW=127.0.0.1:$PORT
NSD=127.0.0.2:$((PORT + 1))
KNOT=127.0.0.3:$((PORT + 2))
BIND=127.0.0.1:$((PORT + 3)) # named binds only addresses on an interface: lo has 127.0.0.1
PRIMARY=127.0.0.4:$((PORT + 4))
WEB_PORT=$((PORT + 5))
MAIN_IP=127.0.0.11
BACKUP_IP=127.0.0.12

[ -n "$SECONDARIES" ] || { echo "failover-lab.sh: SECONDARIES is empty" >&2; exit 2; }
for s in $SECONDARIES; do
  case $s in nsd | knot | bind) ;; *) echo "failover-lab.sh: SECONDARIES: unknown secondary '$s' (nsd, knot, bind)" >&2; exit 2 ;; esac
done

cd "$(dirname "$0")/../.."
for tool in go nsd knotd knotc named dig; do
  command -v "$tool" >/dev/null || { echo "failover-lab.sh: $tool not found (apt-get install nsd knot bind9 dnsutils)" >&2; exit 1; }
done
PERF=${PERF:-}
if [ -n "$PERF" ]; then
  [[ " $SECONDARIES " == *" $PERF "* ]] || { echo "failover-lab.sh: PERF=$PERF is not one of SECONDARIES ($SECONDARIES)" >&2; exit 2; }
  command -v perf >/dev/null || { echo "failover-lab.sh: PERF needs perf (apt-get install linux-perf)" >&2; exit 1; }
fi
# KNOT_ADJUST: where Debian's knotd 3.2.6-1 (amd64, build ID below) has
# the pass Knot makes over every node of a zone after it applies an
# IXFR (zone_adjust_incremental_update calls zone_adjust_contents with
# adjust_cb_flags on the whole tree, one thread). The binary is stripped;
# the ranges are its .eh_frame function bounds (readelf --debug-dump=frames)
# of four functions told apart by their code (objdump -d): the trie's
# recursive walk (0x787a0: branch bit test, popcount of the children,
# recursion, callback), the per-node step (0x61450: the adjust-threads
# modulo, the deleted-node flag test), the flags callback (0x618d0) and
# the per-type rdataset lookup it calls (0x64d10: a loop over the node's
# 32-byte rrset entries comparing the type).
KNOT_BUILD_ID=0786cf6d42e3dbb9db74c0a4a8ce3c4a4649148d
KNOT_ADJUST="walk over every node=787a0-7881c,61450-61533,618d0-61baf,64d10-64d4b"

work=$(mktemp -d)
dir=$work
results=$work/results
cpu=$work/cpu
started=$SECONDS
declare -A pids=() # name -> PID of what this script started

stop() { # stop NAME: by its PID, then wait for it
  local pid=${pids[$1]:-}
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "pids[$1]"
}
stop_all() {
  for name in "${!pids[@]}"; do stop "$name"; done
}
on_exit() {
  stop_all
  if [ -n "${KEEP:-}" ]; then echo "work directory kept: $work"; else rm -rf "$work"; fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM

fail() {
  echo "failover-lab.sh: $*" >&2
  for f in "$dir"/*.log "$dir"/*/*.log; do
    [ -s "$f" ] && { echo "--- end of $f" >&2; tail -n 15 "$f" >&2; }
  done
  exit 1
}

host() { echo "${1%:*}"; }
port() { echo "${1##*:}"; }

addr() { # addr SECONDARY: its address:port
  case $1 in nsd) echo "$NSD" ;; knot) echo "$KNOT" ;; bind) echo "$BIND" ;; esac
}

# servers FIRST: FIRST, then name=address of each started secondary, comma
# separated (failoverlab watch -servers).
servers() {
  local list=$1 s
  for s in $SECONDARIES; do list="$list,$s=$(addr "$s")"; done
  echo "$list"
}

# cpu_ticks PID: the CPU time (utime+stime, clock ticks) of PID and its
# descendants, the living ones and those they reaped (NSD loads each
# transfer in a forked process).
cpu_ticks() {
  local total p
  total=$(awk '{ sub(/.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0)
  for p in $(pgrep -P "$1" || true); do total=$((total + $(cpu_ticks "$p"))); done
  echo "$total"
}

# wait_a SERVER NAME WANT SECONDS: poll until SERVER answers NAME A with WANT.
wait_a() {
  local end=$((SECONDS + $4)) got
  while [ "$SECONDS" -lt "$end" ]; do
    got=$(dig @"$(host "$1")" -p "$(port "$1")" +short +tries=1 +time=1 "$2" A 2>/dev/null || true)
    [ "$got" = "$3" ] && return 0
    sleep 0.05
  done
  fail "$1 does not answer $2 A with $3 after $4 s (it answers '${got:-nothing}')"
}

# wait_tcp IP PORT SECONDS: poll until something accepts connections.
wait_tcp() {
  local end=$((SECONDS + $3))
  while [ "$SECONDS" -lt "$end" ]; do
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0
    sleep 0.02
  done
  fail "nothing listens on $1:$2 after $3 s"
}

start() { # start NAME LOG CMD...: in the background, its output in LOG
  local name=$1 log=$2
  shift 2
  "$@" >"$log" 2>&1 &
  pids[$name]=$!
}

start_main() {
  start web-main "$dir/web-main.log" "$lab" web "$MAIN_IP:$WEB_PORT"
  wait_tcp "$MAIN_IP" "$WEB_PORT" 5
}

# zone_body N ORIGIN WWW: the records after the SOA, N in all with it: two
# NS, their addresses, the apex and www (WWW: the address or zonerw's
# comment form), and host records to make up the count.
zone_body() {
  local n=$1 origin=$2 www=$3
  printf '        IN NS   ns1.%s.\n        IN NS   ns2.%s.\n' "$origin" "$origin"
  printf 'ns1     IN A    127.0.0.53\nns2     IN A    127.0.0.54\n'
  printf '@       300 IN A   %s\nwww     300 IN A   %s\n' "$www" "$www"
  awk -v n="$((n - 7))" 'BEGIN { for (i = 0; i < n; i++)
    printf "host%d 3600 IN A 10.%d.%d.%d\n", i, int(i / 65536) % 256, int(i / 256) % 256, i % 256 }'
}

soa() { # soa ORIGIN SERIAL-TEXT (the serial line, a comment allowed)
  printf '$ORIGIN %s.\n$TTL 3600\n@ IN SOA ns1.%s. hostmaster.%s. (\n        %s\n        3600 900 1209600 300 )\n' "$1" "$1" "$1" "$2"
}

# primary_zone N SERIAL WWW: example.org as the Knot primary serves it.
primary_zone() {
  { soa example.org "$2"; zone_body "$1" example.org "$3"; } >"$dir/primary/example.org.zone.tmp"
  mv "$dir/primary/example.org.zone.tmp" "$dir/primary/example.org.zone"
}

write_configs() { # write_configs N
  local n=$1
  { soa example.com "2012080201 ; @serial number@"; zone_body "$n" example.com "@IP@"; } >"$dir/example.com.tmpl"
  cat >"$dir/zonerw.yaml" <<EOF
state_dir: state
server:
  listen: ["$ZONERW"]
  rate_limit: 0   # the lab polls at 1000 queries a second
services:
  - name: web
    every: "@every 1s"
    check: {type: http, url: "http://{addr}:$WEB_PORT/", timeout: 500ms}
    rise: 1
    fall: 1
    targets:
      - {name: main, ipv4: $MAIN_IP}
      - {name: backup, ipv4: $BACKUP_IP}
zones:
  - name: example.com
    template: example.com.tmpl
    allow_transfer: ["127.0.0.0/8"]
    secondaries:
$(for s in $SECONDARIES; do echo "      - {address: \"$(addr "$s")\"}"; done)
EOF
  mkdir -p "$dir/nsd" "$dir/knot" "$dir/bind" "$dir/primary"
  local org_nsd="" org_knot_remote="" org_knot_zone="" org_bind=""
  if [ "$KNOT_PRIMARY" = 1 ]; then
    org_nsd="zone:
  name: example.org
  zonefile: \"example.org.zone\"
  request-xfr: $(host "$PRIMARY")@$(port "$PRIMARY") NOKEY
  allow-notify: 127.0.0.0/8 NOKEY"
    org_knot_remote="  - id: knot-primary
    address: $(host "$PRIMARY")@$(port "$PRIMARY")"
    org_knot_zone="  - domain: example.org
    master: knot-primary
    acl: notify"
    org_bind="zone \"example.org\" { type secondary; primaries port $(port "$PRIMARY") { $(host "$PRIMARY"); }; allow-notify { 127.0.0.0/8; }; file \"$dir/bind/example.org.db\"; };"
  fi
  # NSD: xfrd-reload-timeout 0 loads a transfer at once (the default waits
  # a second between reloads); rrl-ratelimit 0 lets the polling through.
  cat >"$dir/nsd/nsd.conf" <<EOF
server:
  ip-address: $(host "$NSD")@$(port "$NSD")
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
  xfrd-reload-timeout: 0
remote-control:
  control-enable: no
zone:
  name: example.com
  zonefile: "example.com.zone"
  request-xfr: $(host "$ZONERW")@$(port "$ZONERW") NOKEY
  allow-notify: 127.0.0.0/8 NOKEY
$org_nsd
EOF
  cat >"$dir/knot/knot.conf" <<EOF
server:
  rundir: "$dir/knot"
  listen: $(host "$KNOT")@$(port "$KNOT")
database:
  storage: "$dir/knot"
control:
  listen: "$dir/knot/knot.sock"
log:
  - target: stderr
    any: info
remote:
  - id: zonerw
    address: $(host "$ZONERW")@$(port "$ZONERW")
$org_knot_remote
acl:
  - id: notify
    address: 127.0.0.0/8
    action: notify
template:
  - id: default
    storage: "$dir/knot"
    zonefile-sync: -1
zone:
  - domain: example.com
    master: zonerw
    acl: notify
$org_knot_zone
EOF
  cat >"$dir/bind/named.conf" <<EOF
options {
  directory "$dir/bind";
  pid-file "$dir/bind/named.pid";
  session-keyfile "$dir/bind/session.key";
  managed-keys-directory "$dir/bind";
  listen-on port $(port "$BIND") { $(host "$BIND"); };
  listen-on-v6 { none; };
  recursion no;
  notify no;
  dnssec-validation no;
  allow-query { any; };
};
controls { };
zone "example.com" { type secondary; primaries port $(port "$ZONERW") { $(host "$ZONERW"); }; allow-notify { 127.0.0.0/8; }; file "$dir/bind/example.com.db"; };
$org_bind
EOF
  # The Knot primary: the zone file is the truth; a reload loads the
  # difference (zonefile-load: difference), so the secondaries get IXFR.
  cat >"$dir/primary/knot.conf" <<EOF
server:
  rundir: "$dir/primary"
  listen: $(host "$PRIMARY")@$(port "$PRIMARY")
database:
  storage: "$dir/primary"
control:
  listen: "$dir/primary/knot.sock"
log:
  - target: stderr
    any: info
remote:
  - id: nsd
    address: $(host "$NSD")@$(port "$NSD")
  - id: knot
    address: $(host "$KNOT")@$(port "$KNOT")
  - id: bind
    address: $(host "$BIND")@$(port "$BIND")
acl:
  - id: transfer
    address: 127.0.0.0/8
    action: transfer
template:
  - id: default
    storage: "$dir/primary"
    zonefile-sync: -1
    zonefile-load: difference
    journal-content: changes
zone:
  - domain: example.org
    file: "$dir/primary/example.org.zone"
    notify: [nsd, knot, bind]
    acl: transfer
EOF
}

# switch LABEL FROM WANT NAME SERVERS ACTION...: one timed switch. The
# watcher waits until every server answers FROM, starts polling and makes
# a ready file; then ACTION runs (close or open main's port); the watcher
# prints the line with the times.
switch() {
  local label=$1 from=$2 want=$3 name=$4 servers=$5 offset watcher end
  shift 5
  offset=$(stat -c %s "$dir/zonerw.log")
  rm -f "$dir/ready"
  "$lab" watch -label "$label" -log "$dir/zonerw.log" -offset "$offset" -name "$name" \
    -from "$from" -want "$want" -servers "$servers" -ready "$dir/ready" -timeout 30s >>"$results" &
  watcher=$!
  end=$((SECONDS + 30))
  until [ -e "$dir/ready" ]; do
    kill -0 "$watcher" 2>/dev/null || { wait "$watcher" || true; fail "the watcher of $label stopped before it was ready"; }
    [ "$SECONDS" -lt "$end" ] || { kill "$watcher"; fail "the watcher of $label not ready after 30 s"; }
    sleep 0.01
  done
  "$@"
  wait "$watcher" || fail "switch $label: not every server answered $want"
}

close_main() { stop web-main; }

# knot_switch LABEL N SERIAL FROM WANT: rewrite the Knot primary's zone file
# and reload it; the decision is the start of knotc.
knot_switch() {
  primary_zone "$2" "$3" "$5"
  "$lab" watch -label "$1" -run "knotc -c $dir/primary/knot.conf zone-reload example.org" -name www.example.org \
    -from "$4" -want "$5" -servers "$(servers "primary=$PRIMARY")" -timeout 30s >>"$results" ||
    fail "knot switch $1: not every server answered $5"
}

within_deadline() {
  [ $((SECONDS - started)) -lt "$DEADLINE" ] || fail "the run took more than DEADLINE=$DEADLINE s; stopping"
}

# profile_switches N: the perf recording of $PERF over the switches of
# size N, split into them.
profile_switches() {
  local fn=() bin
  bin=$(command -v "$(case $PERF in knot) echo knotd ;; nsd) echo nsd ;; bind) echo named ;; esac)")
  bin=$(readlink -f "$bin")
  if [ "$PERF" = knot ] && readelf -n "$bin" | grep -q "Build ID: $KNOT_BUILD_ID"; then
    fn=(-fn "$KNOT_ADJUST")
  fi
  grep "^label=zonerw-$1 " "$results" >"$dir/switches"
  echo "== $1 records: $PERF's CPU from each decision to its answer (perf, ms):" | tee -a "$work/profile"
  perf script -i "$dir/perf.data" -F time,ip,dso --show-mmap-events 2>/dev/null |
    "$lab" profile -results "$dir/switches" -server "$PERF" -binary "$bin" "${fn[@]}" | tee -a "$work/profile"
}

run_size() { # run_size N: everything started afresh for a zone of N records
  local n=$1 i from want
  dir=$work/$n
  mkdir -p "$dir"
  write_configs "$n"
  echo "== $n records: starting the web servers, zonerw serve, the secondaries"
  start web-backup "$dir/web-backup.log" "$lab" web "$BACKUP_IP:$WEB_PORT"
  wait_tcp "$BACKUP_IP" "$WEB_PORT" 5
  start_main
  (cd "$dir" && exec "$zonerw" serve -c zonerw.yaml --log-format json) 2>"$dir/zonerw.log" &
  pids[zonerw]=$!
  wait_a "$ZONERW" www.example.com "$MAIN_IP" 60
  if [ "$KNOT_PRIMARY" = 1 ]; then
    primary_zone "$n" 1 "$MAIN_IP"
    start knot-primary "$dir/primary/output.log" knotd -c "$dir/primary/knot.conf"
    wait_a "$PRIMARY" www.example.org "$MAIN_IP" 60
  fi
  local s
  for s in $SECONDARIES; do
    case $s in
      nsd) start nsd "$dir/nsd/output.log" nsd -d -c "$dir/nsd/nsd.conf" ;;
      knot) start knot "$dir/knot/output.log" knotd -c "$dir/knot/knot.conf" ;;
      bind) start bind "$dir/bind/output.log" named -g -n 1 -c "$dir/bind/named.conf" ;;
    esac
  done
  for s in $SECONDARIES; do
    wait_a "$(addr "$s")" www.example.com "$MAIN_IP" 120
    if [ "$KNOT_PRIMARY" = 1 ]; then wait_a "$(addr "$s")" www.example.org "$MAIN_IP" 120; fi
  done
  # Knot refreshes a zone at most once a second: traced (strace -f -tt),
  # a NOTIFY 0.55 s after its first transfer began started the refresh
  # only at 1.00 s. So the first switch waits for the second to pass, as
  # the later ones do by the sleep after each switch.
  sleep 1.5

  echo "== $n records: $SWITCHES switches through zonerw serve"
  local servers
  servers=$(servers "zonerw=$ZONERW")
  local -A ticks=()
  for s in $SECONDARIES; do ticks[$s]=$(cpu_ticks "${pids[$s]}"); done
  local perfpid=""
  if [ -n "$PERF" ]; then
    perf record -q -k CLOCK_REALTIME -e cpu-clock -F 4000 -p "${pids[$PERF]}" -o "$dir/perf.data" 2>"$dir/perf.log" &
    perfpid=$!
    pids[perf]=$perfpid
    sleep 0.5 # perf attaches to every thread first
  fi
  for i in $(seq "$SWITCHES"); do
    within_deadline
    if [ $((i % 2)) = 1 ]; then
      switch "zonerw-$n" "$MAIN_IP" "$BACKUP_IP" www.example.com "$servers" close_main
    else
      switch "zonerw-$n" "$BACKUP_IP" "$MAIN_IP" www.example.com "$servers" start_main
    fi
    tail -n 1 "$results"
    sleep 1 # let the secondaries finish what follows a transfer
  done
  if [ -n "$perfpid" ]; then
    kill -INT "$perfpid"
    wait "$perfpid" || true
    unset "pids[perf]"
    profile_switches "$n"
  fi
  # Each secondary's CPU time over those switches (the transfers, loading
  # them, answering the polls, and what it does idle), per switch.
  for s in $SECONDARIES; do
    awk -v n="$n" -v s="$s" -v t=$(($(cpu_ticks "${pids[$s]}") - ticks[$s])) -v hz="$(getconf CLK_TCK)" -v k="$SWITCHES" \
      'BEGIN { printf "cpu label=zonerw-%s server=%s ms_per_switch=%.1f\n", n, s, t * 1000 / hz / k }' | tee -a "$cpu"
  done
  if [ "$KNOT_PRIMARY" = 1 ]; then
    echo "== $n records: $SWITCHES reloads of the Knot primary"
    for i in $(seq "$SWITCHES"); do
      within_deadline
      from=$MAIN_IP want=$BACKUP_IP
      [ $((i % 2)) = 1 ] || { from=$BACKUP_IP want=$MAIN_IP; }
      knot_switch "knot-primary-$n" "$n" "$((i + 1))" "$from" "$want"
      tail -n 1 "$results"
      sleep 1
    done
  fi
  stop_all
}

echo "== $(nsd -v 2>&1 | head -n 1), $(knotd -V | head -n 1), $(named -v), $(go version | cut -d' ' -f3)"
echo "== load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== building zonerw and failoverlab"
go build -o "$work/zonerw" ./cmd/zonerw
go build -o "$work/failoverlab" ./docs/bench/failoverlab
zonerw=$work/zonerw lab=$work/failoverlab
for n in $SIZES; do run_size "$n"; done

echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "decision -> answer, milliseconds (zonerw-N: from zonerw's switch log line; knot-primary-N: from the start of knotc zone-reload)"
"$lab" summary "$results"
echo
echo "each secondary's CPU time in the switches through zonerw, per switch (utime+stime of its processes):"
awk '{ sub(/label=/, "", $2); sub(/server=/, "", $3); sub(/ms_per_switch=/, "", $4); printf "  %15s %6s %6.1f ms\n", $2, $3, $4 }' "$cpu"
if [ -n "$PERF" ]; then
  echo
  echo "$PERF's CPU from each decision to its answer, by where it ran (perf cpu-clock samples):"
  grep -e "^==" -e "switches:" -e "ms per switch" "$work/profile"
fi
