"""Set commands: SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS, SRANDMEMBER,
SPOP, SMOVE, SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF,
SDIFFSTORE, SSCAN; the intset / listpack / hashtable encodings.

Mostly differential: `d` sends the same command to Cairn and to the reference
redis-server (7.0.15) over raw RESP2 connections and asserts identical replies
(reply types and error texts included); `u` does the same for replies whose
order is unspecified (members of a set), comparing them sorted. `d3`/`u3` do the
same over RESP3.

Redis 7.2 added the listpack encoding for small sets of strings: where 7.0.15
says "hashtable" for such a set, 7.2 says "listpack". Those points are not
compared with the reference; they assert the documented 7.2 behaviour instead
(t_set.c of 7.2: setTypeCreate / setTypeAddAux / setTypeMaybeConvert /
SPOP with count / SINTERSTORE), each marked "7.2:" in a comment.
"""
import random
import time

import pytest

from conftest import RawClient

WRONGTYPE = ("error", b"WRONGTYPE Operation against a key holding the wrong kind of value")
NOT_INT = ("error", b"ERR value is not an integer or out of range")
SYNTAX = ("error", b"ERR syntax error")
OK = ("status", b"OK")
LLONG_MAX = 9223372036854775807
LLONG_MIN = -9223372036854775808


def unordered(reply):
    """Sort the elements of an array / RESP3 set reply (members come in no set order)."""
    if isinstance(reply, list):
        return sorted(reply, key=repr)
    if isinstance(reply, tuple) and reply[0] == "set":
        return ("set", sorted(reply[1], key=repr))
    return reply


def _pair(a, b):
    def run(*args):
        x = a.call(*args)
        y = b.call(*args)
        assert x == y, "command %r: cairn=%r redis=%r" % (args, x, y)
        return x

    def run_unordered(*args):
        x = unordered(a.call(*args))
        y = unordered(b.call(*args))
        assert x == y, "command %r: cairn=%r redis=%r" % (args, x, y)
        return x

    run.cairn = a
    run.ref = b
    return run, run_unordered


@pytest.fixture
def clients(cairn_server, redis_server, cairn, redis_ref):
    a = RawClient(cairn_server.port)
    b = RawClient(redis_server.port)
    yield a, b
    # the thresholds may have been changed by a test: restore the defaults
    for cl in (a, b):
        cl.call("CONFIG", "SET", "set-max-intset-entries", "512")
        cl.call("CONFIG", "SET", "set-max-listpack-entries", "128")
        cl.call("CONFIG", "SET", "set-max-listpack-value", "64")
    a.close()
    b.close()


@pytest.fixture
def d(clients):
    return _pair(*clients)[0]


@pytest.fixture
def u(clients):
    return _pair(*clients)[1]


@pytest.fixture
def resp3(cairn_server, redis_server, cairn, redis_ref):
    a = RawClient(cairn_server.port, resp=3)
    b = RawClient(redis_server.port, resp=3)
    yield _pair(a, b)
    a.close()
    b.close()


def enc(cl, key):
    return cl.call("OBJECT", "ENCODING", key)


def config_both(d, name, value):
    """Set a threshold on both servers; 7.0 has no set-max-listpack-* (7.2
    additions): those are set on Cairn only."""
    assert d.cairn.call("CONFIG", "SET", name, str(value)) == OK
    if "listpack" in name:
        assert d.ref.call("CONFIG", "SET", name, str(value))[0] == "error"
    else:
        assert d.ref.call("CONFIG", "SET", name, str(value)) == OK


# ---------------------------------------------------------------------------
# arity and types

ARITY = [
    ("SADD", "s"), ("SADD",), ("SREM", "s"), ("SCARD",), ("SCARD", "a", "b"), ("SISMEMBER", "s"),
    ("SISMEMBER", "s", "a", "b"), ("SMISMEMBER", "s"), ("SMEMBERS",), ("SMEMBERS", "a", "b"),
    ("SRANDMEMBER",), ("SPOP",), ("SMOVE", "a", "b"), ("SMOVE", "a", "b", "c", "d"), ("SINTER",),
    ("SINTERCARD", "1"), ("SINTERSTORE", "d"), ("SUNION",), ("SUNIONSTORE", "d"), ("SDIFF",),
    ("SDIFFSTORE", "d"), ("SSCAN", "s"),
]


@pytest.mark.parametrize("args", ARITY, ids=lambda a: " ".join(a))
def test_wrong_arity(d, args):
    r = d(*args)
    assert r[0] == "error" and b"wrong number of arguments" in r[1]


def test_extra_arguments_are_syntax_errors(d):
    d("SADD", "s", "a", "b")
    assert d("SPOP", "s", "1", "2") == SYNTAX
    assert d("SRANDMEMBER", "s", "1", "2") == SYNTAX
    assert d("SPOP", "missing", "1", "2") == SYNTAX


WRONGTYPE_CMDS = [
    ("SADD", "str", "a"), ("SREM", "str", "a"), ("SCARD", "str"), ("SISMEMBER", "str", "a"),
    ("SMISMEMBER", "str", "a", "b"), ("SMEMBERS", "str"), ("SRANDMEMBER", "str"), ("SRANDMEMBER", "str", "2"),
    ("SRANDMEMBER", "str", "-2"), ("SPOP", "str"), ("SPOP", "str", "2"), ("SMOVE", "str", "s", "a"),
    ("SMOVE", "s", "str", "a"), ("SINTER", "s", "str"), ("SINTER", "str", "s"), ("SINTERCARD", "2", "s", "str"),
    ("SINTERSTORE", "dst", "s", "str"), ("SUNION", "s", "str"), ("SUNIONSTORE", "dst", "str"),
    ("SDIFF", "s", "str"), ("SDIFF", "str", "s"), ("SDIFFSTORE", "dst", "s", "str"), ("SSCAN", "str", "0"),
    # a missing key before the wrong one does not hide the error
    ("SINTER", "missing", "str"), ("SINTERSTORE", "dst", "missing", "str"), ("SINTERCARD", "2", "missing", "str"),
    ("SDIFF", "missing", "str"), ("SUNION", "missing", "str"),
]


