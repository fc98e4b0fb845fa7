#!/usr/bin/env bash
# capacity.sh - mtad's capacity: idle connections held, acceptance latency.
#
# Usage (as root, on the machine to measure; nothing else should run):
#   bench/capacity.sh [idle] [latency]       default: both
#
#   idle     smtp-idle.py opens IDLE connections to mtad (IN_FLIGHT
#            connecting at a time), reads every greeting and holds them
#            all; meanwhile this script sums the resident memory of
#            mtad's processes and reads the kernel's (Slab, MemAvailable
#            in /proc/meminfo, TCP buffer pages in /proc/net/sockstat),
#            once before and once while holding. Then QUIT on all.
#            Target: under 64 KiB of mtad memory per connection, none
#            refused.
#   latency  smtp-latency.py sends 4 KiB messages, one recipient, at a
#            fixed open-loop RATE for DURATION seconds (after a 2 s
#            warm-up); mtad relays them to smtp-sink. Prints the
#            acceptance latency ("." to 250) and connect-to-250
#            percentiles. Target: acceptance p99 under 50 ms at half of
#            the peak load (peak plain is about 800 msg/s here).
#
# Environment:
#   IDLE=10000        connections to hold
#   IN_FLIGHT=500     connects (with greeting) in progress at a time
#   RATE=400          messages per second, latency part
#   DURATION=30       measured seconds, latency part
#   SESSIONS=         client sessions (default: 500 with PER_CONN=1, else 100)
#   PER_CONN=1        messages per connection (1 = a new connection each)
#   PIPELINING=1      0 = MAIL, RCPT, DATA one at a time, not in one write
#   BUILD=_build-bench  build directory (optimised, no sanitizers)
#
# Ports are picked free at run time on 127.0.0.1. mtad runs as bench.sh
# runs it: one listener process, one delivery process, client DNS
# lookups that fail at once, an SMTP route to the sink, the spool on
# /var/tmp. Every line to keep starts with "RESULT".
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
IDLE=${IDLE:-10000}
IN_FLIGHT=${IN_FLIGHT:-500}
RATE=${RATE:-400}
DURATION=${DURATION:-30}
PER_CONN=${PER_CONN:-1}
PIPELINING=${PIPELINING:-1}
SESSIONS=${SESSIONS:-}
BUILD=${BUILD:-_build-bench}
PY=/usr/bin/python3
PARTS=("$@")
[ ${#PARTS[@]} -gt 0 ] || PARTS=(idle latency)

die() { echo "capacity: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (smtp-sink and the fd limit need it)"
for p in "${PARTS[@]}"; do
	case $p in idle | latency) ;; *) die "unknown part: $p" ;; esac
done

# ---------------------------------------------------------------- build
# shellcheck source=bench/build.sh
. "$HERE/build.sh"
bench_build "$TOP" "$BUILD"

# Both ends of every idle connection live in this shell's children.
[ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -gt $((IDLE + 100)) ] \
    || ulimit -Hn $((IDLE + 1000)) 2>/dev/null \
    || die "hard descriptor limit $(ulimit -Hn) is too low for" \
    "IDLE=$IDLE and cannot be raised here"
ulimit -n "$(ulimit -Hn)"

WORK=$(mktemp -d /var/tmp/mtad-capacity.XXXXXX)
MTAD_PID=
SINK_PID=
cleanup() {
	set +e
	[ -z "$MTAD_PID" ] || { kill "$MTAD_PID"; wait "$MTAD_PID"; }
	[ -z "$SINK_PID" ] || { kill "$SINK_PID"; wait "$SINK_PID"; }
	rm -rf "$WORK"
} 2>/dev/null
trap cleanup EXIT
trap 'exit 130' INT TERM

# free_ports N - N distinct free TCP ports on 127.0.0.1
free_ports() {
	"$PY" - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}
read -r PORT SINK_PORT <<<"$(free_ports 2)"

# mtad_config - one listener that holds and accepts all the load
mtad_config() {
	cat >"$WORK/mtad.yaml" <<EOF
hostname: relay.bench.test
user: ""
spool_dir: $WORK/spool
processes:
  listeners: 1
  delivery: 1
log:
  mail_log: $WORK/log/mail.current
dns:
  # Client lookups fail at once (a refused resolver).
  servers: ["127.0.0.1:9"]
limits:
  # Room for every idle connection, held as long as the measure takes.
  max_connections: $((IDLE + 1000))
  max_connection_time: 1h
  command_timeout: 1h
smtp_routes:
  ALL: ["127.0.0.1:$SINK_PORT"]
destination_controls:
  default:
    tls: none
listeners:
  - name: IncomingMail
    interface: Data 1
    address: 127.0.0.1
    port: $PORT
    type: public
    default_policy:
      tls: "off"
    policies:
      # 127.0.0.1 falls in ALL, whose predefined policy ACCEPTED allows
      # 1000 connections per address: all the load comes from one.
      ACCEPTED:
        connection: accept
        max_concurrency: 100000
        max_rcpts_per_hour: -1
        max_msgs_per_session: 1000000
EOF
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# mtad_start - a fresh spool, mtad listening
mtad_start() {
	rm -rf "$WORK/spool" "$WORK/log"
	mtad_config
	"$MTAD" -c "$WORK/mtad.yaml" >"$WORK/mtad.out" 2>&1 &
	MTAD_PID=$!
	for _ in $(seq 100); do
		port_open "$PORT" && return 0
		kill -0 "$MTAD_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$WORK/mtad.out" >&2
	die "mtad did not listen on 127.0.0.1:$PORT"
}

# mtad_stop - SIGTERM to the master, which stops its children
mtad_stop() {
	kill "$MTAD_PID" 2>/dev/null || true
	wait "$MTAD_PID" 2>/dev/null || true
	MTAD_PID=
}

# mtad_rss - resident KiB summed over mtad's processes, and their number
mtad_rss() {
	local t=0 n=0 p k
	for p in $(pgrep -f "$WORK/mtad.yaml"); do
		k=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null) \
		    || continue
		t=$((t + ${k:-0}))
		n=$((n + 1))
	done
	echo "$t $n"
}

# cpu_ticks PID... - user+system clock ticks of these processes
cpu_ticks() {
	local t=0 p
	for p in "$@"; do
		t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null \
		    || echo 0)))
	done
	echo "$t"
}

