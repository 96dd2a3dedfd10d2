#!/usr/bin/python3
"""Side-by-side benchmark of Cairn against Debian's redis-server (issue 7).

Run from the repository root (`make bench` does it):

    /usr/bin/python3 bench/run.py [--quick] [--rounds N] [--workloads 1,3,4,5] ...

Both servers are started with the same settings (no persistence, loopback,
each on a free port) and every workload runs against each in alternation
(Cairn, Redis, Cairn, Redis, ...) for at least 3 rounds; each figure is the
median over the rounds and the ratio is Cairn/Redis.

Workloads
  1  redis-benchmark throughput (requests/s) for PING (multi-bulk), SET, GET,
     INCR, LPUSH, LPOP, SADD, HSET, ZADD, LRANGE_100, MSET (10 keys), with 50
     clients at -P 1 and at -P 16, random keys from a 100k keyspace (-r), and
     values of 3 and 1024 bytes.
  2  latency p50/p99/p99.9 (ms) of GET and SET at -P 1 (3-byte values); these
     come from the same redis-benchmark runs as workload 1, so workload 2 runs
     whenever workload 1 does.
  3  memory: used_memory and process RSS growth per key/element after loading
     1M string keys (10-byte keys, 16-byte values), a 1M-element list, hash,
     set and sorted set (10-byte members/fields, 10-byte hash values, integer
     scores), and 100k small hashes (5 fields each). Each data set is loaded
     into a freshly started server (pipelined raw RESP over a socket), so the
     figures are "after minus before" on an otherwise empty server.
  4  DUMP and RESTORE throughput: a 100 MB string (random bytes), the 1M-element
     list, hash, set and sorted set (elements/s and MB/s), and 100k small hashes
     (values/s; DUMP through redis-benchmark -P 16, RESTORE pipelined from
     Python). RESTORE is measured with the payload produced by Redis and with
     the payload produced by Cairn, into each server; restore_*_from_other is
     each server restoring the payload the OTHER server made. Hash tables list
     their elements in bucket order, and a server restoring its own payload in
     the process that wrote it inserts them in the order of its own buckets
     (its best case: a freshly started Redis, with another hash seed, restores
     the same 1M-element hash/set payload 2.5-3x slower); from_other compares
     both on payloads in an order foreign to them.
  5  start-up (exec to first PING reply, empty server) and FLUSHALL of 1M keys,
     SYNC and ASYNC (time until the reply arrives).
  (6) with workload 1: the CPU time each server spends per request (all its
     threads, user + system, from /proc/<pid>/task/*/schedstat). It depends
     far less on other load of the machine than requests/s do. LRANGE_100's
     figure includes the LPUSH requests redis-benchmark sends to fill the list.

A command Cairn does not know ("ERR unknown command") makes its figures
"n/a (unsupported)"; any other failure is reported as "n/a (error: ...)" and
the run goes on.

Output: a table on stdout, one line per figure `name cairn=X redis=Y ratio=Z`,
and bench/results/latest.json (every sample, medians, ratios, settings).
--quick scales every count down (about 1/10) to finish in under 2 minutes.
"""

import argparse
import json
import math
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVERS = ("cairn", "redis")          # alternation order inside each round
MB = 1e6                              # MB/s figures use 10^6 bytes

# ---------------------------------------------------------------------------
# RESP client (raw socket; pipelining and very large bulks)
# ---------------------------------------------------------------------------


class RespError(str):
    """An error reply (the text after '-'); returned, never raised."""


