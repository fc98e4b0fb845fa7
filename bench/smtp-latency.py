#!/usr/bin/python3
"""smtp-latency.py - open-loop SMTP load; acceptance latency percentiles.

  smtp-latency.py [-r RATE] [-d SECONDS] [-w WARMUP] [-s SESSIONS]
                  [-m PER_CONNECTION] [-l BODY_BYTES] [-n] HOST:PORT

Starts messages on a fixed schedule, RATE per second, for WARMUP seconds
(not measured) and then SECONDS more (measured), whether or not earlier
ones have been answered: open loop. Each message is plain SMTP (EHLO,
MAIL, RCPT, DATA), one recipient, a body of BODY_BYTES. MAIL, RCPT and
DATA go in one write (PIPELINING, RFC 2920), or with -n one at a time,
each after the reply to the previous one.

SESSIONS client sessions carry the messages. With PER_CONNECTION 1 (the
default) every message gets a new connection and SESSIONS only bounds
how many are open at once; otherwise a session sends up to
PER_CONNECTION messages on one connection, then QUITs and reconnects. A
message waits for a free session only if all SESSIONS are busy; that
wait is reported as lag, and a schedule with lag is not kept.

For each measured message it records
  accept    from sending the final "." to reading the 250
  greet     from starting connect() to reading the 220 greeting
  conn      from starting connect() to that 250 (first message of a
            connection only: the others did not connect)
  sched     from the message's scheduled start to the 250 (open-loop
            response time: includes any lag)
and prints one line

  count=N errors=N rate=R achieved=A accept_p50_ms=... accept_p90_ms=...
  accept_p99_ms=... accept_max_ms=... conn_p50_ms=... ... sched_p99_ms=...
  late=N late_pct=P max_lag_ms=L schedule_kept=yes|no client_cpu_pct=C

(on one line). A message is late if it started more than 10 ms after
its schedule; the schedule counts as kept if under 1% of the measured
messages were late. client_cpu_pct is this driver's own CPU use (100 =
one core): on a small machine it competes with the server, so
python3-uvloop, if installed, is used to spend less. Errors (any reply
other than the expected one, a reset, a timeout) are counted, and the
first one is printed on stderr. Only servers you run yourself on
loopback are meant as targets.
"""
import argparse
import asyncio
import sys
import time

LATE = 0.010


def percentile(values, p):
    """Nearest-rank percentile of a sorted list (0 if empty)."""
    if not values:
        return 0.0
    k = max(0, min(len(values) - 1, int(round(p / 100.0 * len(values))) - 1))
    return values[k]


async def reply(reader, want, what):
    """Read one SMTP reply; raise unless its code is want."""
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("%s: connection closed" % what)
        if line[3:4] != b"-":
            break
    if not line.startswith(b"%d" % want):
        raise ValueError("%s: %r" % (what, line.strip()))


