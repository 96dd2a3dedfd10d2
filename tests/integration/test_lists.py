"""LIST commands: differential tests against redis-server 7.0.15.

Every command is run on Cairn and on the reference server and the replies
(values, reply types and error strings) must be identical. Where Redis 7.2
differs from 7.0 the test says so and checks the 7.2 behaviour:
  - OBJECT ENCODING: 7.2 keeps small lists in a single listpack ("listpack")
    and converts to "quicklist" past list-max-listpack-size; 7.0 always says
    "quicklist". Those points are checked against a model of the 7.2 rule.
  - LPOS RANK -9223372036854775808 is rejected by 7.2 (range check), 7.0
    overflows.
"""
import random
import time

import pytest

from conftest import RawClient, run_raw


# ---- helpers -------------------------------------------------------------------------

def raw_args(args):
    """Command name as bytes: redis-py then applies no reply callback."""
    return (args[0].encode() if isinstance(args[0], str) else args[0],) + tuple(args[1:])


@pytest.fixture
def diff(cairn, redis_ref):
    """Run one command on both servers, assert identical raw replies, return it."""
    def _diff(*args):
        a = run_raw(cairn, *raw_args(args))
        b = run_raw(redis_ref, *raw_args(args))
        assert a == b, "command %r: cairn=%r redis=%r" % (args, a, b)
        return a
    return _diff


def both(cairn, redis_ref, *args):
    """Run a command on both servers without comparing (setup)."""
    cairn.execute_command(*raw_args(args))
    redis_ref.execute_command(*raw_args(args))


@pytest.fixture
def config_restore(cairn, redis_ref):
    """Restore the list settings changed by a test."""
    yield
    for c in (cairn, redis_ref):
        c.execute_command(b"CONFIG", "SET", "list-max-listpack-size", "-2")
        c.execute_command(b"CONFIG", "SET", "list-compress-depth", "0")
        c.execute_command(b"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0")


def encoding(client, key):
    return client.execute_command(b"OBJECT", "ENCODING", key)


INT_VALUES = ["0", "1", "127", "128", "-1", "-4096", "4095", "4096", "-4097", "32767", "-32768", "32768",
              "8388607", "-8388608", "8388608", "2147483647", "-2147483648", "2147483648",
              "9223372036854775807", "-9223372036854775808"]
# look like integers but are strings for the listpack (and for Redis)
NOT_INT_VALUES = ["9223372036854775808", "-9223372036854775809", "007", "-0", "+1", " 1", "1 ", "1.5", "",
                  "0x10", "1e3", "-", "00"]


# ---- push / length / range -------------------------------------------------------------

def test_push_and_range(diff):
    assert diff("RPUSH", "l", "a", "b", "c") == 3
    assert diff("LPUSH", "l", "x", "y") == 5
    assert diff("LRANGE", "l", "0", "-1") == [b"y", b"x", b"a", b"b", b"c"]
    assert diff("LLEN", "l") == 5
    assert diff("LLEN", "nosuch") == 0
    assert diff("RPUSHX", "l", "d") == 6
    assert diff("LPUSHX", "l", "w", "v") == 8
    assert diff("RPUSHX", "nosuch", "a") == 0
    assert diff("LPUSHX", "nosuch", "a", "b") == 0
    assert diff("EXISTS", "nosuch") == 0
    diff("LRANGE", "l", "0", "-1")


@pytest.mark.parametrize("rng", [("0", "-1"), ("0", "0"), ("-1", "-1"), ("-3", "-2"), ("2", "1"), ("5", "100"),
                                 ("100", "200"), ("-100", "2"), ("-100", "-50"), ("3", "-3"), ("-2", "100"),
                                 ("9223372036854775807", "9223372036854775807"),
                                 ("-9223372036854775808", "9223372036854775807"), ("1", "-9223372036854775808")])
def test_lrange_indexes(diff, rng):
    diff("RPUSH", "l", *[str(i) for i in range(10)])
    diff("LRANGE", "l", *rng)
    diff("LRANGE", "nosuch", *rng)


def test_lrange_errors(diff):
    diff("RPUSH", "l", "a")
    for rng in [("a", "1"), ("1", "b"), ("1.0", "2"), ("", "1"), ("9223372036854775808", "1")]:
        assert diff("LRANGE", "l", *rng) == ("error", "value is not an integer or out of range")
        diff("LRANGE", "nosuch", *rng)


def test_integer_widths_round_trip(diff):
    vals = INT_VALUES + NOT_INT_VALUES
    diff("RPUSH", "l", *vals)
    assert diff("LRANGE", "l", "0", "-1") == [v.encode() for v in vals]
    for i in range(len(vals)):
        diff("LINDEX", "l", str(i))
        diff("LPOS", "l", vals[i])
    for v in vals:
        diff("LREM", "l", "1", v)
    assert diff("EXISTS", "l") == 0


def test_binary_data(diff):
    vals = [b"\x00", b"a\x00b", b"\r\n", b"\xff\xfe", bytes(range(256)), b"\x00" * 70, b"x" * 5000]
    diff("RPUSH", "l", *vals)
    assert diff("LRANGE", "l", "0", "-1") == vals
    assert diff("LPOS", "l", b"a\x00b") == 1
    assert diff("LINSERT", "l", "AFTER", b"\r\n", b"\x00\x01") == 8
    assert diff("LREM", "l", "0", b"\x00") == 1
    diff("LSET", "l", "0", b"\xff" * 100)
    assert diff("LRANGE", "l", "0", "-1")[0] == b"\xff" * 100


# ---- pops ------------------------------------------------------------------------------

@pytest.mark.parametrize("cmd", ["LPOP", "RPOP"])
def test_pop(diff, cmd):
    diff("RPUSH", "l", "a", "b", "c", "1", "2")
    assert diff(cmd, "l") in (b"a", b"2")
    diff(cmd, "l", "0")
    diff(cmd, "l", "2")
    diff(cmd, "l", "1")
    assert diff(cmd, "l", "100") is not None
    assert diff("EXISTS", "l") == 0
    assert diff(cmd, "l") is None
    assert diff(cmd, "l", "0") is None   # missing key with count: null array
    assert diff(cmd, "l", "5") is None
    diff(cmd, "l", "-1")
    assert diff(cmd, "l", "-1") == ("error", "value is out of range, must be positive")
    diff(cmd, "l", "x")
    diff(cmd, "l", "1.5")
    diff(cmd, "l", "1", "2")
    assert diff(cmd, "l", "1", "2") == ("error", "wrong number of arguments for '%s' command" % cmd.lower())
    diff("RPUSH", "l", "a")
    diff(cmd, "l", "9223372036854775807")
    diff("RPUSH", "l", "a")
    diff(cmd, "l", "-9223372036854775808")
    diff(cmd, "l", "9223372036854775808")