def enc(*args):
    """Encode one command as a RESP multi-bulk (bytes)."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = b"%d" % a
        elif isinstance(a, float):
            a = repr(a).encode()
        out.append(b"$%d\r\n" % len(a))
        out.append(a)
        out.append(b"\r\n")
    return b"".join(out)


class Conn:
    """One RESP2 connection to 127.0.0.1:port."""

    def __init__(self, port, timeout=300):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data):
        self.sock.sendall(data)

    def _more(self):
        if self.pos == len(self.buf):
            self.buf.clear()
            self.pos = 0
        elif self.pos > (1 << 20):
            del self.buf[: self.pos]
            self.pos = 0
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buf += chunk

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = bytes(self.buf[self.pos: i])
                self.pos = i + 2
                return line
            self._more()

    def _exact(self, n):
        """n bytes of bulk data followed by CRLF."""
        avail = len(self.buf) - self.pos
        if avail >= n + 2:
            data = bytes(self.buf[self.pos: self.pos + n])
            self.pos += n + 2
            return data
        out = bytearray(n + 2)
        out[:avail] = self.buf[self.pos:]
        self.buf.clear()
        self.pos = 0
        view = memoryview(out)
        got = avail
        while got < n + 2:
            r = self.sock.recv_into(view[got:], min(n + 2 - got, 1 << 24))
            if r == 0:
                raise ConnectionError("server closed the connection")
            got += r
        view.release()
        del out[n:]
        return out  # a bytearray: no second copy of a big bulk (timed replies)

    def read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            return RespError(rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ConnectionError("protocol error: %r" % line[:80])

    def call(self, *args):
        self.send(enc(*args))
        return self.read()

    def ok(self, *args):
        """call() that raises BenchError on an error reply."""
        r = self.call(*args)
        if isinstance(r, RespError):
            raise BenchError(str(r))
        return r


class BenchError(Exception):
    pass


class Unsupported(BenchError):
    pass


def is_unknown(reply):
    return isinstance(reply, RespError) and reply.startswith("ERR unknown command")


def pipeline_lines(conn, payload, nreplies):
    """Send `payload` (pipelined commands whose replies are all one line:
    +OK, :n or an error) while a thread counts `nreplies` replies.
    Returns (seconds from the first byte sent to the last reply, first error
    reply or None)."""
    assert conn.pos == len(conn.buf), "unread replies before a pipeline"
    state = {"count": 0, "err": None, "exc": None, "t_end": None}

    def reader():
        count, tail = 0, b""
        try:
            while count < nreplies:
                chunk = conn.sock.recv(1 << 20)
                if not chunk:
                    raise ConnectionError("server closed the connection")
                joined = tail + chunk
                count += joined.count(b"\r\n") - tail.count(b"\r\n")
                if state["err"] is None:
                    probe = (b"\r\n" if state["count"] == 0 and not tail else b"") + joined
                    i = probe.find(b"\r\n-")
                    if i >= 0:
                        j = probe.find(b"\r\n", i + 2)
                        state["err"] = probe[i + 3: j if j > 0 else i + 200].decode(errors="replace")
                state["count"] = count
                tail = joined[-2:]
            state["t_end"] = time.perf_counter()
        except Exception as e:  # reported by the caller
            state["exc"] = e

    th = threading.Thread(target=reader, daemon=True)
    t0 = time.perf_counter()
    th.start()
    conn.send(payload)
    th.join()
    if state["exc"] is not None:
        raise BenchError("pipeline: %s" % state["exc"])
    if state["count"] != nreplies:
        raise BenchError("pipeline: %d replies, expected %d" % (state["count"], nreplies))
    return state["t_end"] - t0, state["err"]


# ---------------------------------------------------------------------------
# Server processes
# ---------------------------------------------------------------------------


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """A server started on a free loopback port with the common settings."""

    def __init__(self, kind, binary, workdir):
        self.kind, self.binary, self.workdir = kind, binary, workdir
        self.proc = None
        self.port = None
        self.startup_s = None

    def start(self):
        self.port = free_port()
        log = os.path.join(self.workdir, "%s-%d.log" % (self.kind, self.port))
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no",
                "--dir", self.workdir, "--logfile", log]
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, cwd=self.workdir)
        while True:
            if self.proc.poll() is not None:
                raise BenchError("%s exited at start-up (see %s)" % (self.kind, log))
            try:
                c = Conn(self.port, timeout=5)
                r = c.call("PING")
                c.close()
                if r == b"PONG":
                    break
            except OSError:
                pass
            if time.perf_counter() - t0 > 20:
                raise BenchError("%s did not answer PING within 20 s" % self.kind)
            time.sleep(0.002)
        self.startup_s = time.perf_counter() - t0
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def ensure(self):
        if not self.alive():
            log("  %s is not running (exit %s); restarting" % (
                self.kind, None if self.proc is None else self.proc.returncode))
            self.start()

    def conn(self):
        return Conn(self.port)

    def rss(self):
        """Resident set size in bytes, from /proc (same source for both)."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise BenchError("no VmRSS")

    def cpu_ns(self):
        """CPU time the server has used so far (all threads, user + system),
        in ns, from /proc/<pid>/task/*/schedstat."""
        total = 0
        base = "/proc/%d/task" % self.proc.pid
        for tid in os.listdir(base):
            try:
                with open("%s/%s/schedstat" % (base, tid)) as f:
                    total += int(f.read().split()[0])
            except (OSError, ValueError, IndexError):
                pass
        return total

    def used_memory(self):
        c = self.conn()
        try:
            info = c.ok("INFO", "memory").decode()
        finally:
            c.close()
        m = re.search(r"^used_memory:(\d+)", info, re.M)
        if not m:
            raise BenchError("INFO memory has no used_memory")
        return int(m.group(1))

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


class Results:
    """Samples per figure and server; a server's figure may instead carry a
    status ("unsupported" or "error: ...")."""

    def __init__(self):
        self.figs = {}       # name -> dict
        self.order = []

    def declare(self, name, workload, unit, better):
        if name not in self.figs:
            self.figs[name] = {"name": name, "workload": workload, "unit": unit, "better": better,
                               "cairn": [], "redis": [], "status": {}}
            self.order.append(name)
        return self.figs[name]

    def add(self, name, server, value):
        self.figs[name][server].append(value)

    def fail(self, name, server, status):
        st = self.figs[name]["status"]
        if server not in st:   # first reason wins
            st[server] = status

    def summary(self, name):
        f = self.figs[name]
        out = {}
        for s in SERVERS:
            if f[s]:
                out[s] = statistics.median(f[s])
            else:
                out[s] = None
        ratio = None
        if out["cairn"] is not None and out["redis"] not in (None, 0):
            ratio = out["cairn"] / out["redis"]
        return out, ratio

    def cell(self, name, server):
        f = self.figs[name]
        med, _ = self.summary(name)
        if med[server] is not None:
            return fmt(med[server])
        st = f["status"].get(server, "no data")
        if st == "unsupported":
            return "n/a (unsupported)"
        return "n/a (%s)" % st


