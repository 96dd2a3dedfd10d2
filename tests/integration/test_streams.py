"""Stream type: differential tests against redis-server 7.0.15 for every stream
command, blocking reads with concurrent clients, and the listpack node layout.

Most tests use explicit IDs so replies are deterministic; where a reply holds
times (idle, seen-time, delivery time) the test compares them with a tolerance.
Commands are sent with a bytes name so redis-py applies no reply callbacks.
Points where Redis 7.2 differs from 7.0 are marked "7.2:".
"""
import threading
import time

import pytest
import redis

from conftest import run_raw


def raw(args):
    return (args[0].encode() if isinstance(args[0], str) else args[0],) + tuple(args[1:])


@pytest.fixture
def d(diff):
    """diff() without redis-py reply callbacks."""
    return lambda *args: diff(*raw(args))


@pytest.fixture
def both(cairn, redis_ref):
    """Run a command on both servers; return (cairn reply, redis reply)."""
    return lambda *args: (run_raw(cairn, *raw(args)), run_raw(redis_ref, *raw(args)))


def fill(d, key="s", n=10, start=1):
    for i in range(start, start + n):
        d("XADD", key, "%d-1" % i, "f", "v%d" % i, "g", str(i))


# ---- XADD / XLEN / XRANGE / XREVRANGE ---------------------------------------------------

def test_xadd_ids(d):
    assert d("XADD", "s", "1-1", "a", "1") == b"1-1"
    d("XADD", "s", "1-1", "a", "1")                     # equal: error
    d("XADD", "s", "0-5", "a", "1")                     # smaller: error
    d("XADD", "s", "1-*", "a", "2")                     # 1-2
    d("XADD", "s", "1", "a", "3")                       # 1-0 < top: error
    d("XADD", "s", "5", "a", "3")                       # 5-0
    d("XADD", "s", "5-*", "a", "3")                     # 5-1
    d("XADD", "s", "7-*", "a", "3")                     # 7-0
    d("XADD", "s2", "0-0", "a", "1")                    # must be > 0-0
    d("EXISTS", "s2")
    d("XADD", "s2", "0-*", "a", "1")                    # 0-1
    for bad in ("abc", "1-x", "-", "+", "1-2-3", "-1", "1--1", "18446744073709551616-0", "*-1", "1-**"):
        d("XADD", "s", bad, "a", "1")
    d("XADD", "s", "18446744073709551615-18446744073709551615", "a", "1")
    d("XADD", "s", "*", "a", "1")                       # exhausted
    d("XADD", "s", "18446744073709551615-*", "a", "1")
    d("XLEN", "s")
    d("XRANGE", "s", "-", "+")
    # ms-* after the seq reached its maximum
    d("XADD", "s3", "3-18446744073709551615", "a", "1")
    d("XADD", "s3", "3-*", "a", "1")
    d("XADD", "s3", "4-*", "a", "1")


def test_xadd_auto_id_and_args(cairn, redis_ref, d):
    for cl in (cairn, redis_ref):
        before = int(time.time() * 1000)
        idv = cl.execute_command(b"XADD", "s", "*", "f", "v")
        ms, seq = map(int, idv.split(b"-"))
        assert before - 5 <= ms <= int(time.time() * 1000) + 5 and seq == 0
        fut = cl.execute_command(b"XADD", "fut", "99999999999999-5", "f", "v")
        assert cl.execute_command(b"XADD", "fut", "*", "f", "v") == b"99999999999999-6"
    d("XADD", "s", "*")                                # arity
    d("XADD", "s", "*", "f")
    d("XADD", "s", "*", "f", "v", "g")
    d("XADD", "s", "MAXLEN")
    d("XADD", "s", "MAXLEN", "5")
    d("XADD", "nokey", "NOMKSTREAM", "*", "f", "v")
    d("EXISTS", "nokey")
    d("XADD", "nokey", "nomkstream", "MAXLEN", "1", "1-1", "f", "v")
    d("SET", "str", "x")
    d("XADD", "str", "*", "f", "v")
    d("XADD", "str", "NOMKSTREAM", "*", "f", "v")
    d("XLEN", "str")
    d("XLEN", "nokey")
    d("TYPE", "fut")
    d("OBJECT", "ENCODING", "fut")
    assert fut == b"99999999999999-5"


