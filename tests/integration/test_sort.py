"""SORT / SORT_RO on lists, sets and sorted sets (with hash fields in BY/GET):
differential tests against redis-server 7.0.15. OBJECT ENCODING of a STORE
result follows 7.2 (listpack when small) and is checked on Cairn only."""
import random

import pytest

from conftest import RawClient, run_raw
from test_lists import diff, raw_args, encoding, wait_blocked  # noqa: F401  (diff is a fixture)


@pytest.fixture
def data(diff):
    diff("RPUSH", "l", "3", "1", "2", "10", "-5", "1.5", "007", "1e2", "-0")
    diff("MSET", "w_3", "5", "w_1", "9", "w_2", "1", "w_10", "0", "w_-5", "3", "w_1.5", "4", "w_007", "7",
         "w_1e2", "8", "w_-0", "6")
    diff("MSET", "n_3", "c", "n_1", "a", "n_2", "b", "n_10", "j", "n_-5", "z", "n_1.5", "y", "n_007", "x")
    diff("RPUSH", "alist", "x")


@pytest.mark.parametrize("opts", [(), ("DESC",), ("ASC",), ("ALPHA",), ("ALPHA", "DESC"), ("desc", "asc"),
                                  ("LIMIT", "0", "3"), ("LIMIT", "2", "3"), ("LIMIT", "-1", "2"),
                                  ("LIMIT", "2", "-1"), ("LIMIT", "2", "0"), ("LIMIT", "100", "5"),
                                  ("LIMIT", "8", "100"), ("LIMIT", "9", "1"), ("LIMIT", "0", "9223372036854775807"),
                                  ("LIMIT", "-9223372036854775808", "3"), ("LIMIT", "1", "2", "LIMIT", "0", "1"),
                                  ("BY", "w_*"), ("BY", "w_*", "DESC"), ("BY", "w_*", "LIMIT", "2", "4"),
                                  ("BY", "n_*", "ALPHA"), ("BY", "n_*", "ALPHA", "DESC", "LIMIT", "0", "4"),
                                  ("BY", "nosort"), ("BY", "nosort", "DESC"), ("BY", "nosort", "LIMIT", "2", "3"),
                                  ("BY", "nosort", "DESC", "LIMIT", "1", "4"), ("BY", "nosort", "LIMIT", "20", "3"),
                                  ("BY", "missing_*"), ("BY", "missing_*", "DESC"), ("BY", "alist"),
                                  ("GET", "#"), ("GET", "w_*"), ("GET", "#", "GET", "w_*", "GET", "n_*"),
                                  ("GET", "nope_*"), ("GET", "alist"), ("GET", "w_*->f"), ("GET", "*"),
                                  ("BY", "w_*", "GET", "n_*", "GET", "#"), ("BY", "w_*->x"),
                                  ("ALPHA", "GET", "n_*", "LIMIT", "1", "1")])
def test_sort_list(diff, data, opts):
    diff("SORT", "l", *opts)
    diff("SORT_RO", "l", *opts)
    diff("SORT", "nosuch", *opts)


@pytest.mark.parametrize("opts", [("STORE", "dst"), ("ALPHA", "STORE", "dst"), ("BY", "nosort", "STORE", "dst"),
                                  ("GET", "w_*", "GET", "nope_*", "STORE", "dst"),
                                  ("LIMIT", "20", "5", "STORE", "dst"), ("BY", "n_*", "ALPHA", "STORE", "dst")])
def test_sort_store(cairn, diff, data, opts):
    diff("SET", "dst", "old", "EX", "100")
    diff("SORT", "l", *opts)
    diff("LRANGE", "dst", "0", "-1")
    diff("TTL", "dst")
    diff("TYPE", "dst")
    if cairn.execute_command(b"EXISTS", "dst"):
        assert encoding(cairn, "dst") == b"listpack"   # 7.2 (7.0 says quicklist)


