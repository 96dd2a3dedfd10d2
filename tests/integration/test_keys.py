"""Keyspace commands: DEL, UNLINK, EXISTS, TYPE, RENAME, RENAMENX, COPY, MOVE,
TOUCH, RANDOMKEY, KEYS, SCAN, DBSIZE, FLUSHDB, FLUSHALL, SELECT, SWAPDB, OBJECT.

Mostly differential: the same command goes to Cairn and to the reference
redis-server (7.0.15) and the replies, error strings included, must be equal.
Where key order is the hash table's (KEYS, SCAN) the replies are compared as
sets. Where Redis 7.2 differs from 7.0.15 the test follows 7.2 and says so.
"""
import time

import pytest

from conftest import run_raw


def run(client, *args):
    """Raw reply of a command on one server (error replies as ("error", text))."""
    return run_raw(client, *args)


def both(cairn, redis_ref, *args):
    """Run a command on both servers, return (cairn_reply, redis_reply)."""
    return run(cairn, *args), run(redis_ref, *args)


def sorted_keys(cairn, redis_ref, pattern="*"):
    """KEYS on both servers (order is the hash table's): the sorted list, equal on both."""
    a, b = both(cairn, redis_ref, "KEYS", pattern)
    assert sorted(a) == sorted(b)
    return sorted(a)


def setup_types(diff):
    """One key of each type (string, list, set, zset, hash, stream)."""
    diff("SET", "str", "v")
    diff("RPUSH", "list", "a", "b")
    diff("SADD", "set", "x", "y")
    diff("ZADD", "zset", "1", "m")
    diff("HSET", "hash", "f", "v")
    diff("XADD", "stream", "1-1", "f", "v")


ARITY = [
    ("DEL",), ("UNLINK",), ("EXISTS",), ("TYPE",), ("TYPE", "a", "b"), ("RENAME", "a"),
    ("RENAME", "a", "b", "c"), ("RENAMENX", "a"), ("COPY", "a"), ("MOVE", "a"), ("MOVE", "a", "1", "2"),
    ("TOUCH",), ("RANDOMKEY", "x"), ("KEYS",), ("KEYS", "a", "b"), ("SCAN",), ("DBSIZE", "x"),
    ("SELECT",), ("SELECT", "1", "2"), ("SWAPDB", "0"), ("SWAPDB", "0", "1", "2"),
    ("OBJECT",), ("OBJECT", "ENCODING"), ("OBJECT", "ENCODING", "a", "b"), ("OBJECT", "REFCOUNT"),
    ("OBJECT", "IDLETIME"), ("OBJECT", "FREQ", "a", "b"), ("OBJECT", "HELP", "x"),
]


@pytest.mark.parametrize("args", ARITY, ids=lambda a: " ".join(a))
def test_wrong_arity(diff, args):
    r = diff(*args)
    assert isinstance(r, tuple) and "wrong number of arguments" in r[1]


def test_unknown_object_subcommand(diff):
    assert diff("OBJECT", "foo", "k")[1].startswith("unknown subcommand 'foo'")
    diff("OBJECT", "nosuch")


# ---- DEL / UNLINK / EXISTS / TOUCH ------------------------------------------

@pytest.mark.parametrize("cmd", ["DEL", "UNLINK"])
def test_del(diff, cmd):
    diff("MSET", "a", "1", "b", "2", "c", "3")
    assert diff(cmd, "a") == 1
    assert diff(cmd, "a") == 0
    assert diff(cmd, "b", "c", "nosuch", "b") == 2
    assert diff("DBSIZE") == 0
    assert diff(cmd, "x", "x", "x") == 0


def test_del_all_types(diff):
    setup_types(diff)
    assert diff("DEL", "str", "list", "set", "zset", "hash", "stream", "none") == 6
    assert diff("DBSIZE") == 0


def test_unlink_large_values(diff):
    diff("RPUSH", "biglist", *[str(i) for i in range(2000)])
    diff("SADD", "bigset", *["m%d" % i for i in range(2000)])
    assert diff("UNLINK", "biglist", "bigset") == 2
    assert diff("EXISTS", "biglist", "bigset") == 0


def test_exists_counts_repeats(diff):
    diff("SET", "a", "1")
    assert diff("EXISTS", "a") == 1
    assert diff("EXISTS", "a", "a", "a") == 3
    assert diff("EXISTS", "a", "b", "a") == 2
    assert diff("EXISTS", "nosuch") == 0
    assert diff("EXISTS", "") == 0
    diff("SET", "", "empty-key")
    assert diff("EXISTS", "") == 1


def test_binary_keys(diff):
    key = b"a\x00b\r\n\xff"
    diff("SET", key, "v")
    assert diff("EXISTS", key) == 1
    assert diff("EXISTS", b"a") == 0
    assert diff("TYPE", key) == b"string"
    assert diff("RENAME", key, b"\x00") == b"OK"
    assert diff("KEYS", "*") == [b"\x00"]
    assert diff("DEL", b"\x00") == 1