def test_xadd_trim_options(d):
    fill(d, "s", 30)
    d("XADD", "s", "MAXLEN", "-1", "*", "f", "v")
    d("XADD", "s", "MAXLEN", "x", "*", "f", "v")
    d("XADD", "s", "MAXLEN", "5", "MINID", "3", "*", "f", "v")
    d("XADD", "s", "MINID", "3", "MAXLEN", "5", "*", "f", "v")
    d("XADD", "s", "MAXLEN", "5", "LIMIT", "10", "*", "f", "v")
    d("XADD", "s", "LIMIT", "10", "*", "f", "v")
    d("XADD", "s", "MAXLEN", "~", "5", "LIMIT", "-1", "*", "f", "v")
    d("XADD", "s", "MINID", "bad", "*", "f", "v")
    d("XADD", "s", "MINID", "-", "*", "f", "v")
    d("XADD", "s", "MAXLEN", "=", "25", "31-1", "f", "v")
    d("XLEN", "s")
    d("XADD", "s", "MAXLEN", "~", "5", "32-1", "f", "v")   # one node of 100: nothing trimmed
    d("XLEN", "s")
    d("XADD", "s", "MINID", "20", "33-1", "f", "v")
    d("XRANGE", "s", "-", "+", "COUNT", "3")
    d("XADD", "s", "MINID", "=", "30-2", "34-1", "f", "v")
    d("XRANGE", "s", "-", "+")
    d("XADD", "s", "MAXLEN", "0", "35-1", "f", "v")
    d("XLEN", "s")
    d("XRANGE", "s", "-", "+")


def test_xrange_xrevrange(d):
    fill(d, "s", 20)
    d("XADD", "s", "21-0", "other", "fields", "x", "y", "z", "w")
    d("XADD", "s", "21-5", "f", "12345", "g", "-7")
    for args in (("-", "+"), ("5", "9"), ("5-1", "5-1"), ("5-2", "6"), ("(5-1", "9"), ("5", "(9-1"),
                 ("(5-1", "(6-1"), ("9", "5"), ("-", "+", "COUNT", "3"), ("-", "+", "COUNT", "0"),
                 ("-", "+", "COUNT", "-5"), ("-", "+", "count", "100"), ("(0-0", "+"), ("-", "(18446744073709551615-18446744073709551615"),
                 ("(-", "+"), ("-", "(+"), ("(18446744073709551615-18446744073709551615", "+"), ("-", "(0-0"),
                 ("-", "+", "COUNT"), ("-", "+", "LIMIT", "1"), ("-", "+", "COUNT", "x"), ("x", "+"), ("-", "y"),
                 ("(", "+"), ("21", "21"), ("21-1", "+")):
        d("XRANGE", "s", *args)
        if len(args) >= 2:
            d("XREVRANGE", "s", args[1], args[0], *args[2:])
    d("XRANGE", "nokey", "-", "+")
    d("XREVRANGE", "nokey", "+", "-")
    d("SET", "str", "x")
    d("XRANGE", "str", "-", "+")
    d("XRANGE", "str", "x", "+")


def test_xrange_resp3(diff3):
    diff3("XADD", "s", "1-1", "f", "v")
    diff3("XADD", "s", "2-1", "f", "v", "g", "w")
    diff3("XRANGE", "s", "-", "+")
    diff3("XREVRANGE", "s", "+", "-", "COUNT", "1")
    diff3("XRANGE", "s", "-", "+", "COUNT", "0")