def test_sort_store_cases(cairn, diff):
    diff("RPUSH", "l", "b", "a", "c")
    assert diff("SORT", "l", "ALPHA", "STORE", "l") == 3          # store over the source
    assert diff("LRANGE", "l", "0", "-1") == [b"a", b"b", b"c"]
    assert diff("SORT", "nosuch", "STORE", "l") == 0                # no result: destination deleted
    assert diff("EXISTS", "l") == 0
    diff("RPUSH", "big", "x" * 9000, "y")
    assert diff("SORT", "big", "BY", "nosort", "STORE", "d2") == 2
    assert encoding(cairn, "d2") == b"quicklist"
    diff("RPUSH", "many", *[str(i) for i in range(3000)])
    assert diff("SORT", "many", "DESC", "STORE", "d3") == 3000
    assert encoding(cairn, "d3") == b"quicklist"
    diff("LRANGE", "d3", "0", "10")
    diff("SORT", "many", "LIMIT", "10", "5", "STORE", "d3")
    assert encoding(cairn, "d3") == b"listpack"


def test_sort_errors(diff, data):
    for args in [("SORT", "l", "LIMIT", "a", "1"), ("SORT", "l", "LIMIT", "1", "b"), ("SORT", "l", "LIMIT", "1"),
                 ("SORT", "l", "BY"), ("SORT", "l", "GET"), ("SORT", "l", "STORE"), ("SORT", "l", "FOO"),
                 ("SORT_RO", "l", "STORE", "x"), ("SORT", "l", "ALPHA", "FOO"), ("SORT", "alist"),
                 ("SORT", "l", "BY", "n_*"), ("SORT", "alist", "LIMIT", "x", "y"), ("SORT",), ("SORT_RO",)]:
        diff(*args)
    diff("SET", "str", "x")
    assert diff("SORT", "str") == ("error", "WRONGTYPE Operation against a key holding the wrong kind of value")
    diff("SORT", "str", "LIMIT", "x", "1")           # option errors come first
    diff("SORT_RO", "str", "BY", "nosort")


def reset_errno(diff):
    """Redis checks errno == ERANGE after strtod without clearing it first, so
    after an out-of-range score its next numeric SORTs fail until some command
    clears errno (INCRBYFLOAT parses with errno = 0). Cairn clears it itself."""
    diff("INCRBYFLOAT", "errno-reset", "1")


def test_sort_numeric_conversion(diff):
    diff("RPUSH", "l", "1", " 2", "3 ", "0x10", "inf", "-inf", "1e400", "nan", "", "1e-400", "4\x00x")
    for v in ["1", " 2", "0x10", "inf", "-inf", "", "4\x00x", "1e400", "1e-400", "-1e400"]:
        diff("DEL", "k")
        diff("RPUSH", "k", v, "5", "-3")
        diff("SORT", "k")
        reset_errno(diff)
        diff("SORT", "k", "DESC")
        reset_errno(diff)
    diff("SORT", "l")
    reset_errno(diff)
    diff("SORT", "l", "ALPHA")
    diff("DEL", "k")
    diff("RPUSH", "k", "a", "b")
    diff("MSET", "s_a", "2.5", "s_b", "x")
    diff("SORT", "k", "BY", "s_*")
    diff("SET", "s_b", "-1")
    diff("SORT", "k", "BY", "s_*")


def test_sort_binary_and_ties(diff):
    vals = [b"b\x00z", b"b\x00a", b"\xff", b"\x01", b"a", b"a", b"10", b"9", b"-1"]
    diff("RPUSH", "l", *vals)
    diff("SORT", "l", "ALPHA")
    diff("SORT", "l", "ALPHA", "DESC", "STORE", "d")
    diff("LRANGE", "d", "0", "-1")
    diff("DEL", "n")
    diff("RPUSH", "n", "1", "1.0", "01", "1e0", "2", "0.5")   # equal scores: binary order of the elements
    diff("SORT", "n")
    diff("SORT", "n", "DESC")
    diff("SORT", "n", "BY", "nokey_*")
    diff("SORT", "n", "BY", "nokey_*", "DESC")


def test_sort_resp3(diff3):
    diff3("RPUSH", "l", "2", "1")
    diff3("SET", "w_1", "x")
    diff3("SORT", "l", "GET", "w_*", "GET", "#")
    diff3("SORT", "nosuch")
    diff3("SORT_RO", "l", "DESC")