def test_touch(diff):
    diff("SET", "a", "1")
    diff("SET", "l", "x" * 100)
    assert diff("TOUCH", "a", "l", "nosuch", "a") == 3
    assert diff("TOUCH", "nosuch") == 0


# ---- TYPE -----------------------------------------------------------------------

def test_type(diff):
    setup_types(diff)
    for k in ("str", "list", "set", "zset", "hash", "stream", "nosuch"):
        diff("TYPE", k)
    assert diff("TYPE", "nosuch") == b"none"


def test_type_is_status_reply(cairn_resp3, redis_ref_resp3):
    for c in (cairn_resp3, redis_ref_resp3):
        c.call("SET", "a", "1")
        assert c.call("TYPE", "a") == ("status", b"string")
        assert c.call("TYPE", "zz") == ("status", b"none")


# ---- RENAME / RENAMENX ------------------------------------------------------------

def test_rename_basic(diff):
    diff("SET", "a", "1")
    assert diff("RENAME", "a", "b") == b"OK"
    assert diff("GET", "b") == b"1"
    assert diff("EXISTS", "a") == 0


def test_rename_errors(diff):
    assert diff("RENAME", "nosuch", "x") == ("error", "no such key")
    # same name: still an error when the key is missing, OK/0 when it exists
    assert diff("RENAME", "nosuch", "nosuch") == ("error", "no such key")
    assert diff("RENAMENX", "nosuch", "nosuch") == ("error", "no such key")
    assert diff("RENAMENX", "nosuch", "x") == ("error", "no such key")
    diff("SET", "a", "1")
    assert diff("RENAME", "a", "a") == b"OK"
    assert diff("RENAMENX", "a", "a") == 0
    assert diff("GET", "a") == b"1"


def test_rename_overwrites_any_type(diff):
    diff("SET", "a", "1")
    diff("RPUSH", "dst", "x", "y")
    assert diff("RENAME", "a", "dst") == b"OK"
    assert diff("TYPE", "dst") == b"string"
    assert diff("GET", "dst") == b"1"
    diff("HSET", "h", "f", "v")
    assert diff("RENAME", "h", "dst") == b"OK"
    assert diff("HGETALL", "dst") == [b"f", b"v"]
    assert diff("DBSIZE") == 1


def test_renamenx(diff):
    diff("SET", "a", "1")
    diff("SET", "b", "2")
    assert diff("RENAMENX", "a", "b") == 0
    assert diff("GET", "b") == b"2"
    assert diff("RENAMENX", "a", "c") == 1
    assert diff("GET", "c") == b"1"
    assert diff("EXISTS", "a") == 0


def test_rename_keeps_and_drops_ttl(cairn, redis_ref, diff):
    diff("SET", "a", "1")
    diff("PEXPIRE", "a", "100000")
    diff("SET", "b", "2")
    diff("PEXPIRE", "b", "50000")
    assert diff("RENAME", "a", "b") == b"OK"   # b gets a's TTL
    for c in (cairn, redis_ref):
        assert 99000 < c.pttl("b") <= 100000
    diff("SET", "c", "3")
    diff("PEXPIRE", "c", "100000")
    diff("SET", "p", "persistent")
    assert diff("RENAME", "p", "c") == b"OK"   # c's TTL is gone with its value
    assert diff("TTL", "c") == -1


@pytest.mark.parametrize("setup", [
    ("SET", "src", "a string longer than forty-four bytes, so a raw one"),
    ("SET", "src", "short"),
    ("SET", "src", "12345"),
    ("RPUSH", "src", "a", "b", "c"),
    ("SADD", "src", "1", "2", "3"),
    ("ZADD", "src", "1", "a", "2", "b"),
    ("HSET", "src", "f1", "v1", "f2", "v2"),
])
def test_rename_every_type_and_encoding(diff, setup):
    diff(*setup)
    enc = diff("OBJECT", "ENCODING", "src") if setup[0] == "SET" else None
    diff("EXPIRE", "src", "1000")
    assert diff("RENAME", "src", "dst") == b"OK"
    assert diff("EXISTS", "src") == 0
    assert diff("TTL", "dst") in (999, 1000)
    if enc is not None:
        assert diff("OBJECT", "ENCODING", "dst") == enc
    assert diff("RENAMENX", "dst", "src") == 1
    assert diff("TYPE", "src") == {"SET": b"string", "RPUSH": b"list", "SADD": b"set", "ZADD": b"zset",
                                   "HSET": b"hash"}[setup[0]]


# ---- COPY ---------------------------------------------------------------------------

def test_copy_basic(diff):
    diff("SET", "a", "hello")
    assert diff("COPY", "a", "b") == 1
    assert diff("GET", "b") == b"hello"
    assert diff("COPY", "a", "b") == 0
    diff("SET", "a", "world")
    assert diff("COPY", "a", "b", "REPLACE") == 1
    assert diff("GET", "b") == b"world"
    assert diff("COPY", "nosuch", "b") == 0
    assert diff("COPY", "nosuch", "b", "REPLACE") == 0
    assert diff("GET", "b") == b"world"