def test_pop_count_order(diff):
    diff("RPUSH", "l", *[str(i) for i in range(20)])
    assert diff("RPOP", "l", "3") == [b"19", b"18", b"17"]
    assert diff("LPOP", "l", "3") == [b"0", b"1", b"2"]
    assert diff("LLEN", "l") == 14


# ---- LINDEX / LSET / LINSERT -----------------------------------------------------------

def test_lindex(diff):
    diff("RPUSH", "l", "a", "b", "c")
    for i in ["0", "1", "2", "3", "-1", "-3", "-4", "100", "-100", "9223372036854775807",
              "-9223372036854775808", "x", "1.0", ""]:
        diff("LINDEX", "l", i)
        diff("LINDEX", "nosuch", i)


def test_lset(diff):
    diff("RPUSH", "l", "a", "b", "c")
    assert diff("LSET", "l", "0", "x") == b"OK"
    assert diff("LSET", "l", "-1", "12345") == b"OK"
    assert diff("LSET", "l", "3", "x") == ("error", "index out of range")
    diff("LSET", "l", "-4", "x")
    diff("LSET", "l", "x", "x")
    assert diff("LSET", "nosuch", "0", "x") == ("error", "no such key")
    diff("LSET", "nosuch", "x", "x")
    assert diff("LRANGE", "l", "0", "-1") == [b"x", b"b", b"12345"]


def test_linsert(diff):
    diff("RPUSH", "l", "a", "b", "c", "b")
    assert diff("LINSERT", "l", "BEFORE", "b", "x") == 5
    assert diff("LINSERT", "l", "after", "b", "y") == 6
    assert diff("LINSERT", "l", "AfTeR", "c", "z") == 7
    assert diff("LINSERT", "l", "BEFORE", "nosuch", "z") == -1
    assert diff("LINSERT", "l", "middle", "b", "z") == ("error", "syntax error")
    assert diff("LINSERT", "nosuch", "BEFORE", "a", "z") == 0
    diff("LINSERT", "nosuch", "bad", "a", "z")
    diff("LINSERT", "l", "BEFORE", "a", "1")
    diff("LINSERT", "l", "AFTER", "1", "-5")
    assert diff("LRANGE", "l", "0", "-1") == [b"1", b"-5", b"a", b"x", b"b", b"y", b"c", b"z", b"b"]


# ---- LREM / LTRIM -----------------------------------------------------------------------

@pytest.mark.parametrize("count", ["0", "1", "2", "-1", "-2", "100", "-100", "9223372036854775807",
                                   "-9223372036854775808"])
def test_lrem(diff, count):
    diff("RPUSH", "l", "a", "b", "a", "c", "a", "b", "a")
    diff("LREM", "l", count, "a")
    diff("LRANGE", "l", "0", "-1")
    diff("LREM", "l", count, "nosuch")
    diff("LREM", "nosuch", count, "a")


def test_lrem_errors_and_delete(diff):
    diff("RPUSH", "l", "a", "a")
    assert diff("LREM", "l", "x", "a") == ("error", "value is not an integer or out of range")
    assert diff("LREM", "l", "0", "a") == 2
    assert diff("EXISTS", "l") == 0


@pytest.mark.parametrize("rng", [("0", "-1"), ("1", "-2"), ("0", "0"), ("-1", "-1"), ("5", "2"), ("100", "200"),
                                 ("-100", "100"), ("2", "100"), ("-3", "-1"), ("0", "-100"),
                                 ("9223372036854775807", "0"), ("-9223372036854775808", "9223372036854775807")])
def test_ltrim(diff, rng):
    diff("RPUSH", "l", *[str(i) for i in range(10)])
    assert diff("LTRIM", "l", *rng) == b"OK"
    diff("LRANGE", "l", "0", "-1")
    diff("EXISTS", "l")
    assert diff("LTRIM", "nosuch", *rng) == b"OK"


def test_ltrim_errors(diff):
    diff("RPUSH", "l", "a")
    diff("LTRIM", "l", "a", "1")
    diff("LTRIM", "l", "1", "b")
    diff("LTRIM", "nosuch", "a", "1")


# ---- LPOS ----------------------------------------------------------------------------------

@pytest.mark.parametrize("opts", [(), ("RANK", "1"), ("RANK", "2"), ("RANK", "-1"), ("RANK", "-2"), ("RANK", "10"),
                                  ("COUNT", "0"), ("COUNT", "1"), ("COUNT", "2"), ("COUNT", "100"),
                                  ("RANK", "2", "COUNT", "0"), ("RANK", "-1", "COUNT", "2"),
                                  ("MAXLEN", "0"), ("MAXLEN", "1"), ("MAXLEN", "3"), ("MAXLEN", "4", "COUNT", "0"),
                                  ("rank", "-1", "maxlen", "2", "count", "0"), ("RANK", "1", "RANK", "2"),
                                  ("COUNT", "1", "COUNT", "0"),
                                  ("RANK", "9223372036854775807"), ("RANK", "-9223372036854775807")])
def test_lpos(diff, opts):
    diff("RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c", "a")
    for ele in ("a", "c", "3", "nosuch"):
        diff("LPOS", "l", ele, *opts)
    diff("LPOS", "nosuch", "a", *opts)


@pytest.mark.parametrize("opts", [("RANK", "0"), ("RANK", "x"), ("COUNT", "-1"), ("COUNT", "x"), ("MAXLEN", "-1"),
                                  ("MAXLEN", "x"), ("RANK",), ("COUNT",), ("MAXLEN",), ("FOO", "1"), ("RANK", "1", "X"),
                                  ("RANK", "1.0")])
def test_lpos_errors(diff, opts):
    diff("RPUSH", "l", "a")
    diff("LPOS", "l", "a", *opts)
    diff("LPOS", "nosuch", "a", *opts)
    diff("SET", "s", "x")
    diff("LPOS", "s", "a", *opts)


def test_lpos_rank_min(cairn, redis_ref):
    # Redis 7.2 range-checks RANK (-LONG_MAX..LONG_MAX); 7.0 overflowed on LONG_MIN.
    cairn.execute_command("RPUSH", "l", "a")
    with pytest.raises(Exception) as e:
        cairn.execute_command("LPOS", "l", "a", "RANK", "-9223372036854775808")
    assert str(e.value) == ("value is out of range, value must between -9223372036854775807 and "
                            "9223372036854775807")


# ---- LMOVE / RPOPLPUSH ----------------------------------------------------------------------