@pytest.mark.parametrize("args", WRONGTYPE_CMDS, ids=lambda a: " ".join(a))
def test_wrong_type(d, args):
    d("SET", "str", "value")
    d("SADD", "s", "a", "b")
    d("SET", "dst", "keep")
    assert d(*args) == WRONGTYPE
    assert d("GET", "str") == b"value"
    assert d("GET", "dst") == b"keep"
    assert d("SCARD", "s") == 2


def test_smove_missing_source_ignores_wrong_destination(d):
    d("SET", "str", "x")
    assert d("SMOVE", "missing", "str", "a") == 0


# ---------------------------------------------------------------------------
# members: canonical integers, extremes, binary

MEMBERS_TRICKY = [
    "1", "01", "+1", " 1", "1 ", "-0", "0", "-1", "00", "1.0", "0x10", "",
    str(LLONG_MAX), str(LLONG_MIN), str(LLONG_MAX + 1), str(LLONG_MIN - 1), "18446744073709551616",
    b"\x00", b"\xff\xfe", b"a\r\nb", "a" * 64, "b" * 65,
]


@pytest.mark.parametrize("first", ["1", "a"])
def test_tricky_members_are_distinct(d, u, first):
    assert d("SADD", "s", first) == 1
    assert d("SADD", "s", *MEMBERS_TRICKY) == len(MEMBERS_TRICKY) - (first in MEMBERS_TRICKY)
    assert d("SCARD", "s") == len(MEMBERS_TRICKY) + (first not in MEMBERS_TRICKY)
    u("SMEMBERS", "s")
    for m in MEMBERS_TRICKY + ["2", "+0", "-00", "9223372036854775806"]:
        d("SISMEMBER", "s", m)
    d("SMISMEMBER", "s", *MEMBERS_TRICKY)
    assert d("SREM", "s", "01", "+1", "-0", "x") == 3
    assert d("SISMEMBER", "s", "1") == 1
    u("SMEMBERS", "s")


def test_intset_rejects_non_canonical_lookups(d):
    d("SADD", "s", "1", "2", str(LLONG_MAX), str(LLONG_MIN), "-5")
    assert enc(d.cairn, "s") == b"intset" == enc(d.ref, "s")
    for m in ["01", "+1", " 1", "1 ", "-0", "1.0", "", str(LLONG_MAX + 1), "-05"]:
        assert d("SISMEMBER", "s", m) == 0
        assert d("SREM", "s", m) == 0
    assert d("SMISMEMBER", "s", "1", "01", str(LLONG_MIN), "-5") == [1, 0, 1, 1]
    d("SMEMBERS", "s")  # an intset replies in ascending order
    assert d("SREM", "s", str(LLONG_MIN), str(LLONG_MAX)) == 2
    d("SMEMBERS", "s")


def test_int64_extremes_keep_intset(d):
    d("SADD", "s", str(LLONG_MIN), "0", str(LLONG_MAX))
    assert enc(d.cairn, "s") == b"intset"
    d("SMEMBERS", "s")
    d("SADD", "s", str(LLONG_MAX + 1))
    assert d("SCARD", "s") == 4
    assert d("SISMEMBER", "s", str(LLONG_MAX + 1)) == 1


def test_binary_members_and_keys(d, u):
    key = b"k\x00\xff\r\n"
    members = [b"\x00", b"\x00\x00", b"\r\n", bytes(range(256)), b"\xc3\xa9"]
    assert d("SADD", key, *members) == 5
    u("SMEMBERS", key)
    for m in members:
        assert d("SISMEMBER", key, m) == 1
    assert d("SISMEMBER", key, b"\x00\x01") == 0
    assert d("SMOVE", key, b"other\x00", b"\x00") == 1
    u("SMEMBERS", b"other\x00")
    assert d("SREM", key, *members) == 4
    assert d("EXISTS", key) == 0


def test_large_members(d, u):
    big = ["x" * 5000 + str(i) for i in range(5)]
    d("SADD", "s", *big)
    u("SMEMBERS", "s")
    assert d("SISMEMBER", "s", big[3]) == 1
    assert enc(d.cairn, "s") == b"hashtable"


# ---------------------------------------------------------------------------
# basic commands

def test_sadd_srem_scard(d, u):
    assert d("SADD", "s", "a", "b", "a", "c") == 3
    assert d("SADD", "s", "a") == 0
    assert d("SCARD", "s") == 3
    assert d("SCARD", "missing") == 0
    assert d("SREM", "s", "a", "a", "zz") == 1
    assert d("SREM", "missing", "a") == 0
    u("SMEMBERS", "s")
    assert d("SREM", "s", "b", "c", "d") == 2
    assert d("EXISTS", "s") == 0  # empty sets are deleted
    assert d("SMEMBERS", "s") == []


def test_srem_last_member_deletes_key_with_ttl(d):
    d("SADD", "s", "1", "2")
    d("EXPIRE", "s", "100")
    assert d("SREM", "s", "1", "2", "3") == 2
    assert d("EXISTS", "s") == 0
    assert d("TTL", "s") == -2
    assert d("SADD", "s", "1") == 1
    assert d("TTL", "s") == -1


@pytest.mark.parametrize("members", [["1", "2", "3"], ["a", "b", "c"], ["m%d" % i for i in range(300)],
                                     [str(i) for i in range(600)]], ids=["intset", "small", "hashtable", "bigint"])
def test_membership_every_encoding(d, u, members):
    d("SADD", "s", *members)
    u("SMEMBERS", "s")
    assert d("SCARD", "s") == len(members)
    assert d("SISMEMBER", "s", members[-1]) == 1
    assert d("SISMEMBER", "s", "nope") == 0
    d("SMISMEMBER", "s", members[0], "nope", members[1], "7")
    assert d("SMISMEMBER", "missing", "a", "b") == [0, 0]
    assert d("SISMEMBER", "missing", "a") == 0