def test_sort_store_wakes_blocked_client(cairn_server, redis_server):
    out = []
    for srv in (cairn_server, redis_server):
        ctl = RawClient(srv.port)
        ctl.call("FLUSHALL")
        b = RawClient(srv.port)
        b.send("BLPOP", "dst", "0")
        wait_blocked(ctl, 1)
        ctl.call("RPUSH", "src", "b", "a")
        out.append([ctl.call("SORT", "src", "ALPHA", "STORE", "dst"), b.read(), ctl.call("LRANGE", "dst", "0", "-1")])
        b.close()
        ctl.close()
    assert out[0] == out[1] == [2, [b"dst", b"a"], [b"b"]]


def test_sort_random(diff):
    rnd = random.Random(11)
    for round_ in range(40):
        diff("FLUSHALL")
        n = rnd.randint(0, 40)
        elems = [rnd.choice([str(rnd.randint(-1000, 1000)), "%.3f" % rnd.uniform(-50, 50)]) for _ in range(n)]
        if elems:
            diff("RPUSH", "l", *elems)
        for e in set(elems):
            if rnd.random() < 0.7:
                diff("SET", "w_" + e, str(rnd.randint(-100000, 100000) * 1000 + len(e)))
            if rnd.random() < 0.5:
                diff("SET", "g_" + e, "g%d" % rnd.randint(0, 1000))
        opts = []
        if rnd.random() < 0.5:
            opts += ["BY", rnd.choice(["w_*", "nosort"])]
        if rnd.random() < 0.3 and "w_*" not in opts:
            opts += ["ALPHA"]
        if rnd.random() < 0.5:
            opts += ["DESC"]
        if rnd.random() < 0.5:
            opts += ["LIMIT", str(rnd.randint(-2, n + 2)), str(rnd.randint(-2, n + 2))]
        for _ in range(rnd.randint(0, 2)):
            opts += ["GET", rnd.choice(["#", "g_*", "w_*"])]
        diff("SORT", "l", *opts)
        diff("SORT", "l", *opts, "STORE", "out")
        diff("LRANGE", "out", "0", "-1")


@pytest.mark.parametrize("kind", ["intset", "listpack", "hashtable"])
@pytest.mark.parametrize("opts", [(), ("DESC",), ("ALPHA",), ("ALPHA", "DESC", "LIMIT", "1", "3"), ("LIMIT", "2", "3"),
                                  ("BY", "w_*"), ("BY", "w_*", "DESC"), ("BY", "nosort", "STORE", "dst"),
                                  ("BY", "h_*->f"), ("GET", "#", "GET", "h_*->f"), ("GET", "h_*->nof"),
                                  ("BY", "h_*->f", "GET", "n_*", "STORE", "dst")])
def test_sort_set(diff, opts, kind):
    members = {"intset": ["3", "1", "2", "10", "-5"],
               "listpack": ["3", "1", "2", "10", "-5", "1.5"],
               "hashtable": [str(i) for i in range(200)] + ["1.5"]}[kind]
    diff("SADD", "s", *members)
    for m in members:
        diff("SET", "w_" + m, str((int(float(m) * 7)) % 11))
        diff("SET", "n_" + m, "name" + m)
        diff("HSET", "h_" + m, "f", str((int(float(m) * 3)) % 13))
    diff("SORT", "s", *opts)
    if "STORE" in opts:
        diff("LRANGE", "dst", "0", "-1")
    else:
        diff("SORT_RO", "s", *opts)


@pytest.mark.parametrize("opts", [(), ("DESC",), ("ALPHA",), ("BY", "nosort"), ("BY", "nosort", "DESC"),
                                  ("BY", "nosort", "LIMIT", "1", "2"), ("BY", "nosort", "DESC", "LIMIT", "1", "3"),
                                  ("BY", "w_*"), ("GET", "#", "GET", "w_*"), ("BY", "nosort", "STORE", "dst"),
                                  ("BY", "h_*->f", "DESC")])
@pytest.mark.parametrize("big", [False, True])
def test_sort_zset(diff, opts, big):
    n = 200 if big else 6
    pairs = []
    for i in range(n):
        pairs += [str((i * 37) % 101), str(i)]
    diff("ZADD", "z", *pairs)
    for i in range(n):
        diff("SET", "w_%d" % i, str((i * 7) % 11))
        diff("HSET", "h_%d" % i, "f", str((i * 3) % 13))
    diff("SORT", "z", *opts)
    if "STORE" in opts:
        diff("LRANGE", "dst", "0", "-1")