def test_copy_errors(diff):
    diff("SET", "a", "1")
    same = ("error", "source and destination objects are the same")
    assert diff("COPY", "a", "a") == same
    assert diff("COPY", "nosuch", "nosuch") == same
    assert diff("COPY", "a", "a", "DB", "0") == same
    assert diff("COPY", "a", "a", "DB", "1") == 1
    diff("COPY", "a", "b", "DB", "abc")
    diff("COPY", "a", "b", "DB", "16")
    diff("COPY", "a", "b", "DB", "-1")
    diff("COPY", "a", "b", "DB", "99999999999")
    diff("COPY", "a", "b", "DB", "1.5")
    assert diff("COPY", "a", "b", "DB") == ("error", "syntax error")
    assert diff("COPY", "a", "b", "foo") == ("error", "syntax error")
    assert diff("COPY", "a", "b", "REPLACE", "DB") == ("error", "syntax error")
    # options are parsed before the keys are looked at
    diff("COPY", "nosuch", "b", "DB", "77")
    assert diff("EXISTS", "b") == 0


def test_copy_to_other_db(cairn, redis_ref, diff):
    diff("SET", "a", "v")
    diff("EXPIRE", "a", "500")
    assert diff("COPY", "a", "a", "DB", "3") == 1
    assert diff("COPY", "a", "a", "DB", "3") == 0
    assert diff("COPY", "a", "b", "db", "3", "replace") == 1
    diff("SELECT", "3")
    assert sorted_keys(cairn, redis_ref) == [b"a", b"b"]
    assert diff("TTL", "a") in (499, 500)
    assert diff("GET", "b") == b"v"
    diff("SELECT", "0")
    assert diff("DBSIZE") == 1


@pytest.mark.parametrize("setup,read", [
    (("RPUSH", "src", "a", "b", "c"), ("LRANGE", "{}", "0", "-1")),
    (("RPUSH", "src", *[str(i) for i in range(300)]), ("LRANGE", "{}", "0", "-1")),
    (("SADD", "src", "1", "2", "3"), ("SMEMBERS", "{}")),
    (("SADD", "src", "a", "b"), ("SMEMBERS", "{}")),
    (("SADD", "src", *["m%d" % i for i in range(300)]), ("SMEMBERS", "{}")),
    (("ZADD", "src", "1", "a", "2", "b"), ("ZRANGE", "{}", "0", "-1", "WITHSCORES")),
    (("ZADD", "src", *[x for i in range(300) for x in (str(i), "m%d" % i)]), ("ZRANGE", "{}", "0", "-1", "WITHSCORES")),
    (("HSET", "src", "f", "v"), ("HGETALL", "{}")),
    (("HSET", "src", *[x for i in range(300) for x in ("f%d" % i, "v")]), ("HGETALL", "{}")),
    (("XADD", "src", "1-1", "f", "v"), ("XRANGE", "{}", "-", "+")),
])
def test_copy_types_deep(cairn, redis_ref, diff, setup, read):
    diff(*setup)
    assert diff("COPY", "src", "dst") == 1
    rd = lambda k: tuple(a.replace("{}", k) for a in read)
    a, b = both(cairn, redis_ref, *rd("dst"))
    if read[0] in ("SMEMBERS", "HGETALL"):
        a, b = sorted(a), sorted(b)
    assert a == b
    # the copy is independent of the source
    diff("DEL", "src")
    assert diff("EXISTS", "dst") == 1
    a2 = run(cairn, *rd("dst"))
    if read[0] in ("SMEMBERS", "HGETALL"):
        a2 = sorted(a2)
    assert a2 == a


def test_copy_independent_strings(diff):
    diff("SET", "a", "x" * 100)
    diff("COPY", "a", "b")
    diff("APPEND", "a", "more")
    assert diff("STRLEN", "b") == 100
    diff("SET", "n", "10")
    diff("COPY", "n", "m")
    diff("INCR", "n")
    assert diff("GET", "m") == b"10"


# ---- MOVE -------------------------------------------------------------------------

def test_move(cairn, redis_ref, diff):
    diff("SET", "a", "1")
    diff("PEXPIRE", "a", "100000")
    assert diff("MOVE", "a", "1") == 1
    assert diff("EXISTS", "a") == 0
    assert diff("MOVE", "a", "1") == 0
    diff("SELECT", "1")
    assert diff("GET", "a") == b"1"
    for c in (cairn, redis_ref):
        assert 99000 < c.pttl("a") <= 100000
    diff("SELECT", "0")
    diff("SET", "a", "other")
    assert diff("MOVE", "a", "1") == 0   # exists in the target
    assert diff("GET", "a") == b"other"