def test_smove(d, u):
    d("SADD", "src", "a", "b", "1")
    d("SADD", "dst", "x")
    assert d("SMOVE", "src", "dst", "a") == 1
    assert d("SMOVE", "src", "dst", "zz") == 0
    assert d("SMOVE", "src", "src", "b") == 1  # same key: membership only
    assert d("SMOVE", "src", "src", "zz") == 0
    d("SADD", "dst", "b")
    assert d("SMOVE", "src", "dst", "b") == 1  # already in dst: still 1, removed from src
    u("SMEMBERS", "src")
    u("SMEMBERS", "dst")
    assert d("SMOVE", "src", "new", "1") == 1  # creates dst, src now empty -> deleted
    assert d("EXISTS", "src") == 0
    d("SMEMBERS", "new")
    assert enc(d.cairn, "new") == b"intset" == enc(d.ref, "new")
    assert d("SMOVE", "missing", "new", "1") == 0
    assert d("SMOVE", "new", "dst", "nope") == 0


def test_smove_to_new_string_set_is_listpack(d):
    d("SADD", "src", "a", "b")
    assert d("SMOVE", "src", "dst", "a") == 1
    # 7.2: a new set whose first member is a string is a listpack (7.0: hashtable)
    assert enc(d.cairn, "dst") == b"listpack"
    assert enc(d.ref, "dst") == b"hashtable"


def test_ttl_kept_by_in_place_writes(d):
    d("SADD", "s", "a", "b", "c", "1")
    d("EXPIRE", "s", "1000")
    d("SADD", "s", "d", *["m%d" % i for i in range(200)])  # converts to hashtable
    d("SREM", "s", "a")
    d("SMOVE", "s", "t", "b")
    for k in ("s",):
        assert d.cairn.call("TTL", k) in (999, 1000)
        assert d.ref.call("TTL", k) in (999, 1000)
    assert d("TTL", "t") == -1


def test_expired_sets_are_missing(d, u):
    d("SADD", "e", "a", "1")
    d("SADD", "o", "1", "z")
    d("PEXPIRE", "e", "1")
    time.sleep(0.02)
    assert d("SCARD", "e") == 0
    assert d("SISMEMBER", "e", "a") == 0
    d("SADD", "e2", "x")
    d("PEXPIRE", "e2", "1")
    time.sleep(0.02)
    assert d("SINTER", "o", "e2") == []
    assert u("SUNION", "o", "e2") == [b"1", b"z"]
    assert u("SDIFF", "o", "e2") == [b"1", b"z"]
    assert d("SADD", "e2", "new") == 1  # a fresh set, no TTL
    assert d("TTL", "e2") == -1
    assert d("SMEMBERS", "e2") == [b"new"]


# ---------------------------------------------------------------------------
# SPOP / SRANDMEMBER

def test_spop_argument_errors(d):
    d("SADD", "s", "a")
    positive = ("error", b"ERR value is out of range, must be positive")
    # a non-integer count gets the "must be positive" text too (getPositiveLong...)
    for bad in ["x", "1.5", "", " 1", str(LLONG_MAX + 1), "-1", str(LLONG_MIN)]:
        assert d("SPOP", "s", bad) == positive
        assert d("SPOP", "missing", bad) == positive
    assert d("SCARD", "s") == 1


def test_spop_missing_and_zero(d):
    assert d("SPOP", "missing") is None
    assert d("SPOP", "missing", "0") == []
    assert d("SPOP", "missing", "5") == []
    d("SADD", "s", "a")
    assert d("SPOP", "s", "0") == []
    assert d("SCARD", "s") == 1


SETS = {
    "intset": [str(i) for i in range(20)],
    "listpack": ["m%d" % i for i in range(20)],
    "hashtable": ["h%d" % i for i in range(300)],
    "bigintset": [str(i * 7) for i in range(600)],
    "mixed": ["1", "-7", "abc", str(LLONG_MAX), "x" * 30],
}


def same_set_both(d, key, members):
    d("SADD", key, *members)
    assert d("SCARD", key) == len(members)


@pytest.mark.parametrize("name", sorted(SETS))
@pytest.mark.parametrize("count", [None, 1, 2, 3, 5, 15, 19, 20, 21, 299, 1000])
def test_spop(d, name, count):
    members = SETS[name]
    same_set_both(d, "s", members)
    c = d.cairn
    if count is None:
        popped = [c.call("SPOP", "s")]
    else:
        popped = c.call("SPOP", "s", str(count))
        assert isinstance(popped, list)
        assert len(popped) == min(count, len(members))
    assert len(set(popped)) == len(popped)
    assert set(popped) <= {m.encode() for m in members}
    # apply the same removal on the reference: every popped member was there
    assert d.ref.call("SREM", "s", *popped) == len(popped)
    assert unordered(c.call("SMEMBERS", "s")) == unordered(d.ref.call("SMEMBERS", "s"))
    assert d("EXISTS", "s") == (1 if len(popped) < len(members) else 0)


def test_spop_until_empty_deletes_key(d):
    d("SADD", "s", "a", "b", "1")
    for _ in range(3):
        assert d.cairn.call("SPOP", "s") is not None
    assert d.cairn.call("EXISTS", "s") == 0
    assert d.cairn.call("SPOP", "s") is None


def test_spop_distribution(cairn_server, cairn):
    c = RawClient(cairn_server.port)
    seen = {}
    for _ in range(300):
        c.call("DEL", "s")
        c.call("SADD", "s", "a", "b", "c", "1", "2")
        m = c.call("SPOP", "s")
        seen[m] = seen.get(m, 0) + 1
    assert set(seen) == {b"a", b"b", b"c", b"1", b"2"}
    assert min(seen.values()) > 20
    c.close()