def fmt(v):
    if v is None:
        return "n/a"
    a = abs(v)
    if a >= 100000:
        return "%.0f" % v
    if a >= 100:
        return "%.1f" % v
    if a >= 1:
        return "%.3f" % v
    return "%.4g" % v


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Probing which commands a server knows
# ---------------------------------------------------------------------------

PROBES = {
    "PING": [("PING",)],
    "SET": [("SET", "__probe:s", "v")],
    "GET": [("GET", "__probe:s")],
    "INCR": [("INCR", "__probe:i")],
    "MSET": [("MSET", "__probe:m", "v")],
    "LPUSH": [("LPUSH", "__probe:l", "x")],
    "RPUSH": [("RPUSH", "__probe:l", "x")],
    "LPOP": [("LPOP", "__probe:l")],
    "LRANGE": [("LRANGE", "__probe:l", "0", "1")],
    "SADD": [("SADD", "__probe:set", "x")],
    "HSET": [("HSET", "__probe:h", "f", "v")],
    "ZADD": [("ZADD", "__probe:z", "1", "x")],
    "DUMP": [("DUMP", "__probe:s")],
    "RESTORE": [("RESTORE", "__probe:r", "0", "not-a-payload")],
    "FLUSHALL": [("FLUSHALL", "SYNC")],
}


def probe(server):
    """Set of command names the server does not know."""
    c = server.conn()
    missing = set()
    try:
        for name, cmds in PROBES.items():
            for cmd in cmds:
                if is_unknown(c.call(*cmd)):
                    missing.add(name)
        c.call("FLUSHALL")
    finally:
        c.close()
    return missing


# ---------------------------------------------------------------------------
# Workloads 1 and 2: redis-benchmark
# ---------------------------------------------------------------------------

# -t name, section title printed by redis-benchmark, short name, commands it
# needs, and the divisor of -n at -P 1 / -P 16 (LRANGE_100 and MSET move 10-100
# times more data per request; fewer requests keep every test near a second).
RB_TESTS = [
    ("ping_mbulk", "PING_MBULK", "PING", ["PING"], 1, 1),
    ("set", "SET", "SET", ["SET"], 1, 1),
    ("get", "GET", "GET", ["GET"], 1, 1),
    ("incr", "INCR", "INCR", ["INCR"], 1, 1),
    ("lpush", "LPUSH", "LPUSH", ["LPUSH"], 1, 1),
    ("lpop", "LPOP", "LPOP", ["LPOP"], 1, 1),
    ("sadd", "SADD", "SADD", ["SADD"], 1, 1),
    ("hset", "HSET", "HSET", ["HSET"], 1, 1),
    ("zadd", "ZADD", "ZADD", ["ZADD"], 1, 1),
    ("lrange_100", "LRANGE_100 (first 100 elements)", "LRANGE_100", ["LPUSH", "LRANGE"], 10, 50),
    ("mset", "MSET (10 keys)", "MSET", ["MSET"], 3, 10),
]


def parse_rb(text):
    """Parse redis-benchmark's default (non-CSV) output:
    {title: {"rps", "p50", "p99", "p999"}} with latencies in ms."""
    out = {}
    cur = None
    lines = re.split(r"[\r\n]+", text)
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        m = re.match(r"^====== (.*) ======$", line)
        if m:
            cur = {"pct": []}
            out[m.group(1)] = cur
        elif cur is not None:
            m = re.match(r"^([\d.]+)% <= ([\d.]+) milliseconds", line)
            if m:
                cur["pct"].append((float(m.group(1)), float(m.group(2))))
            m = re.match(r"^throughput summary: ([\d.]+) requests per second", line)
            if m:
                cur["rps"] = float(m.group(1))
            if line.startswith("avg") and "p50" in line and i + 1 < len(lines):
                heads = line.split()
                vals = lines[i + 1].split()
                if len(vals) == len(heads):
                    d = dict(zip(heads, vals))
                    cur["p50"] = float(d["p50"])
                    cur["p99"] = float(d["p99"])
                i += 1
        i += 1
    for title, cur in out.items():
        # p99.9: the smallest latency printed with a cumulative share >= 99.9%
        # (both distributions printed are upper bounds of the true value).
        cands = [ms for pct, ms in cur.pop("pct") if pct >= 99.9]
        if cands:
            cur["p999"] = min(cands)
    return out


def cfg_timeout(requests):
    """Seconds a redis-benchmark run may take before it counts as hung
    (it retries forever when the server is gone): 1000 requests/s at worst."""
    return 60 + requests / 1000


def run_rb(bench_bin, server, tests, clients, requests, keyspace, size, pipe, extra=()):
    args = [bench_bin, "-h", "127.0.0.1", "-p", str(server.port), "-c", str(clients),
            "-n", str(requests), "-r", str(keyspace), "-d", str(size), "-P", str(pipe)]
    if tests:
        args += ["-t", ",".join(tests)]
    args += list(extra)
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL, timeout=cfg_timeout(requests))
    text = p.stdout.decode(errors="replace")
    if p.returncode != 0:
        raise BenchError("redis-benchmark exit %d: %s" % (p.returncode, text.strip()[-200:]))
    return text


def tput_name(pipe, size, short):
    return "throughput_P%d_d%d_%s" % (pipe, size, short)


def cpu_name(pipe, size, short):
    return "cpu_P%d_d%d_%s" % (pipe, size, short)


def supported_tests(missing):
    return [t for t in RB_TESTS if not any(n in missing for n in t[3])]