def test_move_errors(diff):
    diff("SET", "k", "v")
    diff("MOVE", "k", "abc")
    diff("MOVE", "k", "16")
    diff("MOVE", "k", "-1")
    diff("MOVE", "k", "99999999999")
    assert diff("MOVE", "k", "0") == ("error", "source and destination objects are the same")
    # the target is checked before the key exists
    assert diff("MOVE", "nosuch", "0") == ("error", "source and destination objects are the same")
    assert diff("MOVE", "nosuch", "2") == 0


def test_move_collections(diff):
    diff("RPUSH", "l", "a", "b")
    diff("HSET", "h", "f", "v")
    assert diff("MOVE", "l", "5") == 1
    assert diff("MOVE", "h", "5") == 1
    diff("SELECT", "5")
    assert diff("LRANGE", "l", "0", "-1") == [b"a", b"b"]
    assert diff("HGET", "h", "f") == b"v"
    diff("SELECT", "0")


# ---- RANDOMKEY / DBSIZE -------------------------------------------------------------

def test_randomkey(cairn, redis_ref, diff):
    assert diff("RANDOMKEY") is None
    diff("SET", "only", "1")
    assert diff("RANDOMKEY") == b"only"
    keys = set()
    for i in range(50):
        diff("SET", "k%d" % i, "v")
    for _ in range(200):
        keys.add(cairn.randomkey())
    assert keys <= {b"only"} | {b"k%d" % i for i in range(50)}
    assert len(keys) > 10


def test_randomkey_resp3(diff3):
    assert diff3("RANDOMKEY") is None


def test_randomkey_skips_expired(cairn, redis_ref, diff):
    diff("SET", "live", "1")
    for i in range(20):
        diff("SET", "e%d" % i, "v", "PX", "1")
    time.sleep(0.05)
    for _ in range(20):
        assert cairn.randomkey() == b"live"
        assert redis_ref.randomkey() == b"live"


def test_dbsize(diff):
    assert diff("DBSIZE") == 0
    diff("MSET", "a", "1", "b", "2")
    diff("SET", "l", "x")
    assert diff("DBSIZE") == 3
    diff("SELECT", "1")
    assert diff("DBSIZE") == 0
    diff("SELECT", "0")


# ---- KEYS ---------------------------------------------------------------------------

def test_keys_patterns(cairn, redis_ref, diff):
    names = ["foo", "foobar", "bar", "baz", "f", "fo", "hello", "hallo", "hxllo", "hllo", "heeeello",
             "a*b", "a?b", "[x]", "key:1", "key:2", "key:10", "KEY:3", ""]
    for n in names:
        diff("SET", n, "v")
    for pat in ["*", "f*", "*o", "h?llo", "h*llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "key:?", "key:*",
                "a\\*b", "a\\?b", "\\[x\\]", "[", "nomatch", "*a*", "KEY*", "", "**", "?"]:
        a, b = both(cairn, redis_ref, "KEYS", pat)
        assert sorted(a) == sorted(b), pat


def test_keys_empty_db_and_other_db(diff):
    assert diff("KEYS", "*") == []
    diff("SET", "a", "1")
    diff("SELECT", "2")
    assert diff("KEYS", "*") == []
    diff("SELECT", "0")
    assert diff("KEYS", "*") == [b"a"]


def test_keys_hides_expired(diff):
    diff("SET", "live", "1")
    diff("SET", "dead", "1", "PX", "1")
    time.sleep(0.05)
    assert diff("KEYS", "*") == [b"live"]


def test_keys_many(cairn, redis_ref):
    for c in (cairn, redis_ref):
        p = c.pipeline(transaction=False)
        for i in range(5000):
            p.set("key:%d" % i, i)
        p.execute()
    a, b = both(cairn, redis_ref, "KEYS", "key:1*")
    assert sorted(a) == sorted(b) and len(a) == 1111


# ---- SCAN ---------------------------------------------------------------------------

def full_scan(client, *opts):
    cursor, seen, calls = b"0", [], 0
    while True:
        cursor, keys = client.execute_command(b"SCAN", cursor, *opts)
        seen.extend(keys)
        calls += 1
        assert calls < 100000
        if cursor == b"0":
            return seen


def test_scan_errors(diff):
    for cur in ["abc", " 1", "1 ", "1.5", "18446744073709551616", "+", "-", "0x10"]:
        assert diff("SCAN", cur) == ("error", "invalid cursor"), cur
    diff("SET", "a", "1")
    assert diff("SCAN", "0", "COUNT", "0") == ("error", "syntax error")
    assert diff("SCAN", "0", "COUNT", "-1") == ("error", "syntax error")
    diff("SCAN", "0", "COUNT", "abc")
    diff("SCAN", "0", "COUNT", "99999999999999999999")
    for args in [("COUNT",), ("MATCH",), ("TYPE",), ("foo", "bar"), ("MATCH", "*", "COUNT"), ("count", "5", "x")]:
        assert diff("SCAN", "0", *args) == ("error", "syntax error"), args