def test_srandmember_argument_errors(d):
    d("SADD", "s", "a")
    for bad in ["x", "1.5", "", str(LLONG_MAX + 1)]:
        assert d("SRANDMEMBER", "s", bad) == NOT_INT
        assert d("SRANDMEMBER", "missing", bad) == NOT_INT
    r = d("SRANDMEMBER", "s", str(LLONG_MIN))
    assert r == ("error", b"ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    assert d("SRANDMEMBER", "missing", str(LLONG_MIN)) == r


def test_srandmember_missing_and_zero(d):
    assert d("SRANDMEMBER", "missing") is None
    assert d("SRANDMEMBER", "missing", "3") == []
    assert d("SRANDMEMBER", "missing", "-3") == []
    d("SADD", "s", "a")
    assert d("SRANDMEMBER", "s", "0") == []
    assert d("SRANDMEMBER", "s") == b"a"
    assert d("SRANDMEMBER", "s", "1") == [b"a"]
    assert d("SRANDMEMBER", "s", "-3") == [b"a", b"a", b"a"]


@pytest.mark.parametrize("name", sorted(SETS))
@pytest.mark.parametrize("count", [1, 2, 5, 6, 7, 10, 19, 20, 25, 100, 150, 299, 300, 1000, -1, -5, -50, -2000])
def test_srandmember_count(d, name, count):
    members = SETS[name]
    same_set_both(d, "s", members)
    want = {m.encode() for m in members}
    r = d.cairn.call("SRANDMEMBER", "s", str(count))
    assert isinstance(r, list)
    assert set(r) <= want
    if count > 0:
        assert len(r) == min(count, len(members))
        assert len(set(r)) == len(r)
    else:
        assert len(r) == -count
    assert d("SCARD", "s") == len(members)  # nothing removed
    if count >= len(members):
        assert unordered(r) == unordered(d.ref.call("SRANDMEMBER", "s", str(count)))


def test_srandmember_single_and_coverage(d):
    d("SADD", "s", "a", "b", "c", "1")
    got = {d.cairn.call("SRANDMEMBER", "s") for _ in range(200)}
    assert got == {b"a", b"b", b"c", b"1"}
    many = d.cairn.call("SRANDMEMBER", "s", "-400")
    assert set(many) == {b"a", b"b", b"c", b"1"}


# ---------------------------------------------------------------------------
# SINTER / SUNION / SDIFF and their STORE / CARD forms

def fill_sources(d):
    d("SADD", "i1", *[str(i) for i in range(0, 40, 2)])           # intset
    d("SADD", "i2", *[str(i) for i in range(0, 40, 3)])           # intset
    d("SADD", "l1", "a", "b", "c", "0", "6", "12", "zz")           # listpack (7.2)
    d("SADD", "l2", "b", "c", "d", "6", "12", "18")                # listpack (7.2)
    d("SADD", "h1", *(["h%d" % i for i in range(200)] + [str(i) for i in range(0, 40)] + ["a", "b"]))
    d("SADD", "h2", *(["h%d" % i for i in range(100, 300)] + [str(i) for i in range(0, 600, 6)] + ["b"]))
    d("SADD", "hi", *[str(i) for i in range(0, 1200, 2)])          # all-integer hashtable (> 512)


SOURCES = ["i1", "i2", "l1", "l2", "h1", "h2", "hi", "missing"]
COMBOS = [
    ["i1"], ["l1"], ["h1"], ["missing"], ["i1", "i2"], ["i1", "l1"], ["l1", "l2"], ["h1", "h2"], ["h1", "i1"],
    ["i2", "h2", "l2"], ["hi", "i1"], ["hi", "h2"], ["i1", "missing"], ["missing", "i1"], ["i1", "i1"],
    ["l1", "l1", "l2"], ["h1", "h2", "hi", "i1", "i2"], ["h2", "h1"], ["l2", "h1", "i1"], ["i1", "hi"],
]


@pytest.mark.parametrize("keys", COMBOS, ids=lambda k: "-".join(k))
def test_set_algebra(d, u, keys):
    fill_sources(d)
    u("SINTER", *keys)
    u("SUNION", *keys)
    u("SDIFF", *keys)
    d("SINTERCARD", str(len(keys)), *keys)
    d("SINTERCARD", str(len(keys)), *keys, "LIMIT", "3")
    d("SINTERCARD", str(len(keys)), *keys, "LIMIT", "0")
    for cmd in ("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"):
        d("SET", "dst", "old")
        d(cmd, "dst", *keys)
        d("TYPE", "dst")
        u("SMEMBERS", "dst")
    # sources are untouched
    for k in SOURCES:
        d("SCARD", k)


def test_store_into_source_key(d, u):
    d("SADD", "a", "1", "2", "3", "x")
    d("SADD", "b", "2", "3", "4")
    assert d("SINTERSTORE", "a", "a", "b") == 2
    u("SMEMBERS", "a")
    assert d("SUNIONSTORE", "b", "b", "a", "missing") == 3
    u("SMEMBERS", "b")
    assert d("SDIFFSTORE", "b", "b", "b") == 0
    assert d("EXISTS", "b") == 0


def test_store_empty_result_deletes_destination(d):
    d("SADD", "a", "1")
    d("SADD", "b", "2")
    for cmd, keys in [("SINTERSTORE", ["a", "b"]), ("SINTERSTORE", ["a", "missing"]), ("SDIFFSTORE", ["a", "a"]),
                      ("SDIFFSTORE", ["missing", "a"]), ("SUNIONSTORE", ["missing"]), ("SDIFFSTORE", ["a", "b", "a"])]:
        d("SET", "dst", "x")
        d("EXPIRE", "dst", "100")
        assert d(cmd, "dst", *keys) == 0
        assert d("EXISTS", "dst") == 0
        assert d(cmd, "dst", *keys) == 0


def test_store_replaces_destination_and_ttl(d, u):
    d("SADD", "a", "1", "2")
    d("SET", "dst", "string")
    d("EXPIRE", "dst", "1000")
    assert d("SUNIONSTORE", "dst", "a") == 2
    assert d("TTL", "dst") == -1
    assert d("TYPE", "dst") == ("status", b"set")


def test_sintercard_errors(d):
    d("SADD", "a", "1", "2", "3")
    d("SADD", "b", "2", "3")
    numkeys_err = ("error", b"ERR numkeys should be greater than 0")
    for bad in ["0", "-1", "x", "", "1.5", str(LLONG_MAX + 1)]:
        assert d("SINTERCARD", bad, "a") == numkeys_err
    assert d("SINTERCARD", "3", "a", "b") == ("error", b"ERR Number of keys can't be greater than number of args")
    limit_err = ("error", b"ERR LIMIT can't be negative")
    assert d("SINTERCARD", "2", "a", "b", "LIMIT", "-1") == limit_err
    assert d("SINTERCARD", "2", "a", "b", "LIMIT", "abc") == limit_err
    assert d("SINTERCARD", "2", "a", "b", "LIMIT") == SYNTAX
    assert d("SINTERCARD", "2", "a", "b", "FOO", "1") == SYNTAX
    assert d("SINTERCARD", "1", "a", "b") == SYNTAX
    assert d("SINTERCARD", "2", "a", "b", "limit", "1") == 1
    assert d("SINTERCARD", "2", "a", "b", "LIMIT", "5", "LIMIT", "1") == 1
    assert d("SINTERCARD", "2", "a", "b", "LIMIT", "0") == 2
    assert d("SINTERCARD", "2", "a", "missing") == 0
    assert d("SINTERCARD", "1", "a") == 3


# ---------------------------------------------------------------------------
# SSCAN

def scan_all(cl, key, *opts):
    cursor, seen, calls = b"0", [], 0
    while True:
        cursor, items = cl.call("SSCAN", key, cursor, *opts)
        seen += items
        calls += 1
        if cursor == b"0":
            return seen, calls
        assert calls < 10000


def test_sscan_errors(d):
    d("SADD", "s", "a", "b")
    for bad in ["x", "-x", " 1", "1 ", "18446744073709551616", "1.5"]:
        assert d("SSCAN", "s", bad) == ("error", b"ERR invalid cursor")
        assert d("SSCAN", "missing", bad) == ("error", b"ERR invalid cursor")
    assert d("SSCAN", "s", "0", "COUNT", "0") == SYNTAX
    assert d("SSCAN", "s", "0", "COUNT", "-1") == SYNTAX
    assert d("SSCAN", "s", "0", "COUNT", "x") == NOT_INT
    assert d("SSCAN", "s", "0", "COUNT") == SYNTAX
    assert d("SSCAN", "s", "0", "MATCH") == SYNTAX
    assert d("SSCAN", "s", "0", "TYPE", "set") == SYNTAX
    assert d("SSCAN", "s", "0", "NOVALUES") == SYNTAX
    # a missing key answers an empty scan before the options are looked at
    assert d("SSCAN", "missing", "0") == [b"0", []]
    assert d("SSCAN", "missing", "0", "COUNT", "x") == [b"0", []]
    assert d("SSCAN", "missing", "0", "BOGUS") == [b"0", []]


def test_sscan_intset_one_call(d):
    d("SADD", "s", *[str(i) for i in range(100)])
    # intsets are returned whole, cursor 0, whatever cursor and COUNT
    assert d("SSCAN", "s", "0")[0] == b"0"
    d("SSCAN", "s", "0", "COUNT", "1")
    d("SSCAN", "s", "12345")
    d("SSCAN", "s", "0", "MATCH", "1*")
    d("SSCAN", "s", "-1", "MATCH", "*5", "COUNT", "3")
    d("SSCAN", "s", "", "match", "[2-3]?")


def test_sscan_listpack_one_call(d):
    members = ["m%d" % i for i in range(50)] + ["1", "22", "x" * 64]
    d("SADD", "s", *members)
    # 7.2: a listpack set is returned whole in one call with cursor 0, like an
    # intset (7.0 keeps it in a hashtable and may need several calls).
    assert enc(d.cairn, "s") == b"listpack"
    cursor, items = d.cairn.call("SSCAN", "s", "0", "COUNT", "2")
    assert cursor == b"0"
    assert sorted(items) == sorted(m.encode() for m in members)
    assert d.cairn.call("SSCAN", "s", "777")[0] == b"0"
    cursor, items = d.cairn.call("SSCAN", "s", "0", "MATCH", "m1*")
    assert cursor == b"0" and sorted(items) == sorted(m.encode() for m in members if m.startswith("m1"))
    seen, _ = scan_all(d.ref, "s", "MATCH", "m1*")
    assert sorted(items) == sorted(set(seen))


@pytest.mark.parametrize("count", [None, "1", "5", "100", "5000"])
def test_sscan_hashtable_full_iteration(d, count):
    members = ["m%d" % i for i in range(1000)] + [str(i) for i in range(300)]
    d("SADD", "s", *members)
    opts = ("COUNT", count) if count else ()
    seen, calls = scan_all(d.cairn, "s", *opts)
    assert set(seen) == {m.encode() for m in members}
    assert len(seen) - len(set(seen)) < 200
    if count == "5000":
        assert calls == 1
    if count in (None, "1", "5"):
        assert calls > 10
    ref_seen, _ = scan_all(d.ref, "s", *opts)
    assert set(seen) == set(ref_seen)


def test_sscan_hashtable_match(d):
    members = ["user:%d" % i for i in range(500)] + ["other:%d" % i for i in range(500)] + [b"bin\x00ary"]
    d("SADD", "s", *members)
    seen, _ = scan_all(d.cairn, "s", "MATCH", "user:1*", "COUNT", "20")
    ref_seen, _ = scan_all(d.ref, "s", "MATCH", "user:1*", "COUNT", "20")
    assert set(seen) == set(ref_seen) == {m.encode() for m in members if isinstance(m, str) and m.startswith("user:1")}
    seen, _ = scan_all(d.cairn, "s", "MATCH", "bin*")
    assert set(seen) == {b"bin\x00ary"}


def test_sscan_hashtable_while_modified(cairn_server, cairn):
    c = RawClient(cairn_server.port)
    c.call("SADD", "s", *["m%d" % i for i in range(2000)])
    cursor, seen, added = b"0", set(), 0
    while True:
        cursor, items = c.call("SSCAN", "s", cursor, "COUNT", "50")
        seen.update(items)
        c.call("SADD", "s", *["n%d" % (added + i) for i in range(40)])  # grows: rehashing while scanning
        added += 40
        if cursor == b"0":
            break
    assert {("m%d" % i).encode() for i in range(2000)} <= seen
    c.close()


# ---------------------------------------------------------------------------
# encodings at each threshold

def test_intset_limit(d):
    d("SADD", "s", *[str(i) for i in range(512)])
    assert enc(d.cairn, "s") == b"intset" == enc(d.ref, "s")
    d("SADD", "s", "512")
    assert enc(d.cairn, "s") == b"hashtable" == enc(d.ref, "s")
    d("SREM", "s", *[str(i) for i in range(500)])
    assert enc(d.cairn, "s") == b"hashtable" == enc(d.ref, "s")  # never converted back


def test_sadd_many_integers_at_once(d):
    d("SADD", "a", *[str(i) for i in range(512)])
    assert enc(d.cairn, "a") == b"intset" == enc(d.ref, "a")
    d("SADD", "b", *[str(i) for i in range(513)])
    assert enc(d.cairn, "b") == b"hashtable" == enc(d.ref, "b")


def test_sadd_argument_count_converts_existing_set(d):
    d("SADD", "s", "1", "2", "3")
    d("SADD", "s", *(["1"] * 513))
    # 7.2: SADD with more arguments than set-max-intset-entries converts the
    # set to a hashtable before adding (setTypeMaybeConvert), even though only
    # duplicates were given; 7.0 keeps the intset.
    assert enc(d.cairn, "s") == b"hashtable"
    assert enc(d.ref, "s") == b"intset"
    d("SADD", "l", "a", "b")
    d("SADD", "l", *(["a"] * 129))
    assert enc(d.cairn, "l") == b"hashtable"  # 7.2: more than set-max-listpack-entries arguments
    d("SADD", "l2", "a", "b")
    d("SADD", "l2", *(["a"] * 128))
    assert enc(d.cairn, "l2") == b"listpack"


def test_listpack_limits(d):
    # 7.2 only: 7.0 says hashtable for every one of these sets.
    d("SADD", "s", *["m%d" % i for i in range(128)])
    assert enc(d.cairn, "s") == b"listpack"
    assert enc(d.ref, "s") == b"hashtable"
    d("SADD", "s", "m0")
    assert enc(d.cairn, "s") == b"listpack"
    d("SADD", "s", "m128")
    assert enc(d.cairn, "s") == b"hashtable"
    d("SADD", "v", "a" * 64)
    assert enc(d.cairn, "v") == b"listpack"
    d("SADD", "v", "b" * 65)
    assert enc(d.cairn, "v") == b"hashtable"
    d("SADD", "w", "a" * 65)  # a new set whose first member is already too long
    assert enc(d.cairn, "w") == b"hashtable"
    d("SADD", "many", *["m%d" % i for i in range(129)])  # more than 128 at once
    assert enc(d.cairn, "many") == b"hashtable"
    d("SADD", "ints", *[str(i) for i in range(129)])  # integers: intset up to 512
    assert enc(d.cairn, "ints") == b"intset" == enc(d.ref, "ints")
    d("SADD", "mix", "a", *[str(i) for i in range(100)])  # first member a string: listpack with integers
    assert enc(d.cairn, "mix") == b"listpack"
    d("SREM", "mix", "a")
    assert enc(d.cairn, "mix") == b"listpack"  # removals never convert
    assert d("SCARD", "mix") == 100


def test_intset_to_listpack_or_hashtable(d):
    d("SADD", "a", *[str(i) for i in range(127)])
    d("SADD", "a", "x")
    # 7.2: intset + string -> listpack when the result fits (7.0: hashtable)
    assert enc(d.cairn, "a") == b"listpack"
    assert enc(d.ref, "a") == b"hashtable"
    d("SADD", "b", *[str(i) for i in range(128)])
    d("SADD", "b", "x")  # 129 members: too many for a listpack
    assert enc(d.cairn, "b") == b"hashtable" == enc(d.ref, "b")
    d("SADD", "c", "1", "2")
    d("SADD", "c", "y" * 65)  # string longer than set-max-listpack-value
    assert enc(d.cairn, "c") == b"hashtable" == enc(d.ref, "c")
    d("SADD", "e", "1", "2")
    d("SADD", "e", "y" * 64)
    assert enc(d.cairn, "e") == b"listpack"
    for k in "abce":
        assert unordered(d.cairn.call("SMEMBERS", k)) == unordered(d.ref.call("SMEMBERS", k))


def test_intset_digits_checked_against_listpack_value(d):
    config_both(d, "set-max-listpack-value", 10)
    d("SADD", "a", "1", "12345678901")  # 11 digits in the intset
    d("SADD", "a", "x")
    assert enc(d.cairn, "a") == b"hashtable" == enc(d.ref, "a")
    d("SADD", "b", "1", "-123456789")  # 10 characters with the sign
    d("SADD", "b", "x")
    assert enc(d.cairn, "b") == b"listpack"  # 7.2 (7.0: hashtable)
    d("SADD", "c", "0123456789a")  # a new set with a string longer than the limit
    assert enc(d.cairn, "c") == b"hashtable"


def test_thresholds_follow_config(d):
    config_both(d, "set-max-intset-entries", 4)
    config_both(d, "set-max-listpack-entries", 3)
    d("SADD", "i", "1", "2", "3", "4")
    assert enc(d.cairn, "i") == b"intset" == enc(d.ref, "i")
    d("SADD", "i", "5")
    assert enc(d.cairn, "i") == b"hashtable" == enc(d.ref, "i")
    d("SADD", "l", "a", "b", "c")
    assert enc(d.cairn, "l") == b"listpack"
    d("SADD", "l", "d")
    assert enc(d.cairn, "l") == b"hashtable"
    config_both(d, "set-max-intset-entries", 0)
    d("SADD", "z", "1")
    assert enc(d.cairn, "z") == b"listpack"  # 7.2: no intset allowed, a listpack (7.0: intset then hashtable)
    config_both(d, "set-max-listpack-entries", 0)
    d("SADD", "y", "a")
    assert enc(d.cairn, "y") == b"hashtable" == enc(d.ref, "y")


def test_spop_rebuild_makes_compact_set(d):
    # 7.2: SPOP with a count that leaves fewer than count/5 members builds the
    # remaining set anew: from a hashtable it becomes a listpack (7.0: a
    # hashtable, or an intset for integers), from an intset it stays an intset.
    d("SADD", "h", *["m%d" % i for i in range(300)])
    r = d.cairn.call("SPOP", "h", "290")
    assert len(r) == 290 and len(set(r)) == 290
    assert d.cairn.call("SCARD", "h") == 10
    assert enc(d.cairn, "h") == b"listpack"
    d("SADD", "hi", *[str(i) for i in range(600)])
    d.cairn.call("SPOP", "hi", "590")
    assert enc(d.cairn, "hi") == b"listpack"
    d("SADD", "i", *[str(i) for i in range(100)])
    d.cairn.call("SPOP", "i", "95")
    assert enc(d.cairn, "i") == b"intset"
    assert d.cairn.call("SCARD", "i") == 5
    d("SADD", "h2", *["m%d" % i for i in range(300)])
    d.cairn.call("SPOP", "h2", "100")  # many stay: popped one by one, encoding kept
    assert enc(d.cairn, "h2") == b"hashtable"


def test_spop_keeps_ttl(d):
    d("SADD", "s", *["m%d" % i for i in range(300)])
    d("EXPIRE", "s", "1000")
    d.cairn.call("SPOP", "s", "295")
    assert 0 < d.cairn.call("TTL", "s") <= 1000


def test_store_result_encodings(d):
    fill_sources(d)
    d("SINTERSTORE", "r1", "i1", "i2")
    assert enc(d.cairn, "r1") == b"intset" == enc(d.ref, "r1")
    d("SINTERSTORE", "r2", "h1", "h2")  # mixed strings and integers, 101 members
    # 7.2: a small intersection of hashtables is stored as a listpack (7.0: hashtable)
    assert enc(d.cairn, "r2") == b"listpack"
    d("SINTERSTORE", "r3", "hi", "h2")  # only integers: converted to an intset (both)
    assert enc(d.cairn, "r3") == b"intset" == enc(d.ref, "r3")
    d("SUNIONSTORE", "r4", "i1", "i2")
    assert enc(d.cairn, "r4") == b"intset" == enc(d.ref, "r4")
    d("SUNIONSTORE", "r5", "l1", "l2")
    assert enc(d.cairn, "r5") == b"listpack"  # 7.2 (7.0: hashtable)
    d("SUNIONSTORE", "r6", "h1", "h2")
    assert enc(d.cairn, "r6") == b"hashtable" == enc(d.ref, "r6")
    d("SDIFFSTORE", "r7", "hi", "i1")
    assert enc(d.cairn, "r7") == b"hashtable" == enc(d.ref, "r7")  # more than 512 integers
    d("SDIFFSTORE", "r8", "l1", "l2")
    assert enc(d.cairn, "r8") == b"listpack"  # 7.2 (7.0: hashtable)
    d("SINTERSTORE", "r9", "l1", "i1")
    assert enc(d.cairn, "r9") == b"intset" == enc(d.ref, "r9")  # first (smallest) set is the listpack
    for k in ["r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9"]:
        assert unordered(d.cairn.call("SMEMBERS", k)) == unordered(d.ref.call("SMEMBERS", k))


def test_object_encoding_and_copy(d, u):
    fill_sources(d)
    for k in ["i1", "l1", "h1"]:
        assert d("COPY", k, k + "c") == 1
        assert enc(d.cairn, k + "c") == enc(d.cairn, k)
        u("SMEMBERS", k + "c")
        d("SADD", k + "c", "new")
        assert d("SISMEMBER", k, "new") == 0


def test_memory_usage_grows(cairn_server, cairn):
    """The type's mem_usage method, as DEBUG OBJECT reports it (serializedlength)."""
    c = RawClient(cairn_server.port)
    c.call("SADD", "small", "a")
    c.call("SADD", "big", *["member-%d" % i for i in range(5000)])
    c.call("SADD", "ints", *[str(i) for i in range(400)])

    def usage(key):
        r = c.call("DEBUG", "OBJECT", key)
        assert r[0] == "status", r
        return int(r[1].split(b"serializedlength:")[1].split()[0])

    small, big, ints = usage("small"), usage("big"), usage("ints")
    assert 7 <= small < 100
    assert 400 * 2 <= ints < 400 * 8
    assert big > 5000 * 16
    c.close()


# ---------------------------------------------------------------------------
# RESP3

def test_resp3_reply_types(resp3):
    r3, u3 = resp3
    r3("SADD", "a", "1", "2", "x")
    r3("SADD", "b", "2", "x", "y")
    assert u3("SMEMBERS", "a")[0] == "set"
    assert r3("SMEMBERS", "missing") == ("set", [])
    assert u3("SINTER", "a", "b") == ("set", [b"2", b"x"])
    assert r3("SINTER", "a", "missing") == ("set", [])
    assert u3("SUNION", "a", "b")[0] == "set"
    assert u3("SDIFF", "a", "b") == ("set", [b"1"])
    assert r3("SDIFF", "missing", "a") == ("set", [])
    assert r3("SMISMEMBER", "a", "1", "3") == [1, 0]
    assert r3("SISMEMBER", "a", "1") == 1
    assert r3("SPOP", "missing") is None
    assert r3("SPOP", "missing", "2") == ("set", [])
    assert r3("SPOP", "a", "0") == ("set", [])
    assert r3("SRANDMEMBER", "missing") is None
    assert r3("SRANDMEMBER", "missing", "2") == []
    assert u3("SRANDMEMBER", "a", "10") == [b"1", b"2", b"x"]  # an array, not a set
    assert r3("SSCAN", "missing", "0") == [b"0", []]
    cur, items = r3.cairn.call("SSCAN", "a", "0")
    assert cur == b"0" and sorted(items) == [b"1", b"2", b"x"]
    assert r3("SINTERCARD", "2", "a", "b") == 2


def test_resp3_spop_count_is_a_set(resp3):
    r3, _ = resp3
    r3("SADD", "s", "a", "b", "c", "d", "e", "f")
    a = r3.cairn.call("SPOP", "s", "2")
    b = r3.ref.call("SPOP", "s", "2")
    assert a[0] == b[0] == "set" and len(a[1]) == len(b[1]) == 2
    a = r3.cairn.call("SPOP", "s", "100")
    b = r3.ref.call("SPOP", "s", "100")
    assert a[0] == b[0] == "set" and len(a[1]) == len(b[1]) == 4


# ---------------------------------------------------------------------------
# WATCH and keyspace interplay

def test_set_writes_touch_watched_keys(cairn_server, cairn):
    for cmds, noop in [((("SADD", "w", "new"),), False), ((("SADD", "w", "a"),), True),
                       ((("SREM", "w", "a"),), False), ((("SREM", "w", "zz"),), True),
                       ((("SPOP", "w"),), False), ((("SMOVE", "w", "o", "a"),), False),
                       ((("SINTERSTORE", "w", "w", "w"),), False), ((("SMOVE", "o", "w", "q"),), False)]:
        a = RawClient(cairn_server.port)
        b = RawClient(cairn_server.port)
        a.call("DEL", "w", "o")
        a.call("SADD", "w", "a", "b")
        a.call("SADD", "o", "q")
        a.call("WATCH", "w")
        for cmd in cmds:
            b.call(*cmd)
        a.call("MULTI")
        a.call("PING")
        r = a.call("EXEC")
        assert (r is not None) == noop, cmds
        a.close()
        b.close()


# ---------------------------------------------------------------------------
# randomized model test against redis-server

def test_random_model(d, u):
    rnd = random.Random(1234)
    config_both(d, "set-max-intset-entries", 16)
    config_both(d, "set-max-listpack-entries", 12)
    config_both(d, "set-max-listpack-value", 8)
    keys = ["k1", "k2", "k3", "k4"]
    ints = [str(i) for i in range(-10, 30)] + [str(LLONG_MAX), str(LLONG_MIN)]
    strs = ["a", "b", "c", "01", "+1", "-0", "", "longer-than-8", "x\x00y", "dd", "e e"]

    def member():
        return rnd.choice(ints) if rnd.random() < 0.6 else rnd.choice(strs)

    def members(n):
        return [member() for _ in range(n)]

    d("SET", "str", "v")
    for step in range(1500):
        k = rnd.choice(keys)
        op = rnd.randrange(16)
        if op <= 3:
            d("SADD", k, *members(rnd.randint(1, 6)))
        elif op == 4:
            d("SREM", k, *members(rnd.randint(1, 6)))
        elif op == 5:
            d("SMOVE", k, rnd.choice(keys + ["str"]), member())
        elif op == 6:
            d("SMISMEMBER", k, *members(4))
            d("SISMEMBER", k, member())
        elif op == 7:
            u("SMEMBERS", k)
            d("SCARD", k)
        elif op == 8:
            ks = rnd.sample(keys + ["missing"], rnd.randint(1, 3))
            u("SINTER", *ks)
            d("SINTERCARD", str(len(ks)), *ks, "LIMIT", str(rnd.randint(0, 5)))
        elif op == 9:
            u("SUNION", *rnd.sample(keys + ["missing"], rnd.randint(1, 3)))
        elif op == 10:
            u("SDIFF", *rnd.sample(keys + ["missing"], rnd.randint(1, 3)))
        elif op == 11:
            cmd = rnd.choice(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"])
            d(cmd, rnd.choice(keys), *rnd.sample(keys, rnd.randint(1, 3)))
        elif op == 12:
            # random pops: apply Cairn's choice to the reference with SREM
            count = rnd.choice([None, "1", "2", "5", "20"])
            args = ("SPOP", k) if count is None else ("SPOP", k, count)
            got = d.cairn.call(*args)
            got = [] if got is None else ([got] if isinstance(got, bytes) else got)
            if got:
                assert d.ref.call("SREM", k, *got) == len(got), (args, got)
            assert len(set(got)) == len(got)
            d("EXISTS", k)
        elif op == 13:
            n = rnd.choice([1, 3, 10, -3, -10])
            got = d.cairn.call("SRANDMEMBER", k, str(n))
            for m in got:
                assert d.ref.call("SISMEMBER", k, m) == 1
            if n > 0:
                assert len(got) == min(n, d.ref.call("SCARD", k))
        elif op == 14:
            seen, _ = scan_all(d.cairn, k, "COUNT", "3")
            assert set(seen) == set(d.ref.call("SMEMBERS", k))
        else:
            d("DEL", k) if rnd.random() < 0.2 else u("SMEMBERS", k)
        if step % 50 == 0:
            for key in keys:
                u("SMEMBERS", key)
                e = enc(d.cairn, key)
                if e is not None and not isinstance(e, tuple):
                    assert e in (b"intset", b"listpack", b"hashtable")
                    n = d.ref.call("SCARD", key)
                    if e == b"intset":
                        assert n <= 16
                    if e == b"listpack":
                        assert n <= 12