class Load:
    """The schedule, the sessions and the samples."""

    def __init__(self, args, host, port):
        self.args = args
        self.host = host
        self.port = port
        line = b"x" * 76 + b"\r\n"
        body = (line * (args.length // len(line) + 1))[:args.length]
        self.message = (b"From: sender@source.bench.test\r\n"
                        b"To: rcpt@bench.test\r\n"
                        b"Subject: latency\r\n\r\n" + body + b"\r\n.\r\n")
        self.queue = asyncio.Queue()
        self.accept = []
        self.conn = []
        self.greet = []
        self.sched = []
        self.lags = []
        self.errors = 0
        self.first_error = None
        self.measure_from = 0.0
        self.last_done = 0.0

    def error(self, e):
        """Count a failed message."""
        self.errors += 1
        if self.first_error is None:
            self.first_error = repr(e)

    async def scheduler(self, t0, total):
        """Put message i on the queue at t0 + i / rate."""
        for i in range(total):
            at = t0 + i / self.args.rate
            delay = at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self.queue.put_nowait(at)
        for _ in range(self.args.sessions):
            self.queue.put_nowait(None)

    async def send(self, reader, writer, at, connect_start):
        """One message on an open connection; record its latencies."""
        steps = ((b"MAIL FROM:<sender@source.bench.test>\r\n", 250, "MAIL"),
                 (b"RCPT TO:<rcpt@bench.test>\r\n", 250, "RCPT"),
                 (b"DATA\r\n", 354, "DATA"))
        if self.args.no_pipelining:
            for command, code, what in steps:
                writer.write(command)
                await reply(reader, code, what)
        else:
            writer.write(b"".join(step[0] for step in steps))
            for _, code, what in steps:
                await reply(reader, code, what)
        writer.write(self.message)
        await writer.drain()
        dot = time.monotonic()
        await reply(reader, 250, "end of data")
        done = time.monotonic()
        if at >= self.measure_from:
            self.accept.append(done - dot)
            self.sched.append(done - at)
            if connect_start is not None:
                self.conn.append(done - connect_start)
            self.last_done = max(self.last_done, done)

    async def session(self):
        """Take scheduled messages and send them, reconnecting as told."""
        reader = writer = None
        sent = 0
        while True:
            at = await self.queue.get()
            if at is None:
                break
            lag = time.monotonic() - at
            if at >= self.measure_from:
                self.lags.append(lag)
            connect_start = None
            try:
                if writer is None:
                    connect_start = time.monotonic()
                    reader, writer = await asyncio.open_connection(
                        self.host, self.port)
                    sent = 0
                    await reply(reader, 220, "greeting")
                    if at >= self.measure_from:
                        self.greet.append(time.monotonic() - connect_start)
                    writer.write(b"EHLO client.bench.test\r\n")
                    await reply(reader, 250, "EHLO")
                await asyncio.wait_for(
                    self.send(reader, writer, at, connect_start),
                    self.args.timeout)
                sent += 1
                if sent >= self.args.per_connection:
                    writer.write(b"QUIT\r\n")
                    await reply(reader, 221, "QUIT")
                    writer.close()
                    writer = None
            except (OSError, ValueError, ConnectionError,
                    asyncio.TimeoutError) as e:
                self.error(e)
                if writer is not None:
                    writer.close()
                writer = None
        if writer is not None:
            writer.write(b"QUIT\r\n")
            writer.close()

    async def run(self):
        """Warm up, measure, return the result line."""
        a = self.args
        total = int(round(a.rate * (a.warmup + a.duration)))
        t0 = time.monotonic() + 0.1
        cpu0 = time.process_time()
        self.measure_from = t0 + a.warmup
        await asyncio.gather(self.scheduler(t0, total),
                             *(self.session() for _ in range(a.sessions)))
        n = len(self.accept)
        span = self.last_done - self.measure_from
        out = ["count=%d" % n, "errors=%d" % self.errors,
               "rate=%g" % a.rate,
               "achieved=%.1f" % (n / span if span > 0 else 0)]
        for name, xs in (("accept", self.accept), ("greet", self.greet),
                         ("conn", self.conn),
                         ("sched", self.sched)):
            xs.sort()
            for p in (50, 90, 99):
                out.append("%s_p%d_ms=%.1f" % (name, p,
                                                1000 * percentile(xs, p)))
            out.append("%s_max_ms=%.1f" % (name, 1000 * (xs[-1] if xs
                                                          else 0)))
        late = sum(1 for x in self.lags if x > LATE)
        out.append("late=%d" % late)
        out.append("late_pct=%.1f" % (100.0 * late / max(1, len(self.lags))))
        out.append("max_lag_ms=%.1f" % (1000 * max(self.lags, default=0)))
        out.append("schedule_kept=%s"
                   % ("yes" if late * 100 < len(self.lags) else "no"))
        out.append("client_cpu_pct=%.0f" % (100 * (time.process_time() - cpu0)
                                            / (time.monotonic() - t0)))
        return " ".join(out)


async def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-r", "--rate", type=float, default=400)
    ap.add_argument("-d", "--duration", type=float, default=30)
    ap.add_argument("-w", "--warmup", type=float, default=2)
    ap.add_argument("-s", "--sessions", type=int, default=None,
                    help="default 500 with -m 1, else 100")
    ap.add_argument("-m", "--per-connection", type=int, default=1)
    ap.add_argument("-l", "--length", type=int, default=4096)
    ap.add_argument("-t", "--timeout", type=float, default=60)
    ap.add_argument("-n", "--no-pipelining", action="store_true")
    ap.add_argument("target", help="HOST:PORT")
    args = ap.parse_args()
    if args.sessions is None:
        args.sessions = 500 if args.per_connection == 1 else 100
    host, _, port = args.target.rpartition(":")
    load = Load(args, host, int(port))
    line = await load.run()
    if load.first_error:
        print("smtp-latency: first error: " + load.first_error,
              file=sys.stderr)
    print(line, flush=True)


if __name__ == "__main__":
    try:
        import uvloop  # python3-uvloop: a cheaper event loop, if installed
        uvloop.install()
    except ImportError:
        pass
    asyncio.run(main())
