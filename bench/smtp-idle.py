#!/usr/bin/python3
"""smtp-idle.py - open many idle SMTP connections, hold them, then QUIT.

  smtp-idle.py [-n COUNT] [-c IN_FLIGHT] [-t TIMEOUT] HOST:PORT

Opens COUNT TCP connections to HOST:PORT, at most IN_FLIGHT of them
connecting (or waiting for their greeting) at a time, and reads each
greeting. Every connection ends up in one of these classes:

  greeted      the 220 greeting arrived; the connection is held open
  rejected     another reply arrived instead (a 421, say; the first
               such code is printed on stderr)
  refused      connect() failed with ECONNREFUSED
  reset        the peer reset or closed the connection before a reply
  no_greeting  no reply within TIMEOUT seconds
  other        any other error (the first one is printed on stderr)

It then prints one line

  holding greeted=N rejected=N refused=N reset=N no_greeting=N other=N
      open_seconds=S client_rss_kib=K

(on one line) and waits for a line on standard input: the caller measures
the server while every greeted connection is held. On that line it checks
which held connections the server closed meanwhile (dropped), sends QUIT
on the others and prints

  done quit_sent=N got_221=N dropped=N

Only 127.0.0.1 servers you run yourself are meant as targets. The caller
must raise the descriptor limit above COUNT (ulimit -n).
"""
import argparse
import asyncio
import errno
import sys
import time


def rss_kib():
    """Resident set size of this process, KiB (0 if unknown)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


async def read_reply(reader):
    """Read one (possibly multi-line) SMTP reply; return its code or None."""
    while True:
        line = await reader.readline()
        if not line:
            return None
        if len(line) >= 4 and line[3:4] == b"-":
            continue
        try:
            return int(line[:3])
        except ValueError:
            return None


class Idle:
    """The connections and their counters."""

    def __init__(self, host, port, timeout):
        self.host = host
        self.port = port
        self.timeout = timeout
        self.held = []
        self.counts = dict.fromkeys(
            ("greeted", "rejected", "refused", "reset", "no_greeting",
             "other"), 0)
        self.first_error = None
        self.first_reject = None

    async def open_one(self, sem):
        """Connect, read the greeting, keep the connection if it is 220."""
        async with sem:
            writer = None
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(self.host, self.port),
                    self.timeout)
                code = await asyncio.wait_for(read_reply(reader),
                                              self.timeout)
            except ConnectionRefusedError:
                self.counts["refused"] += 1
            except (ConnectionResetError, BrokenPipeError):
                self.counts["reset"] += 1
            except asyncio.TimeoutError:
                self.counts["no_greeting"] += 1
            except OSError as e:
                if e.errno == errno.ECONNREFUSED:
                    self.counts["refused"] += 1
                else:
                    self.counts["other"] += 1
                    self.first_error = self.first_error or repr(e)
            else:
                if code == 220:
                    self.counts["greeted"] += 1
                    self.held.append((reader, writer))
                    return
                if code is None:
                    self.counts["reset"] += 1
                else:
                    self.counts["rejected"] += 1
                    self.first_reject = self.first_reject or code
            if writer is not None:
                writer.close()

    async def quit_one(self, reader, writer):
        """QUIT one held connection; 'dropped', 'ok' or 'bad'."""
        # A server that closed the connection while it was held left an
        # EOF (or a 421) in the buffer: that is a drop, not a QUIT.
        try:
            code = await asyncio.wait_for(read_reply(reader), 0.001)
            writer.close()
            return "dropped" if code in (None, 421) else "bad"
        except asyncio.TimeoutError:
            pass
        except (ConnectionError, OSError):
            writer.close()
            return "dropped"
        try:
            writer.write(b"QUIT\r\n")
            await writer.drain()
            code = await asyncio.wait_for(read_reply(reader), self.timeout)
        except (asyncio.TimeoutError, ConnectionError, OSError):
            code = None
        writer.close()
        return "ok" if code == 221 else "bad"


async def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--count", type=int, default=10000)
    ap.add_argument("-c", "--in-flight", type=int, default=500)
    ap.add_argument("-t", "--timeout", type=float, default=30.0)
    ap.add_argument("target", help="HOST:PORT")
    args = ap.parse_args()
    host, _, port = args.target.rpartition(":")

    idle = Idle(host, int(port), args.timeout)
    sem = asyncio.Semaphore(args.in_flight)
    t0 = time.monotonic()
    await asyncio.gather(*(idle.open_one(sem) for _ in range(args.count)))
    elapsed = time.monotonic() - t0
    if idle.first_error:
        print("smtp-idle: first other error: " + idle.first_error,
              file=sys.stderr)
    if idle.first_reject:
        print("smtp-idle: first rejection: %d" % idle.first_reject,
              file=sys.stderr)
    print("holding " + " ".join("%s=%d" % kv for kv in idle.counts.items())
          + " open_seconds=%.1f client_rss_kib=%d" % (elapsed, rss_kib()),
          flush=True)

    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)

    results = await asyncio.gather(*(idle.quit_one(r, w)
                                     for r, w in idle.held))
    print("done quit_sent=%d got_221=%d dropped=%d"
          % (len(results) - results.count("dropped"), results.count("ok"),
             results.count("dropped")), flush=True)


if __name__ == "__main__":
    try:
        import uvloop  # python3-uvloop: a cheaper event loop, if installed
        uvloop.install()
    except ImportError:
        pass
    asyncio.run(main())