@pytest.mark.parametrize("wf", ["LEFT", "RIGHT", "left", "Right"])
@pytest.mark.parametrize("wt", ["LEFT", "RIGHT"])
def test_lmove(diff, wf, wt):
    diff("RPUSH", "src", "a", "b", "c", "1")
    diff("RPUSH", "dst", "x")
    diff("LMOVE", "src", "dst", wf, wt)
    diff("LMOVE", "src", "new", wf, wt)
    diff("LMOVE", "src", "src", wf, wt)
    diff("LMOVE", "src", "dst", wf, wt)
    diff("LMOVE", "src", "dst", wf, wt)
    assert diff("EXISTS", "src") == 0
    diff("LRANGE", "dst", "0", "-1")
    diff("LRANGE", "new", "0", "-1")
    assert diff("LMOVE", "src", "dst", wf, wt) is None


def test_lmove_single_element_same_key(diff):
    diff("RPUSH", "l", "only")
    assert diff("LMOVE", "l", "l", "LEFT", "RIGHT") == b"only"
    assert diff("LRANGE", "l", "0", "-1") == [b"only"]
    assert diff("RPOPLPUSH", "l", "l") == b"only"
    assert diff("LLEN", "l") == 1


def test_lmove_errors(diff):
    diff("RPUSH", "l", "a")
    diff("SET", "s", "x")
    assert diff("LMOVE", "l", "d", "UP", "LEFT") == ("error", "syntax error")
    diff("LMOVE", "l", "d", "LEFT", "DOWN")
    diff("LMOVE", "nosuch", "d", "LEFT", "DOWN")
    diff("LMOVE", "l", "s", "LEFT", "RIGHT")
    diff("LMOVE", "s", "l", "LEFT", "RIGHT")
    diff("LMOVE", "nosuch", "s", "LEFT", "RIGHT")
    diff("RPOPLPUSH", "l", "s")
    diff("RPOPLPUSH", "s", "l")
    diff("RPOPLPUSH", "nosuch", "s")
    assert diff("LRANGE", "l", "0", "-1") == [b"a"]


def test_rpoplpush(diff):
    diff("RPUSH", "a", "1", "2", "3")
    assert diff("RPOPLPUSH", "a", "b") == b"3"
    assert diff("RPOPLPUSH", "a", "b") == b"2"
    assert diff("RPOPLPUSH", "a", "a") == b"1"
    diff("LRANGE", "b", "0", "-1")
    assert diff("RPOPLPUSH", "nosuch", "b") is None


# ---- LMPOP ----------------------------------------------------------------------------------

def test_lmpop(diff):
    diff("RPUSH", "b", "1", "2", "3", "4")
    diff("RPUSH", "c", "x")
    assert diff("LMPOP", "2", "a", "b", "LEFT") == [b"b", [b"1"]]
    assert diff("LMPOP", "3", "a", "b", "c", "RIGHT", "COUNT", "2") == [b"b", [b"4", b"3"]]
    assert diff("LMPOP", "2", "b", "c", "left", "count", "10") == [b"b", [b"2"]]
    assert diff("LMPOP", "2", "b", "c", "left", "count", "10") == [b"c", [b"x"]]
    assert diff("LMPOP", "2", "b", "c", "left") is None
    diff("RPUSH", "b", "1")
    diff("LMPOP", "1", "b", "LEFT", "COUNT", "9223372036854775807")


@pytest.mark.parametrize("args", [("0", "a", "LEFT"), ("-1", "a", "LEFT"), ("x", "a", "LEFT"), ("2", "a", "LEFT"),
                                  ("1", "a", "UP"), ("1", "a", "LEFT", "COUNT"), ("1", "a", "LEFT", "COUNT", "0"),
                                  ("1", "a", "LEFT", "COUNT", "-1"), ("1", "a", "LEFT", "COUNT", "x"),
                                  ("1", "a", "LEFT", "COUNT", "1", "COUNT", "2"), ("1", "a", "LEFT", "FOO"),
                                  ("9223372036854775807", "a", "LEFT"), ("1", "s", "LEFT"), ("2", "a", "s", "LEFT"),
                                  ("2", "s", "a", "LEFT"), ("9223372036854775808", "a", "LEFT")])
def test_lmpop_errors(diff, args):
    diff("RPUSH", "a", "1")
    diff("SET", "s", "x")
    diff("LMPOP", *args)
    diff("BLMPOP", "0.01", *args)


# ---- wrong type / arity ------------------------------------------------------------------------

WRONGTYPE_CMDS = [("LPUSH", "s", "a"), ("RPUSH", "s", "a"), ("LPUSHX", "s", "a"), ("RPUSHX", "s", "a"),
                  ("LPOP", "s"), ("RPOP", "s"), ("LPOP", "s", "0"), ("RPOP", "s", "2"), ("LLEN", "s"),
                  ("LRANGE", "s", "0", "-1"), ("LINDEX", "s", "0"), ("LINDEX", "s", "x"), ("LSET", "s", "0", "a"),
                  ("LSET", "s", "x", "a"), ("LINSERT", "s", "BEFORE", "a", "b"), ("LREM", "s", "0", "a"),
                  ("LTRIM", "s", "0", "1"), ("LPOS", "s", "a"), ("LMOVE", "s", "d", "LEFT", "LEFT"),
                  ("RPOPLPUSH", "s", "d"), ("LMPOP", "1", "s", "LEFT"), ("BLPOP", "s", "0"), ("BRPOP", "s", "0"),
                  ("BLMOVE", "s", "d", "LEFT", "LEFT", "0"), ("BRPOPLPUSH", "s", "d", "0"),
                  ("BLMPOP", "0", "1", "s", "LEFT"), ("BLPOP", "nosuch", "s", "0")]


@pytest.mark.parametrize("args", WRONGTYPE_CMDS, ids=lambda a: " ".join(a))
def test_wrong_type(diff, args):
    diff("SET", "s", "x")
    r = diff(*args)
    assert isinstance(r, tuple) and r[0] == "error"
    assert diff("GET", "s") == b"x"


ARITY = [("LPUSH", "k"), ("RPUSH", "k"), ("LPUSHX", "k"), ("RPUSHX", "k"), ("LPOP",), ("RPOP",), ("LLEN",),
         ("LLEN", "a", "b"), ("LRANGE", "k", "0"), ("LINDEX", "k"), ("LSET", "k", "0"), ("LINSERT", "k", "BEFORE", "a"),
         ("LREM", "k", "0"), ("LTRIM", "k", "0"), ("LPOS", "k"), ("LMOVE", "a", "b", "LEFT"),
         ("RPOPLPUSH", "a"), ("LMPOP", "1", "a"), ("BLPOP", "k"), ("BRPOP", "k"), ("BLMOVE", "a", "b", "LEFT", "LEFT"),
         ("BRPOPLPUSH", "a", "b"), ("BLMPOP", "0", "1", "a"), ("LINDEX", "k", "0", "1"), ("LLEN",)]