def test_many_nodes(cairn, redis_ref, d):
    for cl in (cairn, redis_ref):
        cl.execute_command("CONFIG", "SET", "stream-node-max-entries", "7")
        p = cl.pipeline(transaction=False)
        for i in range(1, 301):
            if i % 3:
                p.execute_command(b"XADD", "s", "%d-%d" % (i, i % 5), "f", "v%d" % i, "n", i)
            else:
                p.execute_command(b"XADD", "s", "%d-%d" % (i, i % 5), "other", "x" * (i % 40))
        p.execute_command(b"XDEL", "s", *["%d-%d" % (i, i % 5) for i in range(5, 300, 4)])
        p.execute()
    try:
        d("XLEN", "s")
        d("XRANGE", "s", "-", "+")
        d("XREVRANGE", "s", "+", "-")
        for a, b in (("3", "90"), ("(14-4", "(200-0"), ("100", "100-0"), ("299-4", "+")):
            d("XRANGE", "s", a, b, "COUNT", "17")
            d("XREVRANGE", "s", b, a, "COUNT", "17")
        d("XTRIM", "s", "MAXLEN", "~", "150")
        d("XLEN", "s")
        d("XTRIM", "s", "MINID", "~", "200")
        d("XLEN", "s")
        d("XTRIM", "s", "MAXLEN", "~", "10", "LIMIT", "14")
        d("XLEN", "s")
        d("XTRIM", "s", "MINID", "250-3")
        d("XRANGE", "s", "-", "+")
        d("XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "0")
        d("XLEN", "s")
        d("XRANGE", "s", "-", "+")
    finally:
        for cl in (cairn, redis_ref):
            cl.execute_command("CONFIG", "SET", "stream-node-max-entries", "100")


def test_node_max_bytes(cairn, redis_ref, d):
    for cl in (cairn, redis_ref):
        cl.execute_command("CONFIG", "SET", "stream-node-max-bytes", "200")
    try:
        for i in range(1, 60):
            d("XADD", "s", "%d-0" % i, "field", "value-%d" % i * (i % 4 + 1))
        d("XTRIM", "s", "MAXLEN", "~", "30")
        d("XLEN", "s")
        d("XRANGE", "s", "-", "+")
    finally:
        for cl in (cairn, redis_ref):
            cl.execute_command("CONFIG", "SET", "stream-node-max-bytes", "4096")


# ---- XDEL / XTRIM -------------------------------------------------------------------------

def test_xdel(d):
    fill(d, "s", 10)
    d("XDEL", "s", "3-1", "3-1", "4-1", "99-1")
    d("XDEL", "s", "5-1", "bad")
    d("XDEL", "s", "-")
    d("XLEN", "s")
    d("XRANGE", "s", "-", "+")
    d("XREVRANGE", "s", "+", "-")
    d("XDEL", "s", *["%d-1" % i for i in range(1, 11)])
    d("XLEN", "s")
    d("XRANGE", "s", "-", "+")
    d("EXISTS", "s")
    d("XADD", "s", "5-1", "f", "v")                     # below last id
    d("XADD", "s", "11-1", "f", "v")
    d("XRANGE", "s", "-", "+")
    d("XDEL", "nokey", "1-1")
    d("SET", "str", "x")
    d("XDEL", "str", "1-1")


def test_xtrim(d):
    fill(d, "s", 10)
    d("XTRIM", "s")
    d("XTRIM", "s", "MAXLEN")
    d("XTRIM", "s", "FOO", "1")
    d("XTRIM", "s", "MAXLEN", "5", "LIMIT", "1")
    d("XTRIM", "s", "MAXLEN", "5", "junk")
    d("XTRIM", "s", "MAXLEN", "5", "NOMKSTREAM")
    d("XTRIM", "s", "MAXLEN", "~", "5", "LIMIT", "x")
    d("XTRIM", "s", "MAXLEN", "8")
    d("XTRIM", "s", "MAXLEN", "=", "8")
    d("XTRIM", "s", "MINID", "5")
    d("XTRIM", "s", "MINID", "(5")
    d("XTRIM", "s", "MAXLEN", "100")
    d("XRANGE", "s", "-", "+")
    d("XTRIM", "s", "MAXLEN", "0")
    d("XLEN", "s")
    d("XTRIM", "nokey", "MAXLEN", "0")
    d("XTRIM", "nokey", "MAXLEN", "-1")
    d("SET", "str", "x")
    d("XTRIM", "str", "MAXLEN", "0")


def test_type_copy(d):
    fill(d, "s", 3)
    d("TYPE", "s")
    d("OBJECT", "ENCODING", "s")
    d("COPY", "s", "c")
    d("XADD", "c", "9-1", "f", "v")
    d("XRANGE", "s", "-", "+")
    d("XRANGE", "c", "-", "+")
    d("DEL", "s")
    d("XLEN", "s")
