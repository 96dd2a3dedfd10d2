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
        d("XINFO", "STREAM", "s")                      # node count (radix-tree-keys)
        d("XTRIM", "s", "MAXLEN", "~", "30")
        d("XLEN", "s")
        d("XRANGE", "s", "-", "+")
        d("XINFO", "STREAM", "s")
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


# ---- XREAD ------------------------------------------------------------------------------------

def test_xread(d):
    fill(d, "s", 5)
    fill(d, "t", 3, start=10)
    d("XREAD", "STREAMS", "s", "0")
    d("XREAD", "COUNT", "2", "STREAMS", "s", "t", "2-1", "0-0")
    d("XREAD", "STREAMS", "s", "t", "$", "$")
    d("XREAD", "STREAMS", "s", "5-1")
    d("XREAD", "STREAMS", "s", "nokey", "0", "0")
    d("XREAD", "COUNT", "-3", "STREAMS", "s", "4")
    d("XREAD", "COUNT", "0", "STREAMS", "s", "4")
    d("XREAD", "STREAMS", "s")
    d("XREAD", "STREAMS", "s", "t", "0")
    d("XREAD", "STREAMS", "s", "bad")
    d("XREAD", "STREAMS", "s", ">")
    d("XREAD", "STREAMS", "s", "+")      # 7.4 adds "+"; 7.2 rejects it
    d("XREAD", "STREAMS", "s", "-")
    d("XREAD", "COUNT", "x", "STREAMS", "s", "0")
    d("XREAD", "BLOCK", "x", "STREAMS", "s", "0")
    d("XREAD", "BLOCK", "-1", "STREAMS", "s", "0")
    d("XREAD", "GROUP", "g", "c", "STREAMS", "s", "0")
    d("XREAD", "NOACK", "STREAMS", "s", "0")
    d("XREAD", "FOO", "STREAMS", "s", "0")
    d("XREAD", "COUNT", "1")
    d("XREAD", "BLOCK", "10", "STREAMS", "s", "0")
    d("XREAD", "BLOCK", "10", "STREAMS", "s", "$")    # times out: null
    d("XDEL", "s", "5-1")
    d("XREAD", "STREAMS", "s", "4-1")                 # nothing after the last live entry
    d("SET", "str", "x")
    d("XREAD", "STREAMS", "s", "str", "0", "0")
    d("XREAD", "STREAMS", "s", "str", "$", "bad")