@pytest.mark.parametrize("args", ARITY, ids=lambda a: " ".join(a))
def test_arity(diff, args):
    r = diff(*args)
    assert r == ("error", "wrong number of arguments for '%s' command" % args[0].lower())


def test_blocking_timeout_errors(diff):
    # "inf", "1e400" and tiny negatives differ between 7.0 and 7.2: see test_timeout_parsing_72
    for t in ["x", "-1", "-2.5", "nan", "-nan", "", "1 ", " 1", "1e", "--1", "0x"]:
        diff("BLPOP", "l", t)
        diff("BRPOP", "l", t)
        diff("BRPOPLPUSH", "l", "d", t)
        diff("BLMOVE", "l", "d", "LEFT", "RIGHT", t)
        diff("BLMPOP", t, "1", "l", "LEFT")
    diff("BLMOVE", "l", "d", "UP", "RIGHT", "x")   # direction parsed before the timeout
    diff("BLMPOP", "x", "0", "l", "LEFT")          # BLMPOP: timeout parsed last


def test_timeout_parsing_72(cairn, diff):
    """Redis 7.2 rounds the milliseconds up and range-checks them: inf and
    1e400 are "out of range" (7.0 overflowed to "negative"); -0.0001 rounds to
    0 (wait forever) in both."""
    for t, err in [("inf", "timeout is out of range"), ("+inf", "timeout is out of range"),
                   ("1e400", "timeout is out of range"), ("9223372036854775.807", "timeout is out of range"),
                   ("-inf", "timeout is negative"), ("-0.5", "timeout is negative"),
                   ("-1e400", "timeout is negative")]:
        for cmd in (("BLPOP", "l", t), ("BLMOVE", "l", "d", "LEFT", "LEFT", t), ("BLMPOP", t, "1", "l", "LEFT")):
            assert run_raw(cairn, *raw_args(cmd)) == ("error", err), cmd
    diff("RPUSH", "l", "a")
    assert diff("BLPOP", "l", "-0.0001") == [b"l", b"a"]
    # 1e-300 s rounds up to 1 ms in 7.2 (7.0 truncates it to 0 = forever)
    assert run_raw(cairn, b"BLPOP", "l", "1e-300") is None


def test_blocking_ops_with_data(diff):
    diff("RPUSH", "a", "1", "2")
    diff("RPUSH", "b", "x")
    assert diff("BLPOP", "nosuch", "a", "b", "0") == [b"a", b"1"]
    assert diff("BRPOP", "b", "a", "0.5") == [b"b", b"x"]
    assert diff("BRPOPLPUSH", "a", "c", "0") == b"2"
    assert diff("BLMOVE", "c", "d", "LEFT", "LEFT", "0") == b"2"
    diff("RPUSH", "a", "1", "2", "3")
    assert diff("BLMPOP", "0", "2", "z", "a", "RIGHT", "COUNT", "2") == [b"a", [b"3", b"2"]]
    diff("LRANGE", "a", "0", "-1")
    assert diff("EXISTS", "b", "c") == 0


# ---- MULTI: blocking commands never block --------------------------------------------------

def test_blocking_in_multi(cairn_server, redis_server, cairn, redis_ref):
    out = []
    for srv in (cairn_server, redis_server):
        c = RawClient(srv.port)
        c.call("FLUSHALL")
        c.call("RPUSH", "full", "v")
        res = [c.call("MULTI")]
        for cmd in (("BLPOP", "empty", "0"), ("BRPOP", "empty", "0"), ("BRPOPLPUSH", "empty", "d", "0"),
                    ("BLMOVE", "empty", "d", "LEFT", "RIGHT", "0"), ("BLMPOP", "0", "1", "empty", "LEFT"),
                    ("BLPOP", "full", "0"), ("BLPOP", "empty", "x")):
            res.append(c.call(*cmd))
        res.append(c.call("EXEC"))
        c.close()
        out.append(res)
    assert out[0] == out[1]
    # null array for BLPOP/BRPOP/BLMPOP, null bulk for BRPOPLPUSH/BLMOVE (both _ in RESP3)
    assert out[0][-1][:6] == [None, None, None, None, None, [b"full", b"v"]]


def test_blocking_in_multi_resp3(cairn_server, redis_server, cairn, redis_ref):
    out = []
    for srv in (cairn_server, redis_server):
        c = RawClient(srv.port, resp=3)
        c.call("MULTI")
        c.call("BLPOP", "empty", "0")
        c.call("BLMOVE", "empty", "d", "LEFT", "RIGHT", "0")
        out.append(c.call("EXEC"))
        c.close()
    assert out[0] == out[1] == [None, None]


# ---- blocking with several clients ------------------------------------------------------------

def blocked_count(ctl):
    info = ctl.call("INFO", "clients")
    for line in info.split(b"\r\n"):
        if line.startswith(b"blocked_clients:"):
            return int(line.split(b":")[1])
    raise AssertionError(info)


def wait_blocked(ctl, n):
    deadline = time.time() + 5
    while time.time() < deadline:
        if blocked_count(ctl) == n:
            return
        time.sleep(0.005)
    raise AssertionError("expected %d blocked clients, have %d" % (n, blocked_count(ctl)))


def run_scenario(srv, steps, nclients):
    """Run a scripted blocking scenario on one server. steps: ("send", i, cmd...)
    sends a command on client i without reading (it may block), and waits until
    the given number of clients are blocked; ("call", i, cmd...) runs a command
    and records its reply; ("read", i) records the pending reply of client i.
    Returns the recorded replies."""
    ctl = RawClient(srv.port)
    ctl.call("FLUSHALL")
    clients = [RawClient(srv.port) for _ in range(nclients)]
    out = []
    blocked = 0
    try:
        for step in steps:
            kind, i, args = step[0], step[1], step[2:]
            if kind == "send":
                clients[i].send(*args)
                blocked += 1
                wait_blocked(ctl, blocked)
            elif kind == "call":
                out.append(clients[i].call(*args))
            elif kind == "read":
                out.append(clients[i].read())
                blocked -= 1
            elif kind == "nowait":   # a command expected to time out
                clients[i].send(*args)
            else:
                raise ValueError(kind)
        out.append(ctl.call("INFO", "clients").count(b"blocked_clients:0"))
    finally:
        for c in clients:
            c.close()
        ctl.close()
    return out


def diff_scenario(cairn_server, redis_server, steps, nclients=4):
    a = run_scenario(cairn_server, steps, nclients)
    b = run_scenario(redis_server, steps, nclients)
    assert a == b, "cairn=%r redis=%r" % (a, b)
    return a