def test_scan_cursor_forms(cairn, redis_ref):
    # strtoul forms Redis accepts: empty, signs, huge; they must not be errors
    for c in (cairn, redis_ref):
        c.set("a", "1")
        for cur in ["", "+0", "-0", "00", "18446744073709551615", "-1", "123456789"]:
            r = c.execute_command(b"SCAN", cur)
            assert isinstance(r, list) and len(r) == 2, cur


def test_scan_empty(diff):
    assert diff("SCAN", "0") == [b"0", []]
    assert diff("SCAN", "0", "MATCH", "x*", "COUNT", "100", "TYPE", "list") == [b"0", []]


def test_scan_returns_everything(cairn, redis_ref):
    for c in (cairn, redis_ref):
        p = c.pipeline(transaction=False)
        for i in range(1000):
            p.set("k%d" % i, i)
        p.execute()
    expected = {b"k%d" % i for i in range(1000)}
    for opts in [(), ("COUNT", "1"), ("COUNT", "7"), ("COUNT", "1000"), ("COUNT", "100000")]:
        got = full_scan(cairn, *opts)
        assert set(got) == expected, opts
        assert set(full_scan(redis_ref, *opts)) == expected


def test_scan_count_bounds_reply(cairn):
    p = cairn.pipeline(transaction=False)
    for i in range(2000):
        p.set("k%d" % i, i)
    p.execute()
    cursor, keys = cairn.execute_command(b"SCAN", "0", "COUNT", "5")
    assert cursor != b"0"
    assert 0 < len(keys) < 100
    cursor, keys = cairn.execute_command(b"SCAN", "0", "COUNT", "5000")
    assert cursor == b"0" and len(keys) == 2000


def test_scan_type_strings(cairn, redis_ref, diff):
    for i in range(200):
        diff("SET", "s%d" % i, "v")
    for opts in [("TYPE", "string"), ("TYPE", "STRING", "MATCH", "s1*"), ("TYPE", "list"), ("TYPE", "none"),
                 ("TYPE", "")]:
        a = sorted(set(full_scan(cairn, *opts)))
        b = sorted(set(full_scan(redis_ref, *opts)))
        assert a == b, opts
    assert len(full_scan(cairn, "TYPE", "string")) >= 200


def test_scan_match_and_type(cairn, redis_ref, diff):
    for i in range(100):
        diff("SET", "s%d" % i, "v")
        diff("RPUSH", "l%d" % i, "v")
        diff("HSET", "h%d" % i, "f", "v")
    for opts in [("MATCH", "s1*"), ("TYPE", "list"), ("TYPE", "HASH"), ("MATCH", "h1?", "TYPE", "hash"),
                 ("MATCH", "s*", "TYPE", "list"), ("TYPE", "nosuchtype"), ("MATCH", "*"), ("TYPE", "string", "COUNT", "3")]:
        a = sorted(set(full_scan(cairn, *opts)))
        b = sorted(set(full_scan(redis_ref, *opts)))
        assert a == b, opts


def test_scan_hides_expired_and_deletes(cairn, redis_ref, diff):
    diff("SET", "live", "1")
    for i in range(10):
        diff("SET", "dead%d" % i, "v", "PX", "1")
    time.sleep(0.05)
    for c in (cairn, redis_ref):
        assert full_scan(c, "COUNT", "1000") == [b"live"]


def test_scan_type_none_returns_expired_names(cairn, redis_ref):
    # Redis quirk kept: with TYPE, an expired key is looked up (and deleted)
    # first, so its type reads "none"; TYPE none therefore lists it once.
    for c in (cairn, redis_ref):
        c.set("live", "1")
        c.set("dead", "1", px=1)
    time.sleep(0.05)
    for c in (cairn, redis_ref):
        assert full_scan(c, "TYPE", "none", "COUNT", "100") in ([b"dead"], [])
    a, b = both(cairn, redis_ref, "DBSIZE")
    assert a == b


def test_scan_guarantee_under_changes(cairn):
    """Keys present for the whole scan are returned at least once while other
    keys are added and deleted (the table grows, shrinks and rehashes)."""
    stable = {b"stable:%d" % i for i in range(500)}
    p = cairn.pipeline(transaction=False)
    for k in stable:
        p.set(k, "1")
    p.execute()
    seen, cursor, step = set(), b"0", 0
    while True:
        cursor, keys = cairn.execute_command(b"SCAN", cursor, "COUNT", "20")
        seen.update(keys)
        step += 1
        p = cairn.pipeline(transaction=False)
        if step < 20:
            for i in range(200):
                p.set("grow:%d:%d" % (step, i), "x")
        else:
            p.execute_command(b"DEL", *["grow:%d:%d" % (step - 19, i) for i in range(200)])
        p.execute()
        if cursor == b"0":
            break
        assert step < 10000
    assert stable <= seen


def test_scan_resp3_shape(diff3):
    diff3("SET", "a", "1")
    assert diff3("SCAN", "0") == [b"0", [b"a"]]


# ---- SELECT ---------------------------------------------------------------------------

