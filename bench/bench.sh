#!/usr/bin/env bash
# bench.sh - mtad against Postfix as an SMTP relay, side by side.
#
#   driver --> relay (Postfix, then mtad, alternately) --> sink
#
# Usage (as root, on the machine to measure; nothing else should run):
#   bench/bench.sh [SCENARIO...]
#     plain      smtp-source, 20 sessions, one 4 KiB message per connection
#     reuse      as plain, many messages per connection (smtp-source -d)
#     tls_in     STARTTLS inbound (python driver, TLS 1.3)
#     tls_both   STARTTLS inbound and outbound (python TLS sink)
#   Default: all four.
#
# Environment:
#   COUNT=5000   messages per timed run (TLS scenarios: COUNT/2)
#   ROUNDS=3     alternating Postfix/mtad pairs per scenario; medians quoted
#   PORT=32525   relay port on 127.0.0.1 (the sink uses PORT+1)
#   BUILD=_build-bench  build directory (optimised, no sanitizers)
#   SYSCALLS=1   count mtad's system calls per message (perf stat on the
#                syscalls tracepoints: fsync, openat, renameat, unlinkat,
#                write, flock, epoll_ctl) and print them after each run
#   PROFILE=1    record mtad's processes with "perf record -g" and print
#                their hottest functions; the data stays in PROFILE_DIR
#                (default /var/tmp/mtad-profile) (slows the run:
#                the figures of a profiled run are not results)
#
# Both relays have the same durability: Postfix fsyncs its queue file
# before 250, mtad commits (fsync'ed files and directories) before 250.
# Both log every message. The spool and queue live under /var/tmp (a real
# disk: on tmpfs an fsync costs nothing).
#
# For each run it prints the end-to-end rate (messages / time until the
# sink counted the last one), the acceptance rate, the relay's CPU per
# message (busy CPU of the box minus driver and sink, as the Postfix
# baseline measures it) and, for mtad, the sum of its processes' peak
# RSS. Then, per scenario, the medians and the ratio mtad / Postfix.
# peer-relay-bench.sh, smtp-load.py and smtp-tls-sink.py beside this
# script run the load; this script starts mtad for MODE=external.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
COUNT=${COUNT:-5000}
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-32525}
SINK_PORT=$((PORT + 1))
BUILD=${BUILD:-_build-bench}
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(plain reuse tls_in tls_both)