def test_block_fifo_fairness(cairn_server, redis_server):
    out = diff_scenario(cairn_server, redis_server, [
        ("send", 0, "BLPOP", "q", "0"),
        ("send", 1, "BRPOP", "q", "0"),
        ("send", 2, "BLPOP", "q", "0"),
        ("call", 3, "RPUSH", "q", "a", "b"),
        ("read", 0), ("read", 1),
        ("call", 3, "LLEN", "q"),
        ("call", 3, "RPUSH", "q", "c"),
        ("read", 2),
        ("call", 3, "EXISTS", "q"),
    ])
    assert out[:4] == [2, [b"q", b"a"], [b"q", b"b"], 0]


def test_block_multiple_keys(cairn_server, redis_server):
    diff_scenario(cairn_server, redis_server, [
        ("send", 0, "BLPOP", "k1", "k2", "k3", "0"),
        ("send", 1, "BRPOP", "k3", "k2", "0"),
        ("call", 3, "RPUSH", "k2", "x"),
        ("read", 0),
        ("call", 3, "LPUSH", "k3", "y", "z"),
        ("read", 1),
        ("call", 3, "LRANGE", "k3", "0", "-1"),
    ])


def test_block_timeout(cairn_server, redis_server):
    for srv in (cairn_server, redis_server):
        c = RawClient(srv.port)
        for cmd in (("BLPOP", "q", "0.15"), ("BRPOPLPUSH", "q", "d", "0.15"),
                    ("BLMOVE", "q", "d", "LEFT", "RIGHT", "0.1"), ("BLMPOP", "0.1", "1", "q", "LEFT")):
            t = time.time()
            assert c.call(*cmd) is None
            assert 0.09 <= time.time() - t < 2
        c.close()
    # timeout replies are null arrays in RESP2 even for BRPOPLPUSH/BLMOVE (as Redis)
    outs = []
    for srv in (cairn_server, redis_server):
        c = RawClient(srv.port)
        raw = []
        for cmd in (("BLPOP", "q", "0.05"), ("BRPOPLPUSH", "q", "d", "0.05"), ("BLMOVE", "q", "d", "LEFT", "LEFT", "0.05")):
            c.send(*cmd)
            while b"\r\n" not in c.buf:
                c._fill()
            line, c.buf = c.buf.split(b"\r\n", 1)
            raw.append(line)
        outs.append(raw)
        c.close()
    assert outs[0] == outs[1] == [b"*-1"] * 3


def test_block_timeout_resp3(cairn_server, redis_server):
    outs = []
    for srv in (cairn_server, redis_server):
        c = RawClient(srv.port, resp=3)
        c.send("BRPOPLPUSH", "q", "d", "0.05")
        while b"\r\n" not in c.buf:
            c._fill()
        outs.append(c.buf)
        c.close()
    assert outs[0] == outs[1] == b"_\r\n"


def test_block_timeout_then_others_served(cairn_server, redis_server):
    diff_scenario(cairn_server, redis_server, [
        ("send", 0, "BLPOP", "q", "0.2"),
        ("send", 1, "BLPOP", "q", "0"),
        ("read", 0),                           # times out
        ("call", 3, "RPUSH", "q", "a"),
        ("read", 1),
    ])


def test_blmove_wakeup_chain(cairn_server, redis_server):
    out = diff_scenario(cairn_server, redis_server, [
        ("send", 0, "BLMOVE", "src", "mid", "RIGHT", "LEFT", "0"),
        ("send", 1, "BRPOPLPUSH", "mid", "dst", "0"),
        ("send", 2, "BLPOP", "dst", "0"),
        ("call", 3, "RPUSH", "src", "a", "b"),
        ("read", 0), ("read", 1), ("read", 2),
        ("call", 3, "LRANGE", "src", "0", "-1"),
        ("call", 3, "EXISTS", "mid", "dst"),
    ])
    assert out[:6] == [2, b"b", b"b", [b"dst", b"b"], [b"a"], 0]


def test_block_served_by_multi_and_lmove(cairn_server, redis_server):
    diff_scenario(cairn_server, redis_server, [
        ("send", 0, "BLPOP", "q", "0"),
        ("send", 1, "BLMPOP", "0", "2", "z", "q", "RIGHT", "COUNT", "5"),
        ("call", 3, "MULTI"),
        ("call", 3, "RPUSH", "q", "1", "2", "3"),
        ("call", 3, "LPOP", "q"),
        ("call", 3, "EXEC"),
        ("read", 0), ("read", 1),
        ("call", 3, "RPUSH", "x", "v"),
        ("send", 0, "BLPOP", "q", "0"),
        ("call", 3, "LMOVE", "x", "q", "LEFT", "LEFT"),
        ("read", 0),
    ])


def test_block_key_deleted_and_wrong_type(cairn_server, redis_server):
    diff_scenario(cairn_server, redis_server, [
        ("send", 0, "BLPOP", "q", "0"),
        ("call", 3, "SET", "q", "str"),
        ("call", 3, "DEL", "q"),
        ("call", 3, "MULTI"),
        ("call", 3, "RPUSH", "q", "a"),
        ("call", 3, "DEL", "q"),
        ("call", 3, "EXEC"),
        ("call", 3, "LPUSH", "q", "b"),
        ("read", 0),
        ("call", 3, "EXISTS", "q"),
    ])


def test_block_same_client_push_to_own_key(cairn_server, redis_server):
    """BLMOVE whose destination is the key another client waits on."""
    diff_scenario(cairn_server, redis_server, [
        ("send", 0, "BLPOP", "b", "0"),
        ("send", 1, "BLMOVE", "a", "b", "LEFT", "RIGHT", "0"),
        ("send", 2, "BLMOVE", "a", "b", "LEFT", "RIGHT", "0"),
        ("call", 3, "RPUSH", "a", "1"),
        ("read", 1), ("read", 0),
        ("call", 3, "RPUSH", "a", "2"),
        ("read", 2),
        ("call", 3, "LRANGE", "b", "0", "-1"),
    ])


def test_block_wrong_type_destination_on_wakeup(cairn_server, redis_server):
    """BLMOVE woken while its destination holds a string: WRONGTYPE, the
    source keeps the element."""
    diff_scenario(cairn_server, redis_server, [
        ("send", 0, "BLMOVE", "src", "dst", "LEFT", "LEFT", "0"),
        ("call", 3, "SET", "dst", "str"),
        ("call", 3, "RPUSH", "src", "a"),
        ("read", 0),
        ("call", 3, "LRANGE", "src", "0", "-1"),
        ("call", 3, "GET", "dst"),
    ])