def test_select(diff):
    assert diff("SELECT", "15") == b"OK"
    diff("SET", "in15", "1")
    assert diff("SELECT", "0") == b"OK"
    assert diff("EXISTS", "in15") == 0
    for bad in ["16", "-1", "abc", "99999999999", "1.0", "", " 1", "01", "+1", "2147483648"]:
        diff("SELECT", bad)
    assert diff("SELECT", "16") == ("error", "DB index is out of range")
    # Redis 7 parses the index with its generic integer parser; there is no
    # "invalid DB index" error any more
    assert diff("SELECT", "abc") == ("error", "value is not an integer or out of range")


# ---- SWAPDB ---------------------------------------------------------------------------

def test_swapdb(cairn, redis_ref, diff):
    diff("SET", "a", "in0")
    diff("SELECT", "1")
    diff("SET", "b", "in1")
    diff("SET", "l", "x", "EX", "100")
    diff("SELECT", "0")
    assert diff("SWAPDB", "0", "1") == b"OK"
    assert sorted_keys(cairn, redis_ref) == [b"b", b"l"]
    diff("SELECT", "1")
    assert diff("KEYS", "*") == [b"a"]
    diff("SELECT", "0")
    assert diff("SWAPDB", "1", "0") == b"OK"
    assert diff("KEYS", "*") == [b"a"]
    assert diff("SWAPDB", "3", "3") == b"OK"


def test_swapdb_serves_blocked_clients(cairn_server, redis_server):
    """A client blocked on a list key of db 0 is served when SWAPDB brings a
    database where that key holds a list."""
    import threading
    results = {}
    for name, srv in (("cairn", cairn_server), ("redis", redis_server)):
        o = srv.client()
        o.execute_command(b"FLUSHALL")
        o.execute_command(b"SELECT", "1")
        o.execute_command(b"RPUSH", "q", "item")
        o.execute_command(b"SELECT", "0")
        b = srv.client()
        t = threading.Thread(target=lambda: results.__setitem__(name, b.execute_command(b"BLPOP", "q", "5")))
        t.start()
        time.sleep(0.2)
        assert o.execute_command(b"SWAPDB", "0", "1") == b"OK"
        t.join(10)
        assert results[name] == [b"q", b"item"]
        assert o.execute_command(b"EXISTS", "q") == 0
        o.close()
        b.close()


def test_swapdb_keeps_ttls(cairn, redis_ref, diff):
    diff("SET", "a", "1", "PX", "100000")
    diff("SWAPDB", "0", "7")
    diff("SELECT", "7")
    for c in (cairn, redis_ref):
        assert 99000 < c.pttl("a") <= 100000
    diff("SELECT", "0")


def test_swapdb_errors(diff):
    for args in [("a", "1"), ("1", "a"), ("0", "99999999999"), ("99999999999", "0"), ("0", "16"), ("-1", "0"),
                 ("16", "a"), ("1.5", "0"), ("", "0")]:
        diff("SWAPDB", *args)
    assert diff("SWAPDB", "a", "1") == ("error", "invalid first DB index")
    assert diff("SWAPDB", "0", "x") == ("error", "invalid second DB index")
    assert diff("SWAPDB", "0", "16") == ("error", "DB index is out of range")


# ---- FLUSHDB / FLUSHALL ---------------------------------------------------------------

@pytest.mark.parametrize("opt", [(), ("SYNC",), ("ASYNC",), ("async",), ("sync",)])
def test_flushdb(diff, opt):
    diff("SET", "a", "1")
    diff("SET", "l", "x", "PX", "100000")
    diff("SELECT", "1")
    diff("SET", "b", "1")
    assert diff("FLUSHDB", *opt) == b"OK"
    assert diff("DBSIZE") == 0
    diff("SELECT", "0")
    assert diff("DBSIZE") == 2


@pytest.mark.parametrize("opt", [(), ("SYNC",), ("ASYNC",)])
def test_flushall(diff, opt):
    diff("SET", "a", "1")
    diff("SELECT", "9")
    diff("SET", "s", "x", "EX", "100")
    assert diff("FLUSHALL", *opt) == b"OK"
    assert diff("DBSIZE") == 0
    diff("SELECT", "0")
    assert diff("DBSIZE") == 0


def test_flush_errors(diff):
    for cmd in ("FLUSHDB", "FLUSHALL"):
        assert diff(cmd, "foo") == ("error", "syntax error")
        assert diff(cmd, "ASYNC", "SYNC") == ("error", "syntax error")
        assert diff(cmd, "sync", "x") == ("error", "syntax error")


def test_flushall_big_async(cairn):
    p = cairn.pipeline(transaction=False)
    for i in range(20000):
        p.set("k%d" % i, "v" * 50)
    p.execute()
    assert cairn.execute_command(b"FLUSHALL", "ASYNC") == b"OK"
    assert cairn.dbsize() == 0
    cairn.set("after", "1")
    assert cairn.get("after") == b"1"


# ---- WATCH interaction ------------------------------------------------------------------