def workload_throughput(cfg, res, servers, missing):
    tests_run = [t for t in RB_TESTS if not cfg.tests or t[2] in cfg.tests]
    configs = [(pipe, size) for pipe in (1, 16) for size in (3, 1024)]
    for pipe, size in configs:
        for t in tests_run:
            res.declare(tput_name(pipe, size, t[2]), 1, "req/s", "higher")
    for op in ("GET", "SET"):
        for p in ("p50", "p99", "p999"):
            res.declare("latency_P1_d3_%s_%s" % (op, p), 2, "ms", "lower")
    for pipe, size in configs:
        for t in tests_run:
            res.declare(cpu_name(pipe, size, t[2]), 6, "us/req", "lower")
    for s in SERVERS:
        for t in tests_run:
            if t in supported_tests(missing[s]):
                continue
            for pipe, size in configs:
                res.fail(tput_name(pipe, size, t[2]), s, "unsupported")
                res.fail(cpu_name(pipe, size, t[2]), s, "unsupported")
            if t[2] in ("GET", "SET"):
                for p in ("p50", "p99", "p999"):
                    res.fail("latency_P1_d3_%s_%s" % (t[2], p), s, "unsupported")
    # warm-up: a short run of the basic tests on each server
    for s in SERVERS:
        tests = [t[0] for t in supported_tests(missing[s]) if t[0] in ("ping_mbulk", "set", "get")]
        if tests:
            run_rb(cfg.benchmark, servers[s], tests, 50, cfg.warmup, cfg.keyspace, 3, 1)
    # Each test runs on one server, then on the other, before the next test
    # (the closest alternation: load from other processes hits both alike).
    for rnd in range(cfg.rounds):
        for pipe, size in configs:
            t0 = time.perf_counter()
            n = cfg.requests_p1 if pipe == 1 else cfg.requests_p16
            for s in SERVERS:
                try:
                    servers[s].ensure()
                    c = servers[s].conn()
                    c.call("FLUSHALL")
                    c.close()
                except (BenchError, OSError) as e:
                    log("  round %d: %s: %s" % (rnd + 1, s, e))
            for t in tests_run:
                name = tput_name(pipe, size, t[2])
                div = t[4] if pipe == 1 else t[5]
                for s in SERVERS:
                    if t not in supported_tests(missing[s]):
                        continue
                    reqs = max(1000, n // div)
                    try:
                        servers[s].ensure()
                        cpu0 = servers[s].cpu_ns()
                        text = run_rb(cfg.benchmark, servers[s], [t[0]], 50, reqs,
                                      cfg.keyspace, size, pipe)
                        cpu1 = servers[s].cpu_ns()
                        d = parse_rb(text).get(t[1])
                        if not d or "rps" not in d:
                            raise BenchError("no result in redis-benchmark output")
                    except (BenchError, OSError, subprocess.TimeoutExpired) as e:
                        res.fail(name, s, "error: %s" % e)
                        log("  round %d %s %s: %s" % (rnd + 1, name, s, e))
                        continue
                    res.add(name, s, d["rps"])
                    res.add(cpu_name(pipe, size, t[2]), s, (cpu1 - cpu0) / 1000.0 / reqs)
                    if pipe == 1 and size == 3 and t[2] in ("GET", "SET"):
                        for p in ("p50", "p99", "p999"):
                            if p in d:
                                res.add("latency_P1_d3_%s_%s" % (t[2], p), s, d[p])
            log("  round %d P%-2d d%-4d %5.1f s" % (rnd + 1, pipe, size, time.perf_counter() - t0))


# ---------------------------------------------------------------------------
# Workloads 3, 4, 5: data sets loaded into fresh servers
# ---------------------------------------------------------------------------


class Dataset:
    """A data set: the pipelined commands that build it (generated once and
    reused for every server and round), its keys and element count."""

    def __init__(self, name, needs, count, unit, keys, batches, memory=True):
        self.name = name          # short name used in figure names
        self.needs = needs        # commands a server must know to load it
        self.count = count        # keys or elements (the "per" of bytes per key)
        self.unit = unit          # "key" or "element"
        self.keys = keys          # keys to DUMP/RESTORE (None: not dumped one by one)
        self._make = batches      # () -> list of (payload bytes, number of replies)
        self._batches = None
        self.memory = memory

    @property
    def batches(self):
        if self._batches is None:
            self._batches = self._make()
        return self._batches


def _cmds(parts):
    return b"".join(parts)


def build_datasets(cfg, want):
    """Generate the protocol of the data sets the chosen workloads use (a few
    seconds at full size)."""
    n = cfg.elements
    ds = []
    B = 1000   # elements per command

    def batched(cmd, key, item_fn, total, per=B):
        return lambda: _batched(cmd, key, item_fn, total, per)

    def _batched(cmd, key, item_fn, total, per):
        out = []
        for start in range(0, total, per * 50):
            parts = []
            for s0 in range(start, min(total, start + per * 50), per):
                args = [cmd, key] if key is not None else [cmd]
                for i in range(s0, min(total, s0 + per)):
                    args.extend(item_fn(i))
                parts.append(enc(*args))
            out.append((_cmds(parts), len(parts)))
        return out

    # 1M string keys: 10-byte keys, 16-byte values (MSET, 1000 pairs per command)
    ds.append(Dataset("strings", ["MSET"], n, "key", None,
                      batched("MSET", None, lambda i: (b"key:%06d" % i, b"val:%012d" % i), n)))
    ds.append(Dataset("list", ["RPUSH"], n, "element", ["list"],
                      batched("RPUSH", "list", lambda i: (b"m:%08d" % i,), n)))
    ds.append(Dataset("hash", ["HSET"], n, "element", ["hash"],
                      batched("HSET", "hash", lambda i: (b"f:%08d" % i, b"v:%08d" % i), n)))
    ds.append(Dataset("set", ["SADD"], n, "element", ["set"],
                      batched("SADD", "set", lambda i: (b"m:%08d" % i,), n)))
    ds.append(Dataset("zset", ["ZADD"], n, "element", ["zset"],
                      batched("ZADD", "zset", lambda i: (b"%d" % i, b"m:%08d" % i), n)))
    # small hashes: keys named as redis-benchmark's __rand_int__ expands (12 digits)
    ns = cfg.small

    def small():
        parts, out = [], []
        for i in range(ns):
            parts.append(enc("HSET", b"h:%012d" % i, "f0", b"v%07d" % i, "f1", b"w%07d" % i,
                             "f2", b"x%07d" % i, "f3", b"y%07d" % i, "f4", b"z%07d" % i))
            if len(parts) == 20000:
                out.append((_cmds(parts), len(parts)))
                parts = []
        if parts:
            out.append((_cmds(parts), len(parts)))
        return out
    ds.append(Dataset("smallhash", ["HSET"], ns, "key", "small", small))
    # one large string of random bytes (DUMP/RESTORE only)
    ds.append(Dataset("bigstring", ["SET"], cfg.bigstring, "byte", ["big"],
                      lambda: [(enc("SET", "big", os.urandom(cfg.bigstring)), 1)], memory=False))
    keep = []
    for d in ds:
        if (3 in want and d.memory) or (4 in want and d.keys is not None) or \
                (5 in want and d.name == "strings"):
            keep.append(d)
    return keep


def load(server, dataset):
    c = server.conn()
    try:
        total = 0.0
        for payload, nrep in dataset.batches:
            dt, err = pipeline_lines(c, payload, nrep)
            total += dt
            if err:
                if err.startswith("ERR unknown command"):
                    raise Unsupported(err)
                raise BenchError(err)
        return total
    finally:
        c.close()


def settle(server):
    """Let background work (incremental rehash, cron) finish before measuring."""
    time.sleep(0.3)


def timed_call(conn, payload):
    t0 = time.perf_counter()
    conn.send(payload)
    r = conn.read()
    return time.perf_counter() - t0, r


def payload_elements(ds):
    return ds.count


def collect_small_dumps(conn, n):
    """DUMP h:000000000000 .. h:<n-1> (pipelined in batches); list of payloads."""
    out = []
    for start in range(0, n, 1000):
        keys = [b"h:%012d" % i for i in range(start, min(n, start + 1000))]
        conn.send(b"".join(enc("DUMP", k) for k in keys))
        for _ in keys:
            r = conn.read()
            if isinstance(r, RespError):
                raise BenchError(str(r))
            if r is None:
                raise BenchError("DUMP returned nil for an existing key")
            out.append(r)
    return out


def workload_datasets(cfg, res, missing, workdir, want):
    datasets = build_datasets(cfg, want)
    per = {"key": "B/key", "element": "B/elem"}
    for ds in datasets:
        if 3 in want and ds.memory:
            res.declare("memory_%s_used_memory" % ds.name, 3, per[ds.unit], "lower")
            res.declare("memory_%s_rss" % ds.name, 3, per[ds.unit], "lower")
        if 4 in want and ds.keys is not None:
            unit = "MB/s" if ds.name == "bigstring" else ("values/s" if ds.name == "smallhash" else "elem/s")
            res.declare("dump_%s" % ds.name, 4, unit, "higher")
            for src in SERVERS:
                res.declare("restore_%s_from_%s" % (ds.name, src), 4, unit, "higher")
            res.declare("restore_%s_from_other" % ds.name, 4, unit, "higher")
            if ds.name != "smallhash":
                res.declare("dump_%s_seconds" % ds.name, 4, "s", "lower")
                res.declare("dump_%s_payload_bytes" % ds.name, 4, "bytes", "lower")
    if 5 in want:
        res.declare("startup_ms", 5, "ms", "lower")
        res.declare("flushall_sync_%s_keys_ms" % human(cfg.elements), 5, "ms", "lower")
        res.declare("flushall_async_%s_keys_ms" % human(cfg.elements), 5, "ms", "lower")

    for rnd in range(cfg.rounds):
        for ds in datasets:
            t0 = time.perf_counter()
            servers = {}
            loaded = {}
            try:
                for s in SERVERS:
                    servers[s] = Server(s, cfg.bins[s], workdir).start()
                    if 5 in want:
                        res.add("startup_ms", s, servers[s].startup_s * 1000)
                for s in SERVERS:
                    loaded[s] = dataset_load_and_measure(cfg, res, servers[s], s, ds, missing, want)
                if 4 in want and ds.keys is not None:
                    dataset_dump_restore(cfg, res, servers, ds, missing, loaded)
                if 5 in want and ds.name == "strings":
                    for s in SERVERS:
                        if loaded[s]:
                            flush_times(cfg, res, servers[s], s, ds, missing)
            except BenchError as e:
                log("  round %d %s: %s" % (rnd + 1, ds.name, e))
            finally:
                for srv in servers.values():
                    srv.stop()
            log("  round %d %-10s %5.1f s" % (rnd + 1, ds.name, time.perf_counter() - t0))


def human(n):
    if n >= 1000000 and n % 1000000 == 0:
        return "%dM" % (n // 1000000)
    if n >= 1000 and n % 1000 == 0:
        return "%dk" % (n // 1000)
    return str(n)


def dataset_figures(ds, want):
    names = []
    if 3 in want and ds.memory:
        names += ["memory_%s_used_memory" % ds.name, "memory_%s_rss" % ds.name]
    if 4 in want and ds.keys is not None:
        names += ["dump_%s" % ds.name] + ["restore_%s_from_%s" % (ds.name, x) for x in SERVERS + ("other",)]
        if ds.name != "smallhash":
            names += ["dump_%s_seconds" % ds.name, "dump_%s_payload_bytes" % ds.name]
    return names


def dataset_load_and_measure(cfg, res, srv, s, ds, missing, want):
    """Load ds into srv and record memory figures. Returns True when loaded."""
    lacking = [n for n in ds.needs if n in missing[s]]
    if lacking:
        for name in dataset_figures(ds, want):
            res.fail(name, s, "unsupported")
        if 4 in want and ds.keys is not None:   # no payload made by this server either
            for x in SERVERS:
                res.fail("restore_%s_from_%s" % (ds.name, s), x,
                         "unsupported" if x == s else "no %s payload" % s)
        return False
    try:
        rss0, used0 = srv.rss(), srv.used_memory()
        load(srv, ds)
        settle(srv)
        rss1, used1 = srv.rss(), srv.used_memory()
    except Unsupported:
        for name in dataset_figures(ds, want):
            res.fail(name, s, "unsupported")
        return False
    except (BenchError, OSError) as e:
        for name in dataset_figures(ds, want):
            res.fail(name, s, "error: %s" % e)
        return False
    if 3 in want and ds.memory:
        res.add("memory_%s_used_memory" % ds.name, s, (used1 - used0) / ds.count)
        res.add("memory_%s_rss" % ds.name, s, (rss1 - rss0) / ds.count)
    return True


def dataset_dump_restore(cfg, res, servers, ds, missing, loaded):
    payloads = {}      # producing server -> payload (or list of payloads)
    small = ds.name == "smallhash"
    # DUMP, timed
    for s in SERVERS:
        if not loaded[s]:
            continue
        if "DUMP" in missing[s]:
            res.fail("dump_%s" % ds.name, s, "unsupported")
            if not small:
                res.fail("dump_%s_seconds" % ds.name, s, "unsupported")
                res.fail("dump_%s_payload_bytes" % ds.name, s, "unsupported")
            for x in SERVERS:
                res.fail("restore_%s_from_%s" % (ds.name, s), x,
                         "unsupported" if x == s else "no %s payload" % s)
            continue
        srv = servers[s]
        try:
            if small:
                text = run_rb(cfg.benchmark, srv, None, 50, cfg.small, cfg.small, 3, 16,
                              extra=["DUMP", "h:__rand_int__"])
                out = parse_rb(text)
                d = next(iter(out.values()), None)
                if not d or "rps" not in d:
                    raise BenchError("no result in redis-benchmark output")
                c = srv.conn()
                try:
                    probe_reply = c.call("DUMP", b"h:%012d" % 0)
                    if isinstance(probe_reply, RespError):
                        raise BenchError(str(probe_reply))
                    payloads[s] = collect_small_dumps(c, cfg.small)
                finally:
                    c.close()
                res.add("dump_%s" % ds.name, s, d["rps"])
            else:
                c = srv.conn()
                try:
                    dt, r = timed_call(c, enc("DUMP", ds.keys[0]))
                finally:
                    c.close()
                if isinstance(r, RespError) or r is None:
                    raise BenchError(str(r))
                payloads[s] = r
                res.add("dump_%s_seconds" % ds.name, s, dt)
                res.add("dump_%s_payload_bytes" % ds.name, s, len(r))
                res.add("dump_%s" % ds.name, s,
                        (len(r) / MB if ds.name == "bigstring" else ds.count) / dt)
        except (BenchError, OSError) as e:
            res.fail("dump_%s" % ds.name, s, "error: %s" % e)
            for x in SERVERS:
                res.fail("restore_%s_from_%s" % (ds.name, s), x, "error: DUMP failed on %s" % s)
    # RESTORE every available payload into every server, timed
    for src, payload in payloads.items():
        name = "restore_%s_from_%s" % (ds.name, src)
        for s in SERVERS:
            srv = servers[s]
            if "RESTORE" in missing[s]:
                res.fail(name, s, "unsupported")
                continue
            try:
                c = srv.conn()
                try:
                    if small:
                        cmds = b"".join(enc("RESTORE", b"r:%012d" % i, "0", p, "REPLACE")
                                        for i, p in enumerate(payload))
                        dt, err = pipeline_lines(c, cmds, len(payload))
                        if err:
                            raise BenchError(err)
                        res.add(name, s, len(payload) / dt)
                        if src != s:
                            res.add("restore_%s_from_other" % ds.name, s, len(payload) / dt)
                    else:
                        c.call("DEL", ds.keys[0] + ":r")
                        cmd = enc("RESTORE", ds.keys[0] + ":r", "0", payload)
                        dt, r = timed_call(c, cmd)
                        if isinstance(r, RespError):
                            raise BenchError(str(r))
                        value = (len(payload) / MB if ds.name == "bigstring" else ds.count) / dt
                        res.add(name, s, value)
                        if src != s:
                            res.add("restore_%s_from_other" % ds.name, s, value)
                        c.call("UNLINK", ds.keys[0] + ":r")
                finally:
                    c.close()
            except (BenchError, OSError) as e:
                res.fail(name, s, "error: %s" % e)


def flush_times(cfg, res, srv, s, ds, missing):
    sync = "flushall_sync_%s_keys_ms" % human(cfg.elements)
    asyn = "flushall_async_%s_keys_ms" % human(cfg.elements)
    if "FLUSHALL" in missing[s]:
        res.fail(sync, s, "unsupported")
        res.fail(asyn, s, "unsupported")
        return
    for name, arg in ((sync, "SYNC"), (asyn, "ASYNC")):
        try:
            if arg == "ASYNC":
                load(srv, ds)
                settle(srv)
            c = srv.conn()
            try:
                if c.ok("DBSIZE") != ds.count:
                    raise BenchError("DBSIZE is not %d before FLUSHALL" % ds.count)
                dt, r = timed_call(c, enc("FLUSHALL", arg))
                if isinstance(r, RespError):
                    raise BenchError(str(r))
                if c.ok("DBSIZE") != 0:
                    raise BenchError("keys left after FLUSHALL")
            finally:
                c.close()
            res.add(name, s, dt * 1000)
        except (BenchError, OSError) as e:
            res.fail(name, s, "error: %s" % e)


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

TITLES = {1: "1. redis-benchmark throughput (50 clients, -r keyspace)",
          2: "2. latency at -P 1, 3-byte values (ms)",
          3: "3. memory growth per key/element (bytes)",
          4: "4. DUMP / RESTORE throughput",
          5: "5. start-up and FLUSHALL (ms, time to reply)",
          6: "6. server CPU time per request during workload 1 (us, all threads, user+system)"}


def report(cfg, res, meta):
    lines = []
    width = max([len(n) for n in res.order] + [20])
    for w in sorted(TITLES):
        names = [n for n in res.order if res.figs[n]["workload"] == w]
        if not names:
            continue
        lines.append("")
        lines.append(TITLES[w])
        lines.append("  %-*s %-8s %20s %20s %8s" % (width, "figure", "unit", "cairn", "redis",
                                                   "ratio"))
        for n in names:
            f = res.figs[n]
            _, ratio = res.summary(n)
            lines.append("  %-*s %-8s %20s %20s %8s" % (
                width, n, f["unit"], res.cell(n, "cairn"), res.cell(n, "redis"),
                "%.3f" % ratio if ratio is not None else "n/a"))
    # geometric mean of the throughput ratios (workload 1, both servers measured)
    tp = [n for n in res.order if res.figs[n]["workload"] == 1 and res.summary(n)[1] is not None]
    geo = None
    if tp:
        c = math.exp(statistics.fmean(math.log(res.summary(n)[0]["cairn"]) for n in tp))
        r = math.exp(statistics.fmean(math.log(res.summary(n)[0]["redis"]) for n in tp))
        worst = min(tp, key=lambda n: res.summary(n)[1])
        geo = {"tests": len(tp), "cairn": c, "redis": r, "ratio": c / r,
               "worst": worst, "worst_ratio": res.summary(worst)[1]}
        lines.append("")
        lines.append("throughput geometric mean over %d tests: ratio %.3f (lowest: %s %.3f)" % (
            len(tp), c / r, worst, geo["worst_ratio"]))
    lines.append("")
    lines.append("summary (median of %d rounds, ratio = cairn/redis):" % cfg.rounds)
    for n in res.order:
        _, ratio = res.summary(n)
        lines.append("%s cairn=%s redis=%s ratio=%s" % (
            n, res.cell(n, "cairn"), res.cell(n, "redis"),
            "%.3f" % ratio if ratio is not None else "n/a"))
    if geo:
        lines.append("throughput_geomean cairn=%s redis=%s ratio=%.3f" % (
            fmt(geo["cairn"]), fmt(geo["redis"]), geo["ratio"]))
    text = "\n".join(lines)
    print(text, flush=True)

    doc = {"meta": meta, "figures": [], "throughput_geomean": geo}
    for n in res.order:
        f = res.figs[n]
        med, ratio = res.summary(n)
        doc["figures"].append({
            "name": n, "workload": f["workload"], "unit": f["unit"], "better": f["better"],
            "cairn": {"median": med["cairn"], "samples": f["cairn"],
                      "status": "ok" if med["cairn"] is not None else f["status"].get("cairn", "no data")},
            "redis": {"median": med["redis"], "samples": f["redis"],
                      "status": "ok" if med["redis"] is not None else f["status"].get("redis", "no data")},
            "ratio": ratio})
    os.makedirs(os.path.dirname(cfg.out), exist_ok=True)
    tmp = cfg.out + ".tmp"
    with open(tmp, "w") as fobj:
        json.dump(doc, fobj, indent=1)
    os.replace(tmp, cfg.out)
    log("wrote %s" % os.path.relpath(cfg.out, os.getcwd()))


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Cairn vs redis-server, side by side (issue 7).")
    ap.add_argument("--quick", action="store_true", help="small counts: under 2 minutes")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds (>= 3 by default)")
    ap.add_argument("--workloads", default="1,2,3,4,5",
                    help="comma list of 1-5 (2 comes with 1: same redis-benchmark runs)")
    ap.add_argument("--cairn", default=os.path.join(ROOT, "src", "cairn-server"))
    ap.add_argument("--redis", default=shutil.which("redis-server") or "/usr/bin/redis-server")
    ap.add_argument("--benchmark", default=shutil.which("redis-benchmark") or "/usr/bin/redis-benchmark")
    ap.add_argument("--requests-p1", type=int, help="redis-benchmark -n per test at -P 1")
    ap.add_argument("--requests-p16", type=int, help="redis-benchmark -n per test at -P 16")
    ap.add_argument("--tests", help="comma list of workload 1 tests (default all): " +
                    ",".join(t[2] for t in RB_TESTS))
    ap.add_argument("--keyspace", type=int, default=100000, help="redis-benchmark -r")
    ap.add_argument("--elements", type=int, help="string keys / collection elements (default 1M)")
    ap.add_argument("--small", type=int, help="number of small hashes (default 100k)")
    ap.add_argument("--bigstring", type=int, help="size of the large string in bytes (default 100 MB)")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "latest.json"))
    cfg = ap.parse_args(argv)
    q = cfg.quick
    defaults = {"requests_p1": 4000 if q else 25000, "requests_p16": 20000 if q else 150000,
                "elements": 100000 if q else 1000000, "small": 10000 if q else 100000,
                "bigstring": 10 * 1000 * 1000 if q else 100 * 1000 * 1000}
    for k, v in defaults.items():
        if getattr(cfg, k) is None:
            setattr(cfg, k, v)
    cfg.warmup = 2000 if q else 20000
    cfg.bins = {"cairn": cfg.cairn, "redis": cfg.redis}
    try:
        cfg.want = {int(x) for x in cfg.workloads.split(",") if x.strip()}
    except ValueError:
        ap.error("--workloads takes numbers 1-5")
    if not cfg.want <= {1, 2, 3, 4, 5}:
        ap.error("--workloads takes numbers 1-5")
    if 2 in cfg.want:
        cfg.want.add(1)
    if cfg.tests:
        names = {t[2] for t in RB_TESTS}
        cfg.tests = {x.strip().upper() for x in cfg.tests.split(",") if x.strip()}
        if not cfg.tests <= names:
            ap.error("--tests: unknown %s" % ", ".join(sorted(cfg.tests - names)))
    if cfg.rounds < 1:
        ap.error("--rounds must be >= 1")
    return cfg


def version(binary):
    try:
        p = subprocess.run([binary, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=10)
        return p.stdout.decode(errors="replace").strip()
    except (OSError, subprocess.TimeoutExpired) as e:
        return "unknown (%s)" % e


def git_head():
    try:
        p = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=10)
        return p.stdout.decode().strip() or None
    except (OSError, subprocess.TimeoutExpired):
        return None


def main(argv):
    cfg = parse_args(argv)
    for b in (cfg.cairn, cfg.redis, cfg.benchmark):
        if not os.access(b, os.X_OK):
            sys.exit("bench: %s is not an executable (build with `make`)" % b)
    meta = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "host": platform.node(), "cpus": os.cpu_count(), "loadavg_start": os.getloadavg(),
            "cairn": cfg.cairn, "cairn_version": version(cfg.cairn), "git": git_head(),
            "redis": cfg.redis, "redis_version": version(cfg.redis),
            "redis_benchmark": version(cfg.benchmark),
            "settings": {k: getattr(cfg, k) for k in ("quick", "rounds", "requests_p1", "requests_p16",
                                                        "keyspace", "elements", "small", "bigstring")},
            "workloads": sorted(cfg.want), "order": "alternating " + " ".join(SERVERS)}
    res = Results()
    workdir = tempfile.mkdtemp(prefix="cairn-bench-")
    servers = {}
    t_start = time.perf_counter()
    try:
        for s in SERVERS:
            servers[s] = Server(s, cfg.bins[s], workdir).start()
        missing = {s: probe(servers[s]) for s in SERVERS}
        meta["unsupported"] = {s: sorted(missing[s]) for s in SERVERS}
        log("bench: cairn lacks %s" % (", ".join(sorted(missing["cairn"])) or "nothing"))
        if 1 in cfg.want:
            log("workloads 1-2 (redis-benchmark)")
            workload_throughput(cfg, res, servers, missing)
        for srv in servers.values():
            srv.stop()
        servers = {}
        if cfg.want & {3, 4, 5}:
            log("workloads %s (data sets)" % ",".join(str(w) for w in sorted(cfg.want & {3, 4, 5})))
            workload_datasets(cfg, res, missing, workdir, cfg.want)
    except KeyboardInterrupt:
        log("interrupted; reporting what was measured")
    finally:
        for srv in servers.values():
            srv.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    meta["seconds"] = round(time.perf_counter() - t_start, 1)
    meta["loadavg_end"] = os.getloadavg()
    report(cfg, res, meta)
    log("bench: %.0f s" % meta["seconds"])


if __name__ == "__main__":
    main(sys.argv[1:])
