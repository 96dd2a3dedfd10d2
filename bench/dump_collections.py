#!/usr/bin/env python3
"""DUMP / RESTORE throughput of 1M-element collections and a 100 MB string on Cairn and
on redis-server 7.0.15, same machine, same client (measurement only: no
pass/fail). Both servers run at once and are measured in alternation. Prints
seconds per DUMP and per RESTORE (best of --runs), each timed from sending
the command to reading the whole reply, beside the server's own time for the
command (SLOWLOG: no network, no client), and the server-side speed-up.
Kinds: hash, zset, list, set (1M elements by default) and string (100 MB of
random bytes whatever --n is).
usage: bench/dump_collections.py [--n 1000000] [--runs 3] [--kinds hash,zset,list,set,string]"""
import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
from conftest import CAIRN_BIN, REDIS_BIN, RawClient, ServerProc  # noqa: E402


def fill(c, kind, n):
    rng = random.Random(1)
    if kind == "string":
        # a 100 MB string of random (incompressible) bytes, whatever --n is
        c.call("SET", kind, os.urandom(100 * 1000 * 1000))
        return
    batch = 1000
    for start in range(0, n, batch):
        args = []
        for i in range(start, min(n, start + batch)):
            if kind == "hash":
                args += [b"field:%d" % i, b"value:%d" % rng.randrange(10**9)]
            elif kind == "list":
                args.append(b"item:%d" % rng.randrange(10**9))
            elif kind == "set":
                args.append(b"member:%d" % i)
            else:
                args += [repr(rng.uniform(-1e6, 1e6)).encode(), b"member:%d" % i]
        c.send({"hash": "HSET", "zset": "ZADD", "list": "RPUSH", "set": "SADD"}[kind], kind, *args)
    for start in range(0, n, batch):
        c.read()


def server_us(c):
    """Microseconds the server itself spent in the last command (SLOWLOG with
    slowlog-log-slower-than 0: excludes the network and the client)."""
    entry = c.call("SLOWLOG", "GET", "2")
    for e in entry:
        if e[3][0].upper() in (b"DUMP", b"RESTORE"):
            return e[2] / 1e6
    raise AssertionError(entry)


def timed(c, *args):
    t = time.perf_counter()
    r = c.call(*args)
    return time.perf_counter() - t, r


def timed_dump(c, key):
    """DUMP read straight into a preallocated buffer (the generic client's
    reader copies its buffer per chunk, which would dominate a 30 MB reply)."""
    t = time.perf_counter()
    c.send("DUMP", key)
    sock = c.sock
    head = b""
    while b"\r\n" not in head:
        head += sock.recv(64)
    line, rest = head.split(b"\r\n", 1)
    assert line[:1] == b"$", line
    n = int(line[1:])
    buf = bytearray(n + 2)
    view = memoryview(buf)
    view[:len(rest)] = rest
    got = len(rest)
    while got < n + 2:
        got += sock.recv_into(view[got:])
    return time.perf_counter() - t, bytes(buf[:n])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--kinds", default="hash,zset,list")
    a = ap.parse_args()
    # both servers run side by side and are measured in alternation (A B A B),
    # so that a shared machine's load swings hit both alike
    names = ("cairn", "redis-7.0.15")
    servers = [ServerProc(b) for b in (CAIRN_BIN, REDIS_BIN)]
    conns = [RawClient(s.port) for s in servers]
    try:
        for c in conns:
            c.sock.settimeout(600)
            c.call("CONFIG", "SET", "slowlog-log-slower-than", "0")
        for kind in a.kinds.split(","):
            stats = {}
            for name, c in zip(names, conns):
                fill(c, kind, a.n)
                stats[name] = {"enc": c.call("OBJECT", "ENCODING", kind).decode(), "d": [], "sd": [], "r": [], "sr": []}
            for _ in range(a.runs):
                for name, c in zip(names, conns):
                    st = stats[name]
                    dt, payload = timed_dump(c, kind)
                    st["d"].append(dt)
                    st["sd"].append(server_us(c))
                    st["payload"] = payload
                    c.call("DEL", kind + "2")
                    dt, r = timed(c, "RESTORE", kind + "2", "0", payload)
                    assert r == ("status", b"OK"), r
                    st["r"].append(dt)
                    st["sr"].append(server_us(c))
            for name, c in zip(names, conns):
                st = stats[name]
                n2 = c.call({"hash": "HLEN", "zset": "ZCARD", "list": "LLEN", "set": "SCARD",
                             "string": "STRLEN"}[kind], kind + "2")
                assert n2 == (100 * 1000 * 1000 if kind == "string" else a.n), n2
                payload = st["payload"]
                print("%-13s %-6s n=%d (%s) payload %.1f MB, type %d: DUMP %.3f s (server %.3f), "
                      "RESTORE %.3f s (server %.3f)" % (
                          name, kind, a.n, st["enc"], len(payload) / 1e6, payload[0], min(st["d"]),
                          min(st["sd"]), min(st["r"]), min(st["sr"])), flush=True)
                c.call("DEL", kind, kind + "2")
            c_sd, r_sd = min(stats[names[0]]["sd"]), min(stats[names[1]]["sd"])
            c_sr, r_sr = min(stats[names[0]]["sr"]), min(stats[names[1]]["sr"])
            print("%-6s server-side speed-up vs Redis: DUMP %.2fx, RESTORE %.2fx" % (kind, r_sd / c_sd, r_sr / c_sr),
                  flush=True)
    finally:
        for c in conns:
            c.close()
        for s in servers:
            s.stop()


if __name__ == "__main__":
    main()