def test_block_client_disconnects(cairn_server, redis_server):
    out = []
    for srv in (cairn_server, redis_server):
        ctl = RawClient(srv.port)
        ctl.call("FLUSHALL")
        gone, stay = RawClient(srv.port), RawClient(srv.port)
        gone.send("BLPOP", "q", "0")
        wait_blocked(ctl, 1)
        stay.send("BRPOP", "q", "0")
        wait_blocked(ctl, 2)
        gone.close()
        wait_blocked(ctl, 1)
        res = [ctl.call("RPUSH", "q", "a", "b"), stay.read(), ctl.call("LRANGE", "q", "0", "-1")]
        out.append(res)
        stay.close()
        ctl.close()
    assert out[0] == out[1] == [2, [b"q", b"b"], [b"a"]]


@pytest.mark.parametrize("how", [(), ("TIMEOUT",), ("ERROR",)])
def test_client_unblock(cairn_server, redis_server, how):
    out = []
    for srv in (cairn_server, redis_server):
        ctl = RawClient(srv.port)
        ctl.call("FLUSHALL")
        res = []
        for cmd in (("BLPOP", "q", "0"), ("BLMOVE", "q", "d", "LEFT", "LEFT", "0"), ("BLMPOP", "0", "1", "q", "LEFT")):
            b = RawClient(srv.port)
            bid = b.call("CLIENT", "ID")
            b.send(*cmd)
            wait_blocked(ctl, 1)
            res.append(ctl.call("CLIENT", "UNBLOCK", str(bid), *how))
            res.append(b.read())
            res.append(b.call("PING"))
            b.close()
            wait_blocked(ctl, 0)
        out.append(res)
        ctl.close()
    assert out[0] == out[1]


def test_block_served_in_argument_order_72(cairn_server):
    """Redis 7.2 runs a woken blocking command again, so BLPOP k1 k2 pops from
    the first non-empty key in argument order even if k2 got its data first
    (7.0 served the key signalled first): checked on Cairn only."""
    ctl = RawClient(cairn_server.port)
    ctl.call("FLUSHALL")
    b = RawClient(cairn_server.port)
    b.send("BLPOP", "k1", "k2", "0")
    wait_blocked(ctl, 1)
    assert ctl.call("MULTI") == ("status", b"OK")
    ctl.call("RPUSH", "k2", "a")
    ctl.call("RPUSH", "k1", "b")
    assert ctl.call("EXEC") == [1, 1]
    assert b.read() == [b"k1", b"b"]
    assert ctl.call("LRANGE", "k2", "0", "-1") == [b"a"]
    b.close()
    ctl.close()


# ---- RESP3 --------------------------------------------------------------------------------

def test_resp3_replies(diff3):
    diff3("RPUSH", "l", "a", "1", "b")
    diff3("LRANGE", "l", "0", "-1")
    diff3("LRANGE", "nosuch", "0", "-1")
    diff3("LPOP", "nosuch")
    diff3("LPOP", "nosuch", "2")
    diff3("LPOP", "l", "0")
    diff3("LINDEX", "l", "10")
    diff3("LPOS", "l", "zz")
    diff3("LPOS", "l", "zz", "COUNT", "0")
    diff3("LPOS", "l", "1", "COUNT", "0")
    diff3("LMPOP", "1", "nosuch", "LEFT")
    diff3("LMPOP", "1", "l", "LEFT", "COUNT", "2")
    diff3("BLPOP", "l", "0")
    diff3("BLPOP", "nosuch", "0.01")
    diff3("BLMPOP", "0.01", "1", "nosuch", "LEFT")
    diff3("RPOPLPUSH", "nosuch", "x")
    diff3("LSET", "nosuch", "0", "x")


# ---- encodings (Redis 7.2 rules) ------------------------------------------------------------

def lp_entry_size(v):
    """Bytes of one listpack entry (encoding + data + backlen) for value v (bytes)."""
    try:
        s = v.decode()
        ok = s == str(int(s)) and -2**63 <= int(s) < 2**63 and s != "-0"
    except (UnicodeDecodeError, ValueError):
        ok = False
    if ok:
        n = int(s)
        if 0 <= n <= 127:
            size = 1
        elif -4096 <= n <= 4095:
            size = 2
        elif -2**15 <= n < 2**15:
            size = 3
        elif -2**23 <= n < 2**23:
            size = 4
        elif -2**31 <= n < 2**31:
            size = 5
        else:
            size = 9
    else:
        ln = len(v)
        size = ln + (1 if ln < 64 else 2 if ln < 4096 else 5)
    back = 1 if size <= 127 else 2 if size < 16383 else 3 if size < 2097151 else 4 if size < 268435455 else 5
    return size + back


class ListModel:
    """The 7.2 encoding decision for a list that only grows with RPUSH (listpack
    until lpBytes + added argument bytes would pass the 8 KB limit of fill -2)."""

    def __init__(self):
        self.lp_bytes = 7
        self.count = 0
        self.enc = "listpack"

    def push(self, vals):
        if self.enc == "listpack":
            if self.lp_bytes + sum(len(v) for v in vals) > 8192:
                self.enc = "quicklist"
        for v in vals:
            self.lp_bytes += lp_entry_size(v)
            self.count += 1


def test_encoding_growth_default_fill(cairn, redis_ref, diff):
    """Redis 7.0 reports "quicklist" at every step; 7.2 (and Cairn) "listpack"
    until the 8 KB listpack limit (list-max-listpack-size -2)."""
    rnd = random.Random(7)
    model = ListModel()
    while model.enc == "listpack":
        vals = [rnd.choice([str(rnd.randint(-10**6, 10**6)), "x" * rnd.randint(0, 90),
                            str(rnd.randint(0, 127))]).encode() for _ in range(rnd.randint(1, 3))]
        model.push(vals)
        diff("RPUSH", "l", *vals)
        assert encoding(cairn, "l") == model.enc.encode(), model.lp_bytes
        assert encoding(redis_ref, "l") == b"quicklist"
    diff("LRANGE", "l", "0", "-1")


def test_encoding_exact_threshold(cairn):
    # 7 header bytes + n entries of a 61-byte string (1 + 61 + 1 = 63 bytes each)
    v = "y" * 61
    cairn.execute_command("RPUSH", "l", *[v] * 129)          # 7 + 129*63 = 8134 bytes
    assert encoding(cairn, "l") == b"listpack"
    cairn.execute_command("RPUSH", "l", "a" * 51)             # 8134 + 51 = 8185 <= 8192
    assert encoding(cairn, "l") == b"listpack"
    cairn.execute_command("RPUSH", "l", "abcdefgh")           # 8134 + 53 + 8 = 8195 > 8192
    assert encoding(cairn, "l") == b"quicklist"