# busy_ticks - clock ticks the whole machine spent busy (not idle/iowait)
busy_ticks() {
	awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8}' /proc/stat
}

# stall_us RESOURCE - microseconds some task waited on cpu or io (PSI)
stall_us() {
	awk '$1 == "some" {sub("total=", "", $5); print $5}' \
	    "/proc/pressure/$1" 2>/dev/null || echo 0
}

# meminfo FIELD - KiB from /proc/meminfo
meminfo() { awk -v f="$1:" '$1 == f {print $2}' /proc/meminfo; }

# tcp_mem_kib - kernel TCP buffer memory (sockstat counts 4 KiB pages)
tcp_mem_kib() {
	awk '$1 == "TCP:" {for (i = 2; i < NF; i++) if ($i == "mem")
	    print $(i + 1) * 4}' /proc/net/sockstat
}

# kv KEY LINE - the value of KEY=value in LINE
kv() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k {print $2}'; }

# ---------------------------------------------------------------- idle
part_idle() {
	local rss0 rss1 n0 n1 slab0 slab1 avail0 avail1 tcp0 tcp1 line fin
	local greeted refused per_conn verdict
	mtad_start
	sleep 1
	sync
	read -r rss0 n0 <<<"$(mtad_rss)"
	slab0=$(meminfo Slab); avail0=$(meminfo MemAvailable)
	tcp0=$(tcp_mem_kib)

	coproc IDLER { "$PY" "$HERE/smtp-idle.py" -n "$IDLE" \
	    -c "$IN_FLIGHT" "127.0.0.1:$PORT" 2>"$WORK/idle.err"; }
	line=
	while read -r -u "${IDLER[0]}" line; do
		case $line in holding*) break ;; esac
	done
	case $line in holding*) ;; *)
		cat "$WORK/idle.err" >&2; die "smtp-idle.py failed" ;;
	esac
	sleep 2			# let the listener settle
	read -r rss1 n1 <<<"$(mtad_rss)"
	slab1=$(meminfo Slab); avail1=$(meminfo MemAvailable)
	tcp1=$(tcp_mem_kib)
	echo go >&"${IDLER[1]}"
	read -r -u "${IDLER[0]}" fin || fin="done quit_sent=0 got_221=0"
	wait "$IDLER_PID" || true
	mtad_stop
	[ ! -s "$WORK/idle.err" ] || sed 's/^/# /' "$WORK/idle.err"

	greeted=$(kv greeted "$line")
	refused=$(kv refused "$line")
	per_conn=$(( (rss1 - rss0) * 1024 / (greeted > 0 ? greeted : 1) ))
	verdict=not_met
	[ "$greeted" = "$IDLE" ] && [ "$refused" = 0 ] \
	    && [ "$per_conn" -lt 65536 ] && verdict=met
	echo "RESULT idle n=$IDLE ${line#holding } ${fin#done }"
	echo "RESULT idle_mtad rss_before_kib=$rss0 rss_holding_kib=$rss1" \
	    "procs=$n0/$n1 per_conn_bytes=$per_conn target_64KiB=$verdict"
	echo "RESULT idle_kernel_both_ends" \
	    "slab_delta_kib=$((slab1 - slab0))" \
	    "slab_per_conn_bytes=$(( (slab1 - slab0) * 1024 / IDLE ))" \
	    "tcp_buf_delta_kib=$((tcp1 - tcp0))" \
	    "memavail_drop_kib=$((avail0 - avail1))" \
	    "memavail_per_conn_bytes=$(( (avail0 - avail1) * 1024 / IDLE ))" \
	    "(memavail also covers the rss of mtad and of the client)"
}