def test_xread_resp3(diff3):
    diff3("XADD", "s", "1-1", "f", "v")
    diff3("XADD", "t", "1-1", "f", "v")
    diff3("XREAD", "STREAMS", "s", "t", "0", "0")
    diff3("XREAD", "STREAMS", "s", "1-1")
    diff3("XGROUP", "CREATE", "s", "g", "0")
    diff3("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
    diff3("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0")


def test_xread_in_multi(d, cairn, redis_ref):
    for cl in (cairn, redis_ref):
        p = cl.pipeline(transaction=True)
        p.execute_command(b"XREAD", "BLOCK", "0", "STREAMS", "s", "$")
        p.execute_command(b"XADD", "s", "1-1", "f", "v")
        p.execute_command(b"XREAD", "BLOCK", "0", "STREAMS", "s", "0")
        assert p.execute() == [None, b"1-1", [[b"s", [[b"1-1", [b"f", b"v"]]]]]]


def blocked_call(server_fixture, *args):
    """Run a command on a fresh connection in a thread; returns (thread, result list)."""
    out = []
    cl = server_fixture.client()

    def run():
        try:
            out.append(cl.execute_command(*raw(args)))
        except redis.exceptions.ResponseError as e:
            out.append(("error", str(e)))
        finally:
            cl.close()
    t = threading.Thread(target=run)
    t.start()
    return t, out


def wait_blocked(cl, n):
    deadline = time.time() + 5
    while time.time() < deadline:
        info = cl.execute_command("INFO", "clients")
        if info.get("blocked_clients", 0) >= n:
            return
        time.sleep(0.01)
    raise AssertionError("clients did not block")


@pytest.mark.parametrize("which", ["cairn", "redis"])
def test_xread_block_wakes(which, cairn_server, redis_server, cairn, redis_ref):
    srv, cl = (cairn_server, cairn) if which == "cairn" else (redis_server, redis_ref)
    cl.execute_command(b"XADD", "s", "1-1", "f", "v")
    t1, r1 = blocked_call(srv, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    t2, r2 = blocked_call(srv, "XREAD", "BLOCK", "5000", "COUNT", "1", "STREAMS", "other", "s", "$", "1-1")
    t3, r3 = blocked_call(srv, "XREAD", "BLOCK", "50", "STREAMS", "s", "$")
    wait_blocked(cl, 3)
    t3.join(5)
    assert r3 == [None]                       # timed out
    cl.execute_command(b"XADD", "other", "1-1", "x", "y")   # wakes t2 only
    t2.join(5)
    assert r2 == [[[b"other", [[b"1-1", [b"x", b"y"]]]]]]
    time.sleep(0.05)
    assert t1.is_alive()
    cl.execute_command(b"XADD", "s", "2-1", "a", "b")
    t1.join(5)
    assert r1 == [[[b"s", [[b"2-1", [b"a", b"b"]]]]]]


@pytest.mark.parametrize("which", ["cairn", "redis"])
def test_xreadgroup_block(which, cairn_server, redis_server, cairn, redis_ref):
    srv, cl = (cairn_server, cairn) if which == "cairn" else (redis_server, redis_ref)
    cl.execute_command(b"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    t1, r1 = blocked_call(srv, "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
    wait_blocked(cl, 1)                       # alice first in the queue
    t2, r2 = blocked_call(srv, "XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "NOACK", "STREAMS", "s", ">")
    wait_blocked(cl, 2)
    cl.execute_command(b"XADD", "s", "1-1", "f", "v")
    t1.join(5)
    assert r1 == [[[b"s", [[b"1-1", [b"f", b"v"]]]]]]
    time.sleep(0.05)
    assert t2.is_alive()                      # alice took the only entry
    cl.execute_command(b"XADD", "s", "2-1", "f", "w")
    t2.join(5)
    assert r2 == [[[b"s", [[b"2-1", [b"f", b"w"]]]]]]
    pend = cl.execute_command(b"XPENDING", "s", "g")
    assert pend == [1, b"1-1", b"1-1", [[b"alice", b"1"]]]
    # destroying the group wakes a blocked reader with NOGROUP
    t3, r3 = blocked_call(srv, "XREADGROUP", "GROUP", "g", "carol", "BLOCK", "0", "STREAMS", "s", ">")
    wait_blocked(cl, 1)
    cl.execute_command(b"XGROUP", "DESTROY", "s", "g")
    t3.join(5)
    # 7.0: "NOGROUP the consumer group this client was blocked on no longer exists";
    # 7.2 runs the command again and answers its own NOGROUP error
    assert r3[0][0] == "error" and r3[0][1].startswith("NOGROUP")
    if which == "cairn":
        assert r3[0][1] == "NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option"


# ---- consumer groups ------------------------------------------------------------------------------

def test_xgroup(d):
    d("XGROUP", "CREATE", "s", "g", "$")
    d("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    d("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    d("XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", "-2")
    d("XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", "x")
    d("XGROUP", "CREATE", "s", "g2", "0", "FOO")
    d("XGROUP", "CREATE", "s", "g2", "bad")
    d("XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD")
    fill(d, "s", 5)
    d("XGROUP", "CREATE", "s", "g2", "2-1", "ENTRIESREAD", "2")
    d("XGROUP", "CREATE", "s", "g3", "$")
    d("XGROUP", "CREATE", "s", "a0", "-")
    d("XGROUP", "CREATE", "s", "a1", "+")
    d("XINFO", "GROUPS", "s")
    d("XGROUP", "SETID", "s", "g", "3")
    d("XGROUP", "SETID", "s", "g", "$", "ENTRIESREAD", "5")
    d("XGROUP", "SETID", "s", "g", "-")
    d("XGROUP", "SETID", "s", "nog", "0")
    d("XGROUP", "SETID", "s", "g", "0", "MKSTREAM")
    d("XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD")
    d("XGROUP", "SETID", "nokey", "g", "0")
    d("XINFO", "GROUPS", "s")
    d("XGROUP", "CREATECONSUMER", "s", "g", "alice")
    d("XGROUP", "CREATECONSUMER", "s", "g", "alice")
    d("XGROUP", "CREATECONSUMER", "s", "nog", "alice")
    d("XGROUP", "CREATECONSUMER", "nokey", "g", "alice")
    d("XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "STREAMS", "s", ">")
    d("XGROUP", "DELCONSUMER", "s", "g", "bob")
    d("XGROUP", "DELCONSUMER", "s", "g", "bob")
    d("XGROUP", "DELCONSUMER", "s", "g", "alice")
    d("XPENDING", "s", "g")
    d("XGROUP", "DESTROY", "s", "g3")
    d("XGROUP", "DESTROY", "s", "g3")
    d("XGROUP", "DESTROY", "nokey", "g3")
    d("XGROUP", "FOO", "s", "g")
    d("XGROUP", "HELP")
    d("XGROUP")
    d("XGROUP", "CREATE", "s")
    d("SET", "str", "x")
    d("XGROUP", "CREATE", "str", "g", "$")
    d("XGROUP", "CREATE", "str", "g", "$", "MKSTREAM")
    d("XINFO", "GROUPS", "s")


def test_xreadgroup_and_xack(d, both):
    fill(d, "s", 6)
    d("XGROUP", "CREATE", "s", "g", "0")
    d("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">")
    d("XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "STREAMS", "s", ">")
    d("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0")
    d("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", "(1-1")
    d("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "2-1")
    d("XREADGROUP", "GROUP", "g", "carol", "STREAMS", "s", "0")
    d("XREADGROUP", "GROUP", "g", "dave", "NOACK", "COUNT", "1", "STREAMS", "s", ">")
    d("XPENDING", "s", "g")
    d("XACK", "s", "g", "1-1", "1-1", "9-9")
    d("XACK", "s", "g", "2-1", "bad")
    d("XACK", "s", "nog", "2-1")
    d("XACK", "nokey", "g", "2-1")
    d("XPENDING", "s", "g")
    # entry deleted while pending: history shows it with a null body
    d("XDEL", "s", "2-1")
    d("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0")
    d("XREADGROUP", "GROUP", "g", "eve", "STREAMS", "s", ">")
    d("XREADGROUP", "GROUP", "g", "eve", "STREAMS", "s", ">")
    d("XREADGROUP", "GROUP", "g", "eve", "STREAMS", "s", "$")
    d("XREADGROUP", "GROUP", "nog", "eve", "STREAMS", "s", ">")
    d("XREADGROUP", "GROUP", "g", "eve", "STREAMS", "nokey", ">")
    d("XREADGROUP", "GROUP", "g", "eve", "STREAMS", "s")
    d("XREADGROUP", "STREAMS", "s", ">")
    d("XREADGROUP", "GROUP", "g", "STREAMS", "s", ">")
    d("XINFO", "GROUPS", "s")
    a, b = both("XPENDING", "s", "g", "-", "+", "10")
    assert strip_times(a, [2]) == strip_times(b, [2])
    d("SET", "str", "x")
    d("XREADGROUP", "GROUP", "g", "eve", "STREAMS", "str", ">")
    d("XACK", "str", "g", "1-1")


def strip_times(reply, positions, tol=1000):
    """Rows of an XPENDING-like reply with the times at `positions` rounded to
    `tol` ms buckets relative to the first row's value (times differ slightly)."""
    out = []
    for row in reply:
        row = list(row)
        for p in positions:
            row[p] = ("t", (row[p] + tol // 2) // tol) if isinstance(row[p], int) else row[p]
        out.append(row)
    return out


def test_xpending(d, both):
    fill(d, "s", 6)
    d("XGROUP", "CREATE", "s", "g", "0")
    d("XPENDING", "s", "g")
    d("XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "s", ">")
    d("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">")
    d("XPENDING", "s", "g")
    for args in (("-", "+", "10"), ("-", "+", "2"), ("(1-1", "(5-1", "10"), ("-", "+", "10", "bob"),
                 ("-", "+", "10", "nobody"), ("-", "+", "-1"), ("-", "+", "0"), ("IDLE", "0", "-", "+", "10"),
                 ("IDLE", "100000", "-", "+", "10"), ("IDLE", "100000", "-", "+", "10", "bob")):
        a, b = both("XPENDING", "s", "g", *args)
        assert strip_times(a, [2]) == strip_times(b, [2])
    for args in (("-", "+"), ("-",), ("IDLE", "5", "-", "+"), ("IDLE", "x", "-", "+", "1"), ("-", "+", "x"),
                 ("x", "+", "1"), ("-", "x", "1"), ("(-", "+", "1"), ("(18446744073709551615-18446744073709551615", "+", "1"),
                 ("-", "(0-0", "1"), ("-", "+", "1", "c", "extra")):
        d("XPENDING", "s", "g", *args)
    d("XPENDING", "s", "nog")
    d("XPENDING", "nokey", "g")
    d("XPENDING", "nokey", "g", "-", "+", "x")


def test_xclaim(d, both, cairn, redis_ref):
    fill(d, "s", 6)
    d("XGROUP", "CREATE", "s", "g", "0")
    d("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    d("XCLAIM", "s", "g", "bob", "0", "1-1", "2-1")
    d("XCLAIM", "s", "g", "bob", "100000", "3-1")           # not idle enough
    d("XCLAIM", "s", "g", "bob", "0", "3-1", "JUSTID")
    d("XCLAIM", "s", "g", "bob", "0", "4-1", "RETRYCOUNT", "7", "JUSTID")
    d("XCLAIM", "s", "g", "carol", "0", "5-1", "IDLE", "50000", "JUSTID")
    d("XCLAIM", "s", "g", "carol", "0", "6-1", "TIME", "1000", "JUSTID")
    d("XCLAIM", "s", "g", "carol", "0", "99-1", "JUSTID")   # not pending
    d("XCLAIM", "s", "g", "carol", "0", "99-1", "FORCE", "JUSTID")   # entry does not exist
    d("XDEL", "s", "6-1")
    d("XCLAIM", "s", "g", "carol", "0", "6-1")               # deleted entry leaves the PEL
    d("XADD", "s", "7-1", "f", "v")
    d("XCLAIM", "s", "g", "carol", "0", "7-1", "FORCE")      # FORCE creates the PEL entry
    d("XCLAIM", "s", "g", "carol", "0", "1-1", "LASTID", "50-0", "JUSTID")
    d("XINFO", "GROUPS", "s")
    a, b = both("XPENDING", "s", "g", "-", "+", "10")
    assert strip_times(a, [2]) == strip_times(b, [2])
    for bad in (("x", "1-1"), ("0", "1-1", "IDLE", "x"), ("0", "1-1", "TIME", "x"), ("0", "1-1", "RETRYCOUNT", "x"),
                ("0", "1-1", "LASTID", "x"), ("0", "1-1", "FOO"), ("0", "1-1", "IDLE"), ("0", "bad")):
        d("XCLAIM", "s", "g", "bob", *bad)
    d("XCLAIM", "s", "nog", "bob", "0", "1-1")
    d("XCLAIM", "nokey", "g", "bob", "0", "1-1")
    d("XPENDING", "s", "g")


def test_xautoclaim(d, both):
    fill(d, "s", 8)
    d("XGROUP", "CREATE", "s", "g", "0")
    d("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    d("XDEL", "s", "3-1", "4-1")
    d("XAUTOCLAIM", "s", "g", "bob", "0", "0", "COUNT", "3")
    d("XAUTOCLAIM", "s", "g", "bob", "0", "(5-1", "COUNT", "1", "JUSTID")
    d("XAUTOCLAIM", "s", "g", "bob", "100000", "0")
    d("XAUTOCLAIM", "s", "g", "carol", "0", "-", "JUSTID")
    d("XAUTOCLAIM", "s", "g", "carol", "0", "-")
    for bad in (("x", "0"), ("0", "x"), ("0", "0", "COUNT", "0"), ("0", "0", "COUNT", "x"), ("0", "0", "FOO"),
                ("0", "(18446744073709551615-18446744073709551615"), ("0", "0", "COUNT")):
        d("XAUTOCLAIM", "s", "g", "bob", *bad)
    d("XAUTOCLAIM", "s", "nog", "bob", "0", "0")
    d("XAUTOCLAIM", "nokey", "g", "bob", "0", "0")
    a, b = both("XPENDING", "s", "g", "-", "+", "10")
    assert strip_times(a, [2]) == strip_times(b, [2])


def test_xsetid(d):
    d("XSETID", "s", "5-5")
    fill(d, "s", 5)
    d("XSETID", "s", "3-0")
    d("XSETID", "s", "5-1")
    d("XSETID", "s", "10-0", "ENTRIESADDED", "3")
    d("XSETID", "s", "10-0", "ENTRIESADDED", "-1")
    d("XSETID", "s", "10-0", "ENTRIESADDED", "x")
    d("XSETID", "s", "10-0", "MAXDELETEDID", "11-0")
    d("XSETID", "s", "10-0", "MAXDELETEDID", "bad")
    d("XSETID", "s", "10-0", "FOO", "1")
    d("XSETID", "s", "10-0", "ENTRIESADDED")
    d("XSETID", "s", "-")
    d("XSETID", "s", "20-0", "ENTRIESADDED", "100", "MAXDELETEDID", "15-0")
    d("XSETID", "s", "14-0")
    d("XADD", "s", "19-0", "f", "v")
    d("XINFO", "STREAM", "s")
    d("SET", "str", "x")
    d("XSETID", "str", "1-1")


# ---- XINFO ------------------------------------------------------------------------------------------

def info_map(reply):
    return {reply[i]: reply[i + 1] for i in range(0, len(reply), 2)}


def test_xinfo_stream(d, both):
    d("XINFO", "STREAM", "nokey")
    d("XGROUP", "CREATE", "e", "g", "$", "MKSTREAM")
    a, b = both("XINFO", "STREAM", "e")
    a, b = info_map(a), info_map(b)
    assert a == b
    fill(d, "s", 12)
    d("XDEL", "s", "1-1", "7-1")
    d("XGROUP", "CREATE", "s", "g1", "0")
    d("XGROUP", "CREATE", "s", "g2", "5-1")
    d("XREADGROUP", "GROUP", "g1", "c1", "COUNT", "3", "STREAMS", "s", ">")
    a, b = both("XINFO", "STREAM", "s")
    a, b = info_map(a), info_map(b)
    assert a == b
    for args in (("FULL",), ("FULL", "COUNT", "2"), ("FULL", "COUNT", "0"), ("FULL", "COUNT", "-1")):
        a, b = both("XINFO", "STREAM", "s", *args)
        a, b = info_map(a), info_map(b)
        ga, gb = a.pop(b"groups"), b.pop(b"groups")
        assert a == b
        assert len(ga) == len(gb)
        for x, y in zip(ga, gb):
            x, y = info_map(x), info_map(y)
            cx, cy = x.pop(b"consumers"), y.pop(b"consumers")
            px, py = x.pop(b"pending"), y.pop(b"pending")
            assert x == y
            assert [(p[0], p[1], p[3]) for p in px] == [(p[0], p[1], p[3]) for p in py]
            for p in px:
                assert abs(p[2] - time.time() * 1000) < 5000      # delivery time, unix ms
            assert len(cx) == len(cy)
            for u, v in zip(cx, cy):
                u, v = info_map(u), info_map(v)
                assert u[b"name"] == v[b"name"] and u[b"pel-count"] == v[b"pel-count"]
                assert abs(u[b"seen-time"] - v[b"seen-time"]) < 5000
                assert u[b"active-time"] == -1 or abs(u[b"active-time"] - time.time() * 1000) < 5000  # 7.2
                assert [(p[0], p[2]) for p in u[b"pending"]] == [(p[0], p[2]) for p in v[b"pending"]]
    for bad in (("FOO",), ("FULL", "COUNT"), ("FULL", "COUNT", "x"), ("FULL", "FOO", "1"), ("FULL", "COUNT", "1", "x")):
        d("XINFO", "STREAM", "s", *bad)
    d("SET", "str", "x")
    d("XINFO", "STREAM", "str")


def test_xinfo_groups_consumers_lag(d, both):
    fill(d, "s", 10)
    d("XGROUP", "CREATE", "s", "g", "0")
    d("XGROUP", "CREATE", "s", "h", "$")
    d("XGROUP", "CREATE", "s", "k", "3-1", "ENTRIESREAD", "3")
    d("XINFO", "GROUPS", "s")
    d("XREADGROUP", "GROUP", "g", "alice", "COUNT", "4", "STREAMS", "s", ">")
    d("XINFO", "GROUPS", "s")
    d("XDEL", "s", "6-1")
    d("XINFO", "GROUPS", "s")
    d("XREADGROUP", "GROUP", "g", "alice", "COUNT", "4", "STREAMS", "s", ">")
    d("XREADGROUP", "GROUP", "k", "bob", "STREAMS", "s", ">")
    d("XINFO", "GROUPS", "s")
    d("XDEL", "s", "1-1")
    d("XTRIM", "s", "MAXLEN", "3")
    d("XINFO", "GROUPS", "s")
    d("XADD", "s", "20-0", "f", "v")
    d("XINFO", "GROUPS", "s")
    d("XINFO", "GROUPS", "nokey")
    a, b = both("XINFO", "CONSUMERS", "s", "g")
    assert len(a) == len(b)
    for x, y in zip(a, b):
        x, y = info_map(x), info_map(y)
        assert x[b"name"] == y[b"name"] and x[b"pending"] == y[b"pending"]
        assert 0 <= x[b"idle"] < 5000 and 0 <= y[b"idle"] < 5000
        assert 0 <= x[b"inactive"] < 5000         # 7.2 field: it read entries
        assert b"inactive" not in y               # 7.0 lacks it
    d("XGROUP", "CREATECONSUMER", "s", "g", "zed")
    a = both("XINFO", "CONSUMERS", "s", "g")[0]
    assert info_map(a[-1])[b"inactive"] == -1     # 7.2: never active
    d("XINFO", "CONSUMERS", "s", "nog")
    d("XINFO", "CONSUMERS", "nokey", "g")
    d("XINFO", "HELP")
    d("XINFO", "FOO")
    d("XINFO")
    d("XINFO", "GROUPS")


def test_xinfo_lag_tombstones(d, both):
    fill(d, "s", 5)
    d("XGROUP", "CREATE", "s", "g", "0")
    d("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">")
    d("XDEL", "s", "4-1")
    d("XINFO", "GROUPS", "s")
    d("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">")
    d("XINFO", "GROUPS", "s")
    d("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
    d("XINFO", "GROUPS", "s")
    d("XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "0")
    d("XINFO", "GROUPS", "s")
    d("XGROUP", "SETID", "s", "g", "2-1")
    d("XINFO", "GROUPS", "s")
    d("XSETID", "s", "9-0", "ENTRIESADDED", "40", "MAXDELETEDID", "1-0")
    d("XINFO", "GROUPS", "s")
    a, b = both("XINFO", "STREAM", "s")
    a, b = info_map(a), info_map(b)
    assert a == b


def test_xinfo_radix_tree_counts(cairn, redis_ref, d):
    """radix-tree-keys / radix-tree-nodes follow Redis's rax for many node layouts,
    including after whole nodes are removed by XDEL and XTRIM."""
    for cl in (cairn, redis_ref):
        cl.execute_command("CONFIG", "SET", "stream-node-max-entries", "2")
    try:
        ids = []
        ms = 1
        for i in range(120):
            ms += (i * 7919) % 300 + (1 << (i % 40))
            ids.append("%d-%d" % (ms, i % 3))
        for i, x in enumerate(ids):
            d("XADD", "s", x, "f", str(i))
            if i % 17 == 0:
                d("XINFO", "STREAM", "s")
        d("XINFO", "STREAM", "s")
        for x in ids[10:40:3] + ids[41:43]:
            d("XDEL", "s", x)
        d("XINFO", "STREAM", "s")
        d("XTRIM", "s", "MAXLEN", "50")
        d("XINFO", "STREAM", "s")
        d("XTRIM", "s", "MINID", ids[100])
        d("XINFO", "STREAM", "s")
        d("XTRIM", "s", "MAXLEN", "0")
        d("XINFO", "STREAM", "s")
    finally:
        for cl in (cairn, redis_ref):
            cl.execute_command("CONFIG", "SET", "stream-node-max-entries", "100")


@pytest.mark.parametrize("which", ["cairn", "redis"])
def test_reblocked_reader_keeps_deadline(which, cairn_server, redis_server, cairn, redis_ref):
    """A reader woken but left without entries blocks again with its first deadline."""
    srv, cl = (cairn_server, cairn) if which == "cairn" else (redis_server, redis_ref)
    cl.execute_command(b"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    t1, r1 = blocked_call(srv, "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
    wait_blocked(cl, 1)
    start = time.time()
    t2, r2 = blocked_call(srv, "XREADGROUP", "GROUP", "g", "bob", "BLOCK", "800", "STREAMS", "s", ">")
    wait_blocked(cl, 2)
    time.sleep(0.4)
    cl.execute_command(b"XADD", "s", "1-1", "f", "v")     # alice takes it, bob blocks again
    t1.join(5)
    t2.join(5)
    elapsed = time.time() - start
    assert r1 == [[[b"s", [[b"1-1", [b"f", b"v"]]]]]]
    assert r2 == [None]
    assert 0.7 < elapsed < 1.1, elapsed


def test_noack_consumer_not_active(cairn):
    """7.2: XREADGROUP NOACK puts nothing in the PEL, so the consumer stays inactive."""
    cairn.execute_command(b"XADD", "s", "1-1", "f", "v")
    cairn.execute_command(b"XGROUP", "CREATE", "s", "g", "0")
    cairn.execute_command(b"XREADGROUP", "GROUP", "g", "c", "NOACK", "STREAMS", "s", ">")
    c = info_map(cairn.execute_command(b"XINFO", "CONSUMERS", "s", "g")[0])
    assert c[b"inactive"] == -1 and c[b"pending"] == 0
    cairn.execute_command(b"XADD", "s", "2-1", "f", "v")
    cairn.execute_command(b"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
    c = info_map(cairn.execute_command(b"XINFO", "CONSUMERS", "s", "g")[0])
    assert 0 <= c[b"inactive"] < 1000 and c[b"pending"] == 1


@pytest.mark.parametrize("which", ["cairn", "redis"])
@pytest.mark.parametrize("how", ["DEL", "SET", "UNLINK", "FLUSHALL", "FLUSHDB", "SWAPDB"])
def test_deleted_stream_unblocks_xreadgroup(which, how, cairn_server, redis_server, cairn, redis_ref):
    """XREADGROUP waiters get -UNBLOCKED when the key goes away; XREAD waiters stay blocked."""
    srv, cl = (cairn_server, cairn) if which == "cairn" else (redis_server, redis_ref)
    cl.execute_command(b"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    t0, r0 = blocked_call(srv, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    wait_blocked(cl, 1)
    t1, r1 = blocked_call(srv, "XREADGROUP", "GROUP", "g", "a", "BLOCK", "0", "STREAMS", "s", ">")
    t2, r2 = blocked_call(srv, "XREADGROUP", "GROUP", "g", "b", "BLOCK", "0", "STREAMS", "s", ">")
    wait_blocked(cl, 3)
    if how == "SET":
        cl.execute_command(b"SET", "s", "x")
    elif how == "SWAPDB":
        cl.execute_command(b"SWAPDB", "0", "1")
    elif how.startswith("FLUSH"):
        cl.execute_command(how.encode())
    else:
        cl.execute_command(how.encode(), "s")
    t1.join(5)
    t2.join(5)
    assert r1 == r2 == [("error", "UNBLOCKED the stream key no longer exists")]
    time.sleep(0.1)
    assert t0.is_alive()
    cl.execute_command(b"DEL", "s")
    cl.execute_command(b"XADD", "s", "1-1", "f", "v")
    t0.join(5)
    assert r0 == [[[b"s", [[b"1-1", [b"f", b"v"]]]]]]


def test_group_replies_resp3(diff3):
    for i in range(1, 6):
        diff3("XADD", "s", "%d-1" % i, "f", "v%d" % i)
    diff3("XGROUP", "CREATE", "s", "g", "0")
    diff3("XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "s", ">")
    diff3("XPENDING", "s", "g")
    diff3("XCLAIM", "s", "g", "bob", "0", "1-1", "JUSTID")
    diff3("XAUTOCLAIM", "s", "g", "bob", "0", "0", "JUSTID")
    diff3("XACK", "s", "g", "1-1")
    diff3("XINFO", "GROUPS", "s")
    diff3("XINFO", "STREAM", "s")
    diff3("XINFO", "STREAM", "nokey")
    diff3("XGROUP", "CREATE", "s", "g", "0")
    diff3("XPENDING", "s", "nog")
    diff3("XDEL", "s", "2-1")
    diff3("XAUTOCLAIM", "s", "g", "bob", "0", "0")
    diff3("XINFO", "GROUPS", "s")


@pytest.mark.parametrize("seed,max_entries,max_bytes", [(1, 3, 4096), (2, 5, 120), (3, 100, 300), (4, 0, 0)])
def test_random_ops_against_redis(cairn, redis_ref, d, seed, max_entries, max_bytes):
    """Seeded random XADD/XDEL/XTRIM/XRANGE/XREVRANGE/XREAD sequences with small
    nodes; every reply (and XINFO STREAM, which shows the node count) must match."""
    import random
    rnd = random.Random(seed)
    for cl in (cairn, redis_ref):
        cl.execute_command("CONFIG", "SET", "stream-node-max-entries", str(max_entries))
        cl.execute_command("CONFIG", "SET", "stream-node-max-bytes", str(max_bytes))
    try:
        ms = 0
        live = []
        fieldsets = [("a",), ("a", "b"), ("b", "a"), ("x", "y", "z"), ("a",)]
        for step in range(700):
            op = rnd.random()
            if op < 0.5:
                ms += rnd.choice([0, 0, 1, 2, 1000, 1 << rnd.randrange(40)])
                idarg = "%d-*" % ms if rnd.random() < 0.5 else "%d-%d" % (ms, rnd.randrange(3))
                fs = rnd.choice(fieldsets)
                args = []
                for f in fs:
                    args += [f, rnd.choice(["1", "-7", "v" * rnd.randrange(1, 30), "12345678901", ""])]
                trim = []
                if rnd.random() < 0.1:
                    trim = ["MAXLEN", rnd.choice(["~", "="]), str(rnd.randrange(0, 40))]
                r = d("XADD", "s", *trim, idarg, *args)
                if isinstance(r, bytes):
                    live.append(r)
            elif op < 0.65 and live:
                ids = [rnd.choice(live) for _ in range(rnd.randrange(1, 4))]
                d("XDEL", "s", *ids)
            elif op < 0.7:
                if rnd.random() < 0.5:
                    d("XTRIM", "s", "MAXLEN", rnd.choice(["~", "="]), str(rnd.randrange(0, 60)))
                elif live:
                    d("XTRIM", "s", "MINID", rnd.choice(["~", "="]), rnd.choice(live))
            elif op < 0.8 and live:
                a, b = sorted([rnd.choice(live), rnd.choice(live)], key=lambda x: tuple(map(int, x.split(b"-"))))
                cnt = ["COUNT", str(rnd.randrange(0, 8))] if rnd.random() < 0.5 else []
                d("XRANGE", "s", a, b, *cnt)
                d("XREVRANGE", "s", b, a, *cnt)
                d("XRANGE", "s", b"(" + a, "+", "COUNT", "5")
            elif op < 0.9 and live:
                d("XREAD", "COUNT", str(rnd.randrange(1, 6)), "STREAMS", "s", rnd.choice(live))
            else:
                d("XINFO", "STREAM", "s")
                d("XLEN", "s")
        d("XRANGE", "s", "-", "+")
        d("XREVRANGE", "s", "+", "-")
        d("XINFO", "STREAM", "s")
    finally:
        for cl in (cairn, redis_ref):
            cl.execute_command("CONFIG", "SET", "stream-node-max-entries", "100")
            cl.execute_command("CONFIG", "SET", "stream-node-max-bytes", "4096")


def same_groups(a, b):
    """XINFO GROUPS replies equal except the consumer count (see the 7.2 note below)."""
    strip = lambda r: [{k: v for k, v in info_map(x).items() if k != b"consumers"} for x in r]
    assert strip(a) == strip(b), (a, b)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_random_group_ops_against_redis(d, both, seed):
    """Seeded random consumer-group sequences: deliveries, acks, claims, deletes,
    trims, SETID; replies without times must match, XPENDING rows up to idle."""
    import random
    rnd = random.Random(seed)
    ids = []
    for i in range(1, 30):
        ids.append(d("XADD", "s", "%d-%d" % (i * 3, i % 2), "f", str(i)))
    d("XGROUP", "CREATE", "s", "g", "0")
    d("XGROUP", "CREATE", "s", "h", "$")
    consumers = ["alice", "bob", "carol"]
    for step in range(400):
        op = rnd.random()
        g = rnd.choice(["g", "h"])
        c = rnd.choice(consumers)
        if op < 0.2:
            extra = ["NOACK"] if rnd.random() < 0.2 else []
            d("XREADGROUP", "GROUP", g, c, "COUNT", str(rnd.randrange(1, 5)), *extra, "STREAMS", "s", ">")
        elif op < 0.28:
            d("XREADGROUP", "GROUP", g, c, "COUNT", str(rnd.randrange(0, 4)), "STREAMS", "s", rnd.choice(["0"] + ids))
        elif op < 0.4:
            d("XACK", "s", g, *[rnd.choice(ids) for _ in range(rnd.randrange(1, 4))])
        elif op < 0.5:
            opts = rnd.choice([["JUSTID"], [], ["FORCE", "JUSTID"], ["RETRYCOUNT", "5", "JUSTID"], ["LASTID", rnd.choice(ids)]])
            d("XCLAIM", "s", g, c, "0", *[rnd.choice(ids) for _ in range(rnd.randrange(1, 3))], *opts)
        elif op < 0.58:
            d("XAUTOCLAIM", "s", g, c, "0", rnd.choice(["0", "-"] + ids), "COUNT", str(rnd.randrange(1, 5)),
              *(["JUSTID"] if rnd.random() < 0.5 else []))
        elif op < 0.66:
            new = d("XADD", "s", "%d-0" % (1000 + step), "f", "n%d" % step)
            ids.append(new)
        elif op < 0.72:
            d("XDEL", "s", rnd.choice(ids))
        elif op < 0.75:
            d("XTRIM", "s", "MAXLEN", str(rnd.randrange(5, 40)))
        elif op < 0.78:
            er = ["ENTRIESREAD", str(rnd.randrange(0, 40))] if rnd.random() < 0.5 else []
            d("XGROUP", "SETID", "s", g, rnd.choice(["0", "$"] + ids), *er)
        elif op < 0.81:
            d("XGROUP", "DELCONSUMER", "s", g, c)
        elif op < 0.9:
            d("XPENDING", "s", g)
            a, b = both("XPENDING", "s", g, "-", "+", "100", *([c] if rnd.random() < 0.5 else []))
            assert strip_times(a, [2]) == strip_times(b, [2])
        else:
            same_groups(*both("XINFO", "GROUPS", "s"))
            a, b = both("XINFO", "CONSUMERS", "s", g)
            # 7.2: XCLAIM/XAUTOCLAIM create their consumer even when nothing is claimed
            # (7.0 only on a claim), so Cairn may list extra consumers without entries
            pa = [(info_map(x)[b"name"], info_map(x)[b"pending"]) for x in a]
            pb = [(info_map(x)[b"name"], info_map(x)[b"pending"]) for x in b]
            assert set(pb) <= set(pa) and all(n == 0 for _, n in set(pa) - set(pb)), (pa, pb)
    same_groups(*both("XINFO", "GROUPS", "s"))
    d("XINFO", "STREAM", "s")


@pytest.mark.parametrize("cmd", [
    ("XADD", "s", "9-1", "f", "v"), ("XDEL", "s", "1-1"), ("XDEL", "s", "99-1"),
    ("XTRIM", "s", "MAXLEN", "1"), ("XTRIM", "s", "MAXLEN", "100"), ("XSETID", "s", "50-0"),
    ("XGROUP", "CREATE", "s", "g2", "0"), ("XGROUP", "SETID", "s", "g", "0"), ("XGROUP", "DESTROY", "s", "g"),
    ("XGROUP", "CREATECONSUMER", "s", "g", "zed"), ("XGROUP", "DELCONSUMER", "s", "g", "alice"),
    ("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"), ("XACK", "s", "g", "1-1"),
    ("XCLAIM", "s", "g", "bob", "0", "1-1"), ("XAUTOCLAIM", "s", "g", "bob", "0", "0"),
    ("XGROUP", "CREATE", "new", "g", "$", "MKSTREAM"), ("XADD", "s", "NOMKSTREAM", "1-0", "f", "v"),
])
def test_watch_invalidation(cairn, redis_ref, cmd):
    """Which stream commands make a WATCHed key dirty (EXEC aborts), as Redis does."""
    res = []
    for cl in (cairn, redis_ref):
        for i in (1, 2, 3):
            cl.execute_command(b"XADD", "s", "%d-1" % i, "f", "v")
        cl.execute_command(b"XGROUP", "CREATE", "s", "g", "0")
        cl.execute_command(b"XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">")
        cl.execute_command(b"WATCH", cmd[1])
        run_raw(cl, *raw(cmd))
        cl.execute_command(b"MULTI")
        cl.execute_command(b"PING")
        res.append(cl.execute_command(b"EXEC"))
    assert res[0] == res[1], (cmd, res)


def test_copy_with_groups(d, both):
    fill(d, "s", 6)
    d("XDEL", "s", "2-1")
    d("XGROUP", "CREATE", "s", "g", "0")
    d("XGROUP", "CREATE", "s", "h", "3-1", "ENTRIESREAD", "2")
    d("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">")
    d("XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "STREAMS", "s", ">")
    d("COPY", "s", "c")
    for key in ("s", "c"):
        d("XINFO", "GROUPS", key)
        d("XPENDING", key, "g")
        a, b = both("XPENDING", key, "g", "-", "+", "10")
        assert strip_times(a, [2]) == strip_times(b, [2])
        a, b = both("XINFO", "STREAM", key)
        assert a == b
    d("XACK", "c", "g", "1-1", "3-1")
    d("XGROUP", "DELCONSUMER", "c", "g", "bob")
    d("XADD", "c", "10-1", "f", "v")
    d("XPENDING", "s", "g")
    d("XPENDING", "c", "g")
    d("XINFO", "GROUPS", "s")
    d("XINFO", "GROUPS", "c")
    d("DEL", "s")
    d("XRANGE", "c", "-", "+")


@pytest.mark.parametrize("which", ["cairn", "redis"])
@pytest.mark.parametrize("mode", ["TIMEOUT", "ERROR"])
def test_client_unblock_xread(which, mode, cairn_server, redis_server, cairn, redis_ref):
    srv, cl = (cairn_server, cairn) if which == "cairn" else (redis_server, redis_ref)
    cl.execute_command(b"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    for cmd in (("XREAD", "BLOCK", "0", "STREAMS", "s", "$"),
                ("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")):
        t, r = blocked_call(srv, *cmd)
        wait_blocked(cl, 1)
        ids = [line.split(" ")[0].split("=")[1] for line in cl.execute_command(b"CLIENT", "LIST").decode().splitlines()
               if "cmd=%s " % cmd[0].lower() in line and " flags=b " in line]
        assert len(ids) == 1
        assert cl.execute_command(b"CLIENT", "UNBLOCK", ids[0], mode) == 1
        t.join(5)
        if mode == "TIMEOUT":
            assert r == [None]
        else:
            assert r == [("error", "UNBLOCKED client unblocked via CLIENT UNBLOCK")]
    assert cl.execute_command(b"XLEN", "s") == 0


def test_concurrent_group_readers(cairn_server, cairn):
    """Several consumers blocked in XREADGROUP while a writer appends: every
    entry is delivered exactly once, and the PEL holds them all."""
    n = 300
    cairn.execute_command(b"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    delivered = []
    lock = threading.Lock()
    stop = time.time() + 15

    def reader(name):
        cl = cairn_server.client()
        try:
            while time.time() < stop:
                with lock:
                    if len(delivered) >= n:
                        return
                r = cl.execute_command(b"XREADGROUP", "GROUP", "g", name, "COUNT", "3", "BLOCK", "100",
                                       "STREAMS", "s", ">")
                if r:
                    with lock:
                        delivered.extend(e[0] for e in r[0][1])
        finally:
            cl.close()

    threads = [threading.Thread(target=reader, args=("c%d" % i,)) for i in range(5)]
    for t in threads:
        t.start()
    writer = cairn_server.client()
    added = [writer.execute_command(b"XADD", "s", "*", "i", str(i)) for i in range(n)]
    writer.close()
    for t in threads:
        t.join(20)
    assert sorted(delivered) == sorted(added)
    assert len(set(delivered)) == n
    assert cairn.execute_command(b"XPENDING", "s", "g")[0] == n
    assert cairn.execute_command(b"XINFO", "GROUPS", "s")[0][-1] == 0    # lag