def test_encoding_lmove_integer_bytes(cairn):
    """7.2 counts the popped value's bytes in the destination's growing check
    only when it is held as a string: an integer popped from a quicklist adds
    nothing, one popped from a listpack is read as text and counts."""
    def fill_dst():
        cairn.execute_command(b"DEL", "dst")
        cairn.execute_command(b"RPUSH", "dst", *["y" * 61] * 129)   # 7 + 129 * 63 = 8134 bytes
        cairn.execute_command(b"RPUSH", "dst", "a" * 51)            # + 53 = 8187 bytes
        assert encoding(cairn, "dst") == b"listpack"
    fill_dst()
    cairn.execute_command(b"RPUSH", "qsrc", "z" * 9000, "1234567")
    assert encoding(cairn, "qsrc") == b"quicklist"
    assert cairn.execute_command(b"RPOPLPUSH", "qsrc", "dst") == b"1234567"
    assert encoding(cairn, "dst") == b"listpack"        # 8187 + 0 <= 8192
    fill_dst()
    cairn.execute_command(b"RPUSH", "lsrc", "1234567")
    assert cairn.execute_command(b"LMOVE", "lsrc", "dst", "LEFT", "RIGHT") == b"1234567"
    assert encoding(cairn, "dst") == b"quicklist"       # 8187 + 7 > 8192


def test_encoding_large_element_and_shrink(cairn, redis_ref, diff):
    diff("RPUSH", "l", "z" * 9000)                  # bigger than the 8 KB limit: quicklist, plain node
    assert encoding(cairn, "l") == b"quicklist"
    diff("LSET", "l", "0", "small")                 # one small packed node remains: back to listpack
    assert encoding(cairn, "l") == b"listpack"
    diff("RPUSH", "l", "a")
    assert encoding(cairn, "l") == b"listpack"
    diff("LSET", "l", "0", "q" * 9000)              # LSET converts before replacing (growing rule)
    assert encoding(cairn, "l") == b"quicklist"
    diff("LPOP", "l")                               # nodes [plain][a] -> [a]: listpack again
    assert encoding(cairn, "l") == b"listpack"
    diff("LINSERT", "l", "BEFORE", "nosuch", "w" * 9000)   # converted even when the pivot is missing (7.2)
    assert encoding(cairn, "l") == b"quicklist"
    assert diff("LRANGE", "l", "0", "-1") == [b"a"]
    diff("RPUSH", "l2", "a", "b", "z" * 9000)
    diff("LSET", "l2", "-1", "small")               # [a b][small]: two nodes, stays a quicklist
    assert encoding(cairn, "l2") == b"quicklist"
    diff("RPOP", "l2")                              # one small node left: listpack
    assert encoding(cairn, "l2") == b"listpack"
    for c in (cairn, redis_ref):
        assert encoding(c, "l") == b"quicklist"


def test_encoding_count_fill_and_half_rule(cairn, redis_ref, diff, config_restore):
    both(cairn, redis_ref, "CONFIG", "SET", "list-max-listpack-size", "8")
    diff("RPUSH", "l", *[str(i) for i in range(8)])
    assert encoding(cairn, "l") == b"listpack"
    diff("RPUSH", "l", "8")
    assert encoding(cairn, "l") == b"quicklist"
    diff("RPOP", "l")                                # 8 left in one node: not <= 8/2
    assert encoding(cairn, "l") == b"quicklist"
    diff("RPOP", "l", "3")                           # 5 left
    assert encoding(cairn, "l") == b"quicklist"
    diff("LREM", "l", "1", "0")                      # 4 left: half the limit -> listpack
    assert encoding(cairn, "l") == b"listpack"
    diff("LPUSH", "l", "a", "b", "c", "d")           # 8: still fits
    assert encoding(cairn, "l") == b"listpack"
    diff("LINSERT", "l", "AFTER", "a", "e")          # 9 entries > 8
    assert encoding(cairn, "l") == b"quicklist"
    diff("LTRIM", "l", "0", "3")
    assert encoding(cairn, "l") == b"listpack"
    diff("LRANGE", "l", "0", "-1")
    # positive fill still caps a listpack at 8 KB
    diff("RPUSH", "big", "v" * 4000, "w" * 4000)
    assert encoding(cairn, "big") == b"listpack"
    diff("RPUSH", "big", "u" * 200)
    assert encoding(cairn, "big") == b"quicklist"


@pytest.mark.parametrize("fill,limit", [(-1, 4096), (-3, 16384), (-5, 65536), (-9, 65536)])
def test_encoding_byte_fills(cairn, redis_ref, diff, config_restore, fill, limit):
    both(cairn, redis_ref, "CONFIG", "SET", "list-max-listpack-size", str(fill))
    chunk = "c" * 1000
    n = 0
    model_bytes = 7
    while True:
        grows = model_bytes + 1000 > limit
        diff("RPUSH", "l", chunk)
        n += 1
        model_bytes += lp_entry_size(chunk.encode())
        assert encoding(cairn, "l") == (b"quicklist" if grows else b"listpack"), n
        if grows:
            break
    # pop until the only node is at most half the limit again
    while True:
        diff("RPOP", "l")
        model_bytes -= lp_entry_size(chunk.encode())
        if encoding(cairn, "l") == b"listpack":
            break
    assert model_bytes <= limit // 2 < model_bytes + lp_entry_size(chunk.encode())
    diff("LLEN", "l")


def test_lmove_into_new_and_existing_encodings(cairn, redis_ref, diff):
    diff("RPUSH", "src", "x" * 9000, "12")
    assert diff("LMOVE", "src", "dst", "LEFT", "LEFT") == b"x" * 9000
    assert encoding(cairn, "dst") == b"quicklist"
    assert encoding(cairn, "src") == b"listpack"
    assert diff("LMOVE", "src", "dst", "LEFT", "RIGHT") == b"12"
    diff("LRANGE", "dst", "0", "-1")


def test_compress_depth(cairn, redis_ref, diff, config_restore):
    both(cairn, redis_ref, "CONFIG", "SET", "list-compress-depth", "1")
    both(cairn, redis_ref, "CONFIG", "SET", "list-max-listpack-size", "-1")
    vals = [("value-%d-" % i) * 20 for i in range(300)]
    diff("RPUSH", "l", *vals)
    assert encoding(cairn, "l") == b"quicklist"
    assert diff("LRANGE", "l", "0", "-1") == [v.encode() for v in vals]
    assert diff("LINDEX", "l", "150") == vals[150].encode()
    diff("LSET", "l", "150", "changed")
    diff("LINSERT", "l", "BEFORE", vals[200], "ins")
    diff("LREM", "l", "0", vals[100])
    diff("LPOS", "l", vals[250])
    diff("LTRIM", "l", "10", "-10")
    assert diff("LPOS", "l", "changed") == 139
    diff("LRANGE", "l", "0", "-1")