# ---------------------------------------------------------------- latency
part_latency() {
	local args=(-r "$RATE" -d "$DURATION" -m "$PER_CONN") out p99 verdict
	local mesg=0 want
	[ -z "$SESSIONS" ] || args+=(-s "$SESSIONS")
	[ "$PIPELINING" = 1 ] || args+=(-n)
	command -v smtp-sink >/dev/null || die "smtp-sink (Postfix) needed"
	smtp-sink -c -u nobody "127.0.0.1:$SINK_PORT" 1024 \
	    >"$WORK/sink.out" 2>"$WORK/sink.err" &
	SINK_PID=$!
	for _ in $(seq 50); do port_open "$SINK_PORT" && break; sleep 0.1; done
	mtad_start
	# CPU: mtad's, the sink's, and the whole machine's; the driver
	# reports its own. What is left over is someone else's, roughly:
	# the machine's figure is sampled at each tick, the processes' are
	# exact, so a quiet machine shows a small negative rest. The
	# pressure stall figures (PSI, share of the time some task waited
	# for a CPU or for the disk) show disturbance by other work too.
	local pids wall0 wall1 m0 m1 s0 s1 b0 b1 pc0 pc1 pi0 pi1 hz cpu
	pids=$(pgrep -f "$WORK/mtad.yaml" | tr '\n' ' ')
	hz=$(getconf CLK_TCK)
	# shellcheck disable=SC2086 # a list of PIDs
	m0=$(cpu_ticks $pids); s0=$(cpu_ticks "$SINK_PID"); b0=$(busy_ticks)
	pc0=$(stall_us cpu); pi0=$(stall_us io)
	wall0=$(date +%s.%N)
	out=$("$PY" "$HERE/smtp-latency.py" "${args[@]}" "127.0.0.1:$PORT" \
	    2>"$WORK/latency.err") || {
		cat "$WORK/latency.err" >&2; die "smtp-latency.py failed"; }
	wall1=$(date +%s.%N)
	# shellcheck disable=SC2086
	m1=$(cpu_ticks $pids); s1=$(cpu_ticks "$SINK_PID"); b1=$(busy_ticks)
	pc1=$(stall_us cpu); pi1=$(stall_us io)
	cpu=$(awk -v w0="$wall0" -v w1="$wall1" -v hz="$hz" \
	    -v m=$((m1 - m0)) -v s=$((s1 - s0)) -v b=$((b1 - b0)) \
	    -v pc=$((pc1 - pc0)) -v pi=$((pi1 - pi0)) \
	    -v c="$(kv client_cpu_pct "$out")" 'BEGIN {
		f = 100 / hz / (w1 - w0)
		printf "mtad_cpu_pct=%.0f sink_cpu_pct=%.0f", m * f, s * f
		printf " machine_busy_pct=%.0f other_cpu_pct=%.0f", b * f,
		    b * f - m * f - s * f - c
		printf " cpu_stall_pct=%.0f io_stall_pct=%.0f",
		    pc / 1e4 / (w1 - w0), pi / 1e4 / (w1 - w0)
	}')
	[ ! -s "$WORK/latency.err" ] || sed 's/^/# /' "$WORK/latency.err"
	# Everything accepted should reach the sink: wait for the queue.
	want=$(awk -v r="$RATE" -v d="$DURATION" \
	    'BEGIN {print int(r * (d + 2) + 0.5)}')
	for _ in $(seq 60); do
		mesg=$(tr '\r' '\n' <"$WORK/sink.out" \
		    | awk -F'mesg=' 'NF > 1 {m = $2 + 0} END {print m + 0}')
		[ "$mesg" -lt "$want" ] || break
		sleep 0.5
	done
	mtad_stop
	kill "$SINK_PID" 2>/dev/null || true
	wait "$SINK_PID" 2>/dev/null || true
	SINK_PID=
	p99=$(kv accept_p99_ms "$out")
	verdict=$(awk -v p="$p99" 'BEGIN {print (p < 50) ? "met" : "not_met"}')
	echo "RESULT latency per_conn=$PER_CONN sessions=${SESSIONS:-default}" \
	    "pipelining=$PIPELINING" \
	    "$out $cpu sink_received=$mesg/$want target_p99_50ms=$verdict"
}

echo "# $(date -u +%FT%TZ) $(uname -r) $(nproc) cpus; ports $PORT $SINK_PORT;" \
    "idle=$IDLE in_flight=$IN_FLIGHT rate=$RATE duration=$DURATION" \
    "per_conn=$PER_CONN pipelining=$PIPELINING"
for p in "${PARTS[@]}"; do
	"part_$p"
done