def watch_then(server_client_factory, setup, action):
    """WATCH key w on one connection, run `action` on another, then EXEC."""
    w = server_client_factory()
    o = server_client_factory()
    try:
        for cmd in setup:
            o.execute_command(*cmd)
        w.execute_command(b"WATCH", "w")
        for cmd in action:
            o.execute_command(*cmd)
        w.execute_command(b"MULTI")
        w.execute_command(b"PING")
        return w.execute_command(b"EXEC")
    finally:
        w.close()
        o.close()


@pytest.mark.parametrize("name,setup,action", [
    ("del", [("SET", "w", "1")], [("DEL", "w")]),
    ("unlink", [("SET", "w", "1")], [("UNLINK", "w")]),
    ("del-missing", [], [("DEL", "w")]),
    ("rename-from", [("SET", "w", "1")], [("RENAME", "w", "x")]),
    ("rename-to", [("SET", "x", "1")], [("RENAME", "x", "w")]),
    ("move", [("SET", "w", "1")], [("MOVE", "w", "1")]),
    ("copy-to", [("SET", "x", "1")], [("COPY", "x", "w")]),
    ("copy-from", [("SET", "w", "1")], [("COPY", "w", "x")]),
    ("flushdb", [("SET", "w", "1")], [("FLUSHDB",)]),
    ("flushdb-other-db", [("SET", "w", "1")], [("SELECT", "4"), ("FLUSHDB",)]),
    ("flushall", [("SET", "w", "1")], [("FLUSHALL",)]),
    ("flushall-missing", [], [("FLUSHALL",)]),
    ("swapdb-out", [("SET", "w", "1")], [("SWAPDB", "0", "1")]),
    ("swapdb-in", [("SELECT", "1"), ("SET", "w", "1"), ("SELECT", "0")], [("SWAPDB", "0", "1")]),
    ("swapdb-none", [], [("SWAPDB", "0", "1")]),
    ("expire", [("SET", "w", "1")], [("EXPIRE", "w", "100")]),
    ("persist", [("SET", "w", "1", "EX", "100")], [("PERSIST", "w")]),
    ("touch", [("SET", "w", "1")], [("TOUCH", "w")]),
])
def test_watch(cairn_server, redis_server, name, setup, action):
    results = []
    for srv in (cairn_server, redis_server):
        srv.client().execute_command(b"FLUSHALL")
        results.append(watch_then(srv.client, setup, action))
    assert results[0] == results[1], name


# ---- OBJECT -----------------------------------------------------------------------------

def test_object_encoding_strings(diff):
    diff("SET", "int", "12345")
    diff("SET", "neg", "-7")
    diff("SET", "emb", "hello")
    diff("SET", "emb44", "x" * 44)
    diff("SET", "raw45", "x" * 45)
    diff("SET", "notint", "012")
    diff("SET", "bigint", "99999999999999999999")
    for k in ("int", "neg", "emb", "emb44", "raw45", "notint", "bigint"):
        diff("OBJECT", "ENCODING", k)
    assert diff("OBJECT", "ENCODING", "nosuch") is None
    assert diff("OBJECT", "encoding", "int") == b"int"


def test_object_encoding_collections(diff):
    diff("SADD", "iset", "1", "2")
    diff("SADD", "bigset", *["m%d" % i for i in range(600)])
    diff("HSET", "h", "f", "v")
    diff("HSET", "bigh", *[x for i in range(600) for x in ("f%d" % i, "v")])
    diff("ZADD", "z", "1", "a")
    diff("ZADD", "bigz", *[x for i in range(600) for x in (str(i), "m%d" % i)])
    for k in ("iset", "bigset", "h", "bigh", "z", "bigz"):
        diff("OBJECT", "ENCODING", k)


def test_object_missing_key_resp3(diff3):
    for sub in ("ENCODING", "REFCOUNT", "IDLETIME", "FREQ"):
        assert diff3("OBJECT", sub, "nosuch") is None


def test_object_refcount(diff):
    # Redis shares the objects of the integers 0..9999 (refcount INT_MAX)
    for k, v in [("a", "0"), ("b", "9999"), ("c", "10000"), ("d", "-1"), ("e", "str"), ("f", "x" * 100)]:
        diff("SET", k, v)
        diff("OBJECT", "REFCOUNT", k)
    assert diff("OBJECT", "REFCOUNT", "a") == 2147483647
    assert diff("OBJECT", "REFCOUNT", "c") == 1
    diff("INCR", "counter")
    assert diff("OBJECT", "REFCOUNT", "counter") == 2147483647
    diff("RPUSH", "l", "x")
    assert diff("OBJECT", "REFCOUNT", "l") == 1