def test_debug_packed_threshold(cairn, redis_ref, diff, config_restore):
    assert diff("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb") == \
        ("error", "argument must be a memory value bigger than 1 and smaller than 4gb")
    diff("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "abc")
    assert diff("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1k") == b"OK"
    vals = ["p%d-" % i + "x" * (1000 + 30 * i) for i in range(12)]
    diff("RPUSH", "l", *vals)                        # 12 KB: a quicklist; each element a plain node
    assert encoding(cairn, "l") == b"quicklist"
    diff("LINSERT", "l", "BEFORE", vals[3], "small")
    diff("LSET", "l", "5", "tiny")
    diff("LSET", "l", "0", "y" * 2000)
    diff("LREM", "l", "1", vals[7])
    diff("LPOS", "l", vals[9])
    diff("LTRIM", "l", "1", "-2")
    diff("RPOP", "l", "3")
    assert diff("LRANGE", "l", "0", "-1")[2] == b"small"


# ---- keyspace interplay -------------------------------------------------------------------

def test_type_copy_rename_and_memory(cairn, redis_ref, diff):
    diff("RPUSH", "l", "a", "b")
    diff("RPUSH", "big", *["e%d" % i for i in range(2000)])
    assert diff("TYPE", "l") == b"list"
    assert diff("COPY", "l", "l2") == 1
    assert diff("COPY", "big", "big2") == 1
    diff("RPUSH", "l2", "c")
    diff("RPOP", "big2", "5")
    assert diff("LRANGE", "l", "0", "-1") == [b"a", b"b"]
    assert diff("LLEN", "big") == 2000
    assert diff("LLEN", "big2") == 1995
    diff("RENAME", "big2", "big3")
    diff("LRANGE", "big3", "-3", "-1")
    assert encoding(cairn, "big") == b"quicklist"
    assert encoding(cairn, "l2") == b"listpack"


def test_watch_on_list_change(cairn_server, redis_server, cairn, redis_ref):
    out = []
    for srv, c2 in ((cairn_server, cairn), (redis_server, redis_ref)):
        c = RawClient(srv.port)
        c2.execute_command("RPUSH", "l", "a")
        res = [c.call("WATCH", "l")]
        c2.execute_command("LPOP", "l")
        res += [c.call("MULTI"), c.call("RPUSH", "l", "x"), c.call("EXEC")]
        res += [c.call("WATCH", "l"), c.call("LTRIM", "nosuch", "0", "1")]
        c2.execute_command("LREM", "l", "0", "nope")   # no change: no touch
        res += [c.call("MULTI"), c.call("LLEN", "l"), c.call("EXEC")]
        out.append(res)
        c.close()
    assert out[0] == out[1]


# ---- randomized model test ------------------------------------------------------------------

def random_value(rnd):
    r = rnd.random()
    if r < 0.3:
        return str(rnd.choice([0, 1, 127, 128, -1, 4095, -4096, 32767, 2**23, 2**31, 2**63 - 1, -2**63,
                               rnd.randint(-10**9, 10**9)]))
    if r < 0.6:
        return rnd.choice(["a", "b", "c", "d"])
    if r < 0.97:
        return "v%d" % rnd.randint(0, 50) + "x" * rnd.randint(0, 300)
    return "L" * rnd.randint(5000, 10000)


def random_command(rnd, keys):
    k = rnd.choice(keys)
    k2 = rnd.choice(keys)
    v = random_value
    idx = lambda: str(rnd.randint(-30, 30))
    side = lambda: rnd.choice(["LEFT", "RIGHT"])
    choices = [
        lambda: ("RPUSH", k) + tuple(v(rnd) for _ in range(rnd.randint(1, 8))),
        lambda: ("LPUSH", k) + tuple(v(rnd) for _ in range(rnd.randint(1, 8))),
        lambda: ("RPUSHX", k, v(rnd)),
        lambda: ("LPUSHX", k, v(rnd)),
        lambda: ("LPOP", k),
        lambda: ("RPOP", k, str(rnd.randint(0, 6))),
        lambda: ("LPOP", k, str(rnd.randint(0, 6))),
        lambda: ("LLEN", k),
        lambda: ("LRANGE", k, idx(), idx()),
        lambda: ("LINDEX", k, idx()),
        lambda: ("LSET", k, idx(), v(rnd)),
        lambda: ("LINSERT", k, rnd.choice(["BEFORE", "AFTER"]), v(rnd), v(rnd)),
        lambda: ("LREM", k, str(rnd.randint(-3, 3)), v(rnd)),
        lambda: ("LTRIM", k, idx(), idx()),
        lambda: ("LPOS", k, v(rnd), "RANK", rnd.choice(["1", "-1", "2", "-2"]), "COUNT", str(rnd.randint(0, 3))),
        lambda: ("LPOS", k, v(rnd), "MAXLEN", str(rnd.randint(0, 20))),
        lambda: ("LMOVE", k, k2, side(), side()),
        lambda: ("RPOPLPUSH", k, k2),
        lambda: ("LMPOP", "2", k, k2, side(), "COUNT", str(rnd.randint(1, 5))),
        lambda: ("BLPOP", k, k2, "0.01"),
        lambda: ("BRPOP", k, "0.01"),
        lambda: ("BLMOVE", k, k2, side(), side(), "0.01"),
        lambda: ("LRANGE", k, "0", "-1"),
    ]
    return rnd.choice(choices)()


@pytest.mark.parametrize("seed,fill,depth", [(1, "-2", "0"), (2, "4", "0"), (3, "-1", "1"), (4, "1", "2"),
                                             (5, "3", "0"), (6, "-2", "0"), (7, "3", "1")])
def test_random_model(cairn, redis_ref, diff, config_restore, seed, fill, depth):
    both(cairn, redis_ref, "CONFIG", "SET", "list-max-listpack-size", fill)
    both(cairn, redis_ref, "CONFIG", "SET", "list-compress-depth", depth)
    rnd = random.Random(seed)
    if seed >= 6:   # elements of 60+ bytes get their own (plain) quicklist node
        both(cairn, redis_ref, "DEBUG", "QUICKLIST-PACKED-THRESHOLD", "60")
    keys = ["k1", "k2", "k3"]
    for _ in range(600):
        diff(*random_command(rnd, keys))
    for k in keys:
        diff("LRANGE", k, "0", "-1")
        diff("EXISTS", k)