die() { echo "bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (Postfix and smtp-sink need it)"

# ---------------------------------------------------------------- build
# shellcheck source=bench/build.sh
. "$HERE/build.sh"
bench_build "$TOP" "$BUILD"
PROFILE_DIR=${PROFILE_DIR:-/var/tmp/mtad-profile}
[ "${PROFILE:-0}" != 1 ] || mkdir -p "$PROFILE_DIR"

WORK=$(mktemp -d /var/tmp/mtad-bench.XXXXXX)
MTAD_PID=
cleanup() {
	# run() starts mtad in a subshell: find it by its configuration.
	pkill -f "$WORK/mtad.yaml" 2>/dev/null || true
	sleep 1
	rm -rf "$WORK"
}
trap cleanup EXIT

# mtad_config TLS_IN TLS_OUT - a relay like the Postfix one
mtad_config() {
	local in=$1 out=$2
	cat >"$WORK/mtad.yaml" <<EOF
hostname: relay.bench.test
user: ""
spool_dir: $WORK/spool
processes:
  listeners: ${LISTENERS:-1}
  delivery: 1
log:
  mail_log: $WORK/log/mail.current
dns:
  # Client lookups must not wait on an unreachable resolver: a refused
  # one fails at once (Postfix resolves 127.0.0.1 from /etc/hosts).
  servers: ["127.0.0.1:9"]
certificates:
  demo:
    cert: $WORK/certs/demo.crt
    key: $WORK/certs/demo.key
    generate: true
tls:
  # As Postfix here: TLS 1.2 and 1.3 (the driver asks for 1.3).
  inbound:
    versions: tls1.2 tls1.3
  outbound:
    versions: tls1.2 tls1.3
smtp_routes:
  ALL: ["127.0.0.1:$SINK_PORT"]
destination_controls:
  default:
    tls: $( [ "$out" = 1 ] && echo required || echo none )
listeners:
  - name: IncomingMail
    interface: Data 1
    address: 127.0.0.1
    port: $PORT
    type: public
    certificate: demo
    default_policy:
      tls: $( [ "$in" = 1 ] && echo preferred || echo "off" )
      max_concurrency: 1000
      max_rcpts_per_hour: -1
      max_msgs_per_session: 1000000
EOF
}

# mtad_rss - peak resident KiB summed over mtad's processes
mtad_rss() {
	local t=0 p
	for p in $(pgrep -f "$WORK/mtad.yaml"); do
		t=$((t + $(awk '/VmHWM/ {print $2}' "/proc/$p/status" \
		    2>/dev/null || echo 0)))
	done
	echo "$t"
}

# syscall_events - the tracepoints SYSCALLS=1 counts
syscall_events() {
	local e out=
	for e in fsync openat renameat unlinkat write flock epoll_ctl; do
		out="$out${out:+,}syscalls:sys_enter_$e"
	done
	echo "$out"
}

# syscall_report SCENARIO MESSAGES - stop perf stat, print calls/message
syscall_report() {
	kill -INT "$STAT_PID"
	wait "$STAT_PID" 2>/dev/null || true
	STAT_PID=
	awk -F, -v sc="$1" -v n="$2" '
	    $3 ~ /sys_enter_/ {
		sub(/.*sys_enter_/, "", $3)
		line = line sprintf(" %s=%.2f", $3, $1 / n)
	    }
	    END { print "# " sc ": system calls per message (all mtad processes):" line }
	' "$WORK/syscalls.$1"
}

# profile_report SCENARIO - stop perf, print mtad's hottest functions
profile_report() {
	kill -INT "$PERF_PID"
	wait "$PERF_PID" 2>/dev/null || true
	PERF_PID=
	echo "# profile of mtad, $1: functions by own samples, top 30"
	perf report -i "$PROFILE_DIR/perf.$1.data" --no-children --sort dso,sym \
	    --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -30
	echo "# system calls and mtad functions with their callees, top 40"
	perf report -i "$PROFILE_DIR/perf.$1.data" --children --sort sym \
	    --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' |
	    grep -E '__x64_sys_|\[\.\] [a-z]+_' | head -40
	echo "# by process (perf data: $PROFILE_DIR/perf.$1.data)"
	perf report -i "$PROFILE_DIR/perf.$1.data" --no-children --sort pid \
	    --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -8
}

# run MODE SCENARIO - one timed run; prints "e2e inject cpu_us rss_kib"
run() {
	local mode=$1 sc=$2 n=$COUNT env=() out rss=0
	case $sc in
	plain) ;;
	reuse) env+=(REUSE=1) ;;
	tls_in) env+=(TLS_IN=1 TLS_VERSION=1.3); n=$((COUNT / 2)) ;;
	tls_both) env+=(TLS_IN=1 TLS_OUT=1 TLS_VERSION=1.3); n=$((COUNT / 2)) ;;
	*) die "unknown scenario $sc" ;;
	esac
	if [ "$mode" = external ]; then
		rm -rf "$WORK/spool" "$WORK/log"
		mtad_config "$([ "$sc" = tls_in ] || [ "$sc" = tls_both ] \
		    && echo 1 || echo 0)" "$([ "$sc" = tls_both ] && echo 1 \
		    || echo 0)"
		"$MTAD" -c "$WORK/mtad.yaml" >"$WORK/mtad.out" 2>&1 &
		MTAD_PID=$!
		for _ in $(seq 100); do
			(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
			sleep 0.1
		done
		if [ "${SYSCALLS:-0}" = 1 ]; then
			perf stat -x, -o "$WORK/syscalls.$sc" -e "$(syscall_events)" \
			    -p "$(pgrep -d, -f "$WORK/mtad.yaml")" \
			    >/dev/null 2>&1 &
			STAT_PID=$!
		fi
		if [ "${PROFILE:-0}" = 1 ]; then
			perf record -q -g -F 999 -o "$PROFILE_DIR/perf.$sc.data" \
			    -p "$(pgrep -d, -f "$WORK/mtad.yaml")" \
			    >/dev/null 2>&1 &
			PERF_PID=$!
		fi
	fi
	out=$(env "${env[@]}" MODE="$mode" RUNS=1 WARMUP=200 NO_INSTALL=1 \
	    SINK_PORT="$SINK_PORT" "$HERE/peer-relay-bench.sh" "$PORT" "$n" \
	    2>&1) || {
		echo "$out" >&2
		[ -z "$MTAD_PID" ] || kill "$MTAD_PID" 2>/dev/null
		die "$mode $sc failed"
	}
	if [ "$mode" = external ]; then
		rss=$(mtad_rss)
		[ -z "${PERF_PID:-}" ] || profile_report "$sc" >&2
		[ -z "${STAT_PID:-}" ] || syscall_report "$sc" "$((n + 200))" >&2
		kill "$MTAD_PID"
		wait "$MTAD_PID" 2>/dev/null || true
		MTAD_PID=
	fi
	echo "$out" | awk -v rss="$rss" '
	    /^run 1:/ {
		for (i = 1; i <= NF; i++) {
			if ($i == "e2e") e2e = $(i + 1)
			if ($i == "inject") inj = $(i + 1)
			if ($i ~ /^~/) { cpu = substr($i, 2) }
		}
		print e2e, inj, cpu, rss
	    }'
}

median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "# $(date -u +%FT%TZ) $(uname -r) $(nproc) cpus; count=$COUNT rounds=$ROUNDS"
for sc in "${SCENARIOS[@]}"; do
	: >"$WORK/pf" ; : >"$WORK/mt"
	for r in $(seq "$ROUNDS"); do
		pf=$(run relay "$sc"); echo "$sc round $r postfix: $pf"
		echo "$pf" >>"$WORK/pf"
		mt=$(run external "$sc"); echo "$sc round $r mtad:    $mt"
		echo "$mt" >>"$WORK/mt"
	done
	pe=$(awk '{print $1}' "$WORK/pf" | median)
	me=$(awk '{print $1}' "$WORK/mt" | median)
	pc=$(awk '{print $3}' "$WORK/pf" | median)
	mc=$(awk '{print $3}' "$WORK/mt" | median)
	mr=$(awk '{print $4}' "$WORK/mt" | median)
	awk -v sc="$sc" -v pe="$pe" -v me="$me" -v pc="$pc" -v mc="$mc" \
	    -v mr="$mr" 'BEGIN {
		fmt = "RESULT %s postfix_e2e=%s mtad_e2e=%s ratio=%.2f"
		fmt = fmt " postfix_cpu_us=%s mtad_cpu_us=%s cpu_ratio=%.2f"
		fmt = fmt " mtad_peak_rss_kib=%s\n"
		printf fmt, sc, pe, me, (pe > 0 ? me / pe : 0), pc, mc,
		    (pc > 0 ? mc / pc : 0), mr
	}'
done