def test_object_idletime(cairn, redis_ref, diff):
    diff("SET", "a", "1")
    # the LRU clock has a 1 s resolution, so a fresh key may already read 1 on either server
    for c in (cairn, redis_ref):
        assert c.execute_command(b"OBJECT", "IDLETIME", "a") in (0, 1)
    time.sleep(2.2)
    for c in (cairn, redis_ref):
        assert c.execute_command(b"OBJECT", "IDLETIME", "a") >= 2
        # OBJECT, TYPE, EXISTS, TTL do not touch the key
        c.execute_command(b"TYPE", "a")
        c.execute_command(b"EXISTS", "a")
        c.execute_command(b"TTL", "a")
        assert c.execute_command(b"OBJECT", "IDLETIME", "a") >= 2
        c.get("a")
        assert c.execute_command(b"OBJECT", "IDLETIME", "a") == 0


def test_object_freq_needs_lfu(cairn, redis_ref, diff):
    diff("SET", "a", "1")
    err = diff("OBJECT", "FREQ", "a")
    assert err == ("error", "An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
                   "that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
    try:
        diff("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
        diff("SET", "b", "val")   # not a small integer: Redis would share that object
        assert diff("OBJECT", "FREQ", "b") == 5   # LFU_INIT_VAL for a new key
        err = diff("OBJECT", "IDLETIME", "b")
        assert err == ("error", "An LFU maxmemory policy is selected, idle time not tracked. Please note that "
                       "when switching between policies at runtime LRU and LFU data will take some time to adjust.")
        for _ in range(100):
            cairn.get("b")
        assert cairn.execute_command(b"OBJECT", "FREQ", "b") > 5
    finally:
        diff("CONFIG", "SET", "maxmemory-policy", "noeviction")


def test_object_help(diff):
    # Redis 7.0 and 7.2 both end the list with "    Prints this help."
    r = diff("OBJECT", "HELP")
    assert r[0] == b"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert r[-2:] == [b"HELP", b"    Prints this help."]
    assert len(r) == 15
    diff("object", "help")


# ---- expired keys through the keyspace commands -------------------------------------

def test_keyspace_commands_see_expired_as_missing(diff):
    diff("SET", "gone", "1", "PX", "1")
    diff("SET", "dst", "1")
    time.sleep(0.05)
    assert diff("EXISTS", "gone") == 0
    diff("SET", "gone", "1", "PX", "1")
    time.sleep(0.05)
    assert diff("TYPE", "gone") == b"none"
    diff("SET", "gone", "1", "PX", "1")
    time.sleep(0.05)
    assert diff("RENAME", "gone", "x") == ("error", "no such key")
    diff("SET", "gone", "1", "PX", "1")
    time.sleep(0.05)
    assert diff("COPY", "gone", "x") == 0
    diff("SET", "gone", "1", "PX", "1")
    time.sleep(0.05)
    assert diff("MOVE", "gone", "1") == 0
    diff("SET", "gone", "1", "PX", "1")
    time.sleep(0.05)
    assert diff("DEL", "gone") == 0
    diff("SET", "gone", "1", "PX", "1")
    time.sleep(0.05)
    assert diff("OBJECT", "ENCODING", "gone") is None
    # an expired destination counts as missing
    diff("SET", "src", "1")
    diff("SET", "dst2", "1", "PX", "1")
    time.sleep(0.05)
    assert diff("RENAMENX", "src", "dst2") == 1
    diff("SET", "dst3", "1", "PX", "1")
    time.sleep(0.05)
    assert diff("COPY", "dst2", "dst3") == 1


def test_flush_async_frees_in_background(cairn):
    """FLUSHALL/FLUSHDB ASYNC detach the keyspace and free it on the lazyfree thread:
    the data is gone at once, new writes work, and every object is accounted as freed."""
    cairn.execute_command("CONFIG", "RESETSTAT")
    for db in (0, 1):
        cairn.execute_command("SELECT", db)
        p = cairn.pipeline(transaction=False)
        for i in range(20000):
            p.execute_command("SET", "k%d" % i, "v" * 50)
        p.execute_command("RPUSH", "list", *range(300))
        p.execute_command("HSET", "hash", *["f", "v"] * 10)
        p.execute_command("EXPIRE", "k1", "100")
        p.execute()
    cairn.execute_command("SELECT", 0)
    assert cairn.execute_command(b"FLUSHDB", "ASYNC") == b"OK"
    assert cairn.execute_command("DBSIZE") == 0
    cairn.execute_command("SET", "k1", "new")
    assert cairn.execute_command("GET", "k1") == b"new"
    assert cairn.execute_command(b"FLUSHALL", "ASYNC") == b"OK"
    assert cairn.execute_command("DBSIZE") == 0
    cairn.execute_command("SELECT", 1)
    assert cairn.execute_command("DBSIZE") == 0
    deadline = time.time() + 20
    while time.time() < deadline:
        info = cairn.info("memory")
        if info["lazyfree_pending_objects"] == 0 and info["lazyfreed_objects"] == 2 * 20002 + 1:
            break
        time.sleep(0.05)
    info = cairn.info("memory")
    assert info["lazyfree_pending_objects"] == 0
    assert info["lazyfreed_objects"] == 2 * 20002 + 1
