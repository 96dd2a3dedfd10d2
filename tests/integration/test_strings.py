"""String commands: GET, SET (EX/PX/EXAT/PXAT/NX/XX/KEEPTTL/GET), SETNX, SETEX, PSETEX,
MGET, MSET, MSETNX, GETSET, GETDEL, GETEX, APPEND, STRLEN, INCR, DECR, INCRBY, DECRBY,
INCRBYFLOAT, GETRANGE, SUBSTR, SETRANGE, LCS.

Mostly differential: `d` sends the same command to Cairn and to the reference
redis-server (7.0.15) over raw RESP2 connections and asserts the replies are
identical, reply types (status / bulk / integer / error) and error texts
included. `diff3` does the same over RESP3. Where Redis 7.2 differs from
7.0.15 the test follows 7.2 and says so.
"""
import random
import re
import time

import pytest

from conftest import LLONG_MAX, LLONG_MIN, NOT_FLOAT, NOT_INT, OK, SYNTAX, WRONGTYPE, RawClient



def both(d, *args):
    return d.cairn.call(*args), d.ref.call(*args)


def expired_keys(raw):
    info = raw.call("INFO", "stats")
    return int(re.search(rb"expired_keys:(\d+)", info).group(1))


def is_err(reply, text=None):
    """True for an error reply (containing `text` when given)."""
    if isinstance(text, str):
        text = text.encode()
    return isinstance(reply, tuple) and reply[0] == "error" and (text is None or text in reply[1])


# ---- arity -----------------------------------------------------------------

ARITY = [
    ("GET",), ("GET", "a", "b"), ("SET", "a"), ("SET",), ("SETNX", "a"), ("SETNX", "a", "b", "c"),
    ("SETEX", "a", "1"), ("SETEX", "a", "1", "v", "x"), ("PSETEX", "a", "1"), ("MGET",), ("MSET", "a"),
    ("MSET",), ("MSETNX", "a"), ("GETSET", "a"), ("GETSET", "a", "b", "c"), ("GETDEL",), ("GETDEL", "a", "b"),
    ("GETEX",), ("APPEND", "a"), ("APPEND", "a", "b", "c"), ("STRLEN",), ("STRLEN", "a", "b"), ("INCR",),
    ("INCR", "a", "b"), ("DECR",), ("INCRBY", "a"), ("INCRBY", "a", "1", "2"), ("DECRBY", "a"),
    ("INCRBYFLOAT", "a"), ("INCRBYFLOAT", "a", "1", "2"), ("GETRANGE", "a", "0"), ("GETRANGE", "a", "0", "1", "2"),
    ("SUBSTR", "a", "0"), ("SETRANGE", "a", "0"), ("SETRANGE", "a", "0", "x", "y"), ("LCS", "a"), ("LCS",),
]


@pytest.mark.parametrize("args", ARITY, ids=lambda a: " ".join(a))
def test_wrong_arity(d, args):
    assert is_err(d(*args), "wrong number of arguments")


@pytest.mark.parametrize("args", [("MSET", "a", "1", "b"), ("MSETNX", "a", "1", "b"), ("MSET", "a", "1", "b", "2", "c")])
def test_mset_odd_arguments(d, args):
    assert is_err(d(*args), "wrong number of arguments")
    assert d("EXISTS", "a") == 0


# ---- GET / SET ---------------------------------------------------------------

def test_get_set_basic(d):
    assert d("GET", "k") is None
    assert d("SET", "k", "hello") == OK
    assert d("GET", "k") == b"hello"
    assert d("SET", "k", "") == OK
    assert d("GET", "k") == b""
    assert d("STRLEN", "k") == 0
    assert d("EXISTS", "k") == 1


def test_binary_values_and_keys(d):
    blob = bytes(range(256)) * 3 + b"\r\n\x00end"
    assert d("SET", b"\x00key\r\n", blob) == OK
    assert d("GET", b"\x00key\r\n") == blob
    assert d("STRLEN", b"\x00key\r\n") == len(blob)
    assert d("SET", "z", b"\x00") == OK
    assert d("GET", "z") == b"\x00"


def test_large_value(d):
    big = b"x" * (1024 * 1024 + 7)
    assert d("SET", "big", big) == OK
    assert d("GET", "big") == big
    assert d("STRLEN", "big") == len(big)


@pytest.mark.parametrize("value,encoding", [
    ("0", b"int"), ("1", b"int"), ("-1", b"int"), ("12345", b"int"), ("9223372036854775807", b"int"),
    ("-9223372036854775808", b"int"), ("9223372036854775808", b"embstr"), ("-9223372036854775809", b"embstr"),
    ("01", b"embstr"), ("-0", b"embstr"), ("+1", b"embstr"), (" 1", b"embstr"), ("1 ", b"embstr"),
    ("1.5", b"embstr"), ("", b"embstr"), ("abc", b"embstr"), ("x" * 44, b"embstr"), ("x" * 45, b"raw"),
    ("1" * 21, b"embstr"), ("1" * 45, b"raw"), ("00000000000000000000", b"embstr"),
])
def test_set_encodings(d, value, encoding):
    assert d("SET", "k", value) == OK
    assert d("OBJECT", "ENCODING", "k") == encoding
    assert d("GET", "k") == value.encode()


def test_set_overwrites_other_types_and_clears_ttl(d):
    d("RPUSH", "l", "a")
    assert d("SET", "l", "v") == OK
    assert d("TYPE", "l") == ("status", b"string")
    d("SET", "t", "v", "EX", "100")
    assert d("SET", "t", "w") == OK
    assert d("TTL", "t") == -1


def test_set_nx_xx(d):
    assert d("SET", "k", "1", "XX") is None
    assert d("EXISTS", "k") == 0
    assert d("SET", "k", "1", "NX") == OK
    assert d("SET", "k", "2", "NX") is None
    assert d("GET", "k") == b"1"
    assert d("SET", "k", "3", "XX") == OK
    assert d("GET", "k") == b"3"
    assert d("SET", "k", "4", "nx", "NX") is None
    assert d("SET", "k", "5", "xx", "xx") == OK
    d("RPUSH", "l", "a")
    assert d("SET", "l", "v", "NX") is None
    assert d("TYPE", "l") == ("status", b"list")
    assert d("SET", "l", "v", "XX") == OK
    assert d("TYPE", "l") == ("status", b"string")


def test_set_get_option(d):
    assert d("SET", "k", "a", "GET") is None
    assert d("SET", "k", "b", "GET") == b"a"
    assert d("SET", "k", "c", "GET", "NX") == b"b"
    assert d("GET", "k") == b"b"
    assert d("SET", "k", "d", "XX", "GET") == b"b"
    assert d("GET", "k") == b"d"
    assert d("SET", "nk", "x", "XX", "GET") is None
    assert d("EXISTS", "nk") == 0
    assert d("SET", "nk", "x", "NX", "GET") is None
    assert d("GET", "nk") == b"x"
    assert d("SET", "k", "e", "get", "get") == b"d"
    d("SET", "i", "123")
    assert d("SET", "i", "x", "GET") == b"123"


def test_set_get_wrongtype_does_not_set(d):
    d("RPUSH", "l", "a")
    assert d("SET", "l", "v", "GET") == WRONGTYPE
    assert d("TYPE", "l") == ("status", b"list")
    assert d("SET", "l", "v", "GET", "NX") == WRONGTYPE
    assert d("LRANGE", "l", "0", "-1") == [b"a"]


@pytest.mark.parametrize("opts", [
    ("NX", "XX"), ("XX", "NX"), ("EX", "10", "PX", "100"), ("PX", "10", "EX", "10"), ("EX", "10", "EXAT", "1"),
    ("PXAT", "1", "EXAT", "1"), ("EX", "10", "KEEPTTL"), ("KEEPTTL", "EX", "10"), ("KEEPTTL", "PXAT", "10"),
    ("EX",), ("PX",), ("EXAT",), ("PXAT",), ("NX", "EX"), ("FOO",), ("EX", "10", "FOO"), ("PERSIST",),
    ("GETT",), ("N",), ("EXX", "1"), ("KEEPTTL", "PERSIST"), ("GET", "EX"),
])
def test_set_syntax_errors(d, opts):
    d("SET", "k", "old")
    assert d("SET", "k", "v", *opts) == SYNTAX
    assert d("GET", "k") == b"old"


@pytest.mark.parametrize("opts", [
    ("ex", "10"), ("Px", "10000"), ("EX", "5", "EX", "100"), ("PX", "1", "px", "100000"), ("KEEPTTL", "KEEPTTL"),
    ("NX", "EX", "100"), ("EX", "100", "NX"), ("XX", "GET", "PX", "50000"), ("exat", "99999999999"),
    ("pxat", "99999999999999"), ("EXAT", "1", "EXAT", "99999999999"),
])
def test_set_accepted_option_combinations(d, opts):
    d("SET", "k", "old")
    a, b = both(d, "SET", "k", "v", *opts)
    assert a == b and (a == OK or a == b"old" or a is None)
    assert d("EXISTS", "k") == 1


@pytest.mark.parametrize("opt,value,err", [
    ("EX", "0", "invalid expire time in 'set' command"), ("EX", "-1", "invalid expire time in 'set' command"),
    ("PX", "0", "invalid expire time in 'set' command"), ("PX", "-100", "invalid expire time in 'set' command"),
    ("EXAT", "0", "invalid expire time in 'set' command"), ("PXAT", "-1", "invalid expire time in 'set' command"),
    ("EX", "9223372036854775", "invalid expire time"), ("EX", "9223372036854776", "invalid expire time"),
    ("EX", str(LLONG_MAX), "invalid expire time"), ("PX", str(LLONG_MAX), "invalid expire time"),
    ("EXAT", "9223372036854776", "invalid expire time"), ("EX", "abc", "not an integer"),
    ("PX", "1.5", "not an integer"), ("EX", "", "not an integer"), ("EX", "9223372036854775808", "not an integer"),
    ("PXAT", " 5", "not an integer"),
])
def test_set_invalid_expire(d, opt, value, err):
    d("SET", "k", "old")
    r = d("SET", "k", "v", opt, value)
    assert is_err(r, err)
    assert d("GET", "k") == b"old"
    # the expire is checked before GET's type check and reply
    d("RPUSH", "l", "x")
    assert is_err(d("SET", "l", "v", "GET", opt, value), err)


def test_set_expire_options_set_ttl(d):
    now = int(time.time())
    for client in (d.cairn, d.ref):
        assert client.call("SET", "ex", "v", "EX", "100") == OK
        assert 99 <= client.call("TTL", "ex") <= 100
        assert client.call("SET", "px", "v", "PX", "100000") == OK
        assert 99000 <= client.call("PTTL", "px") <= 100000
        assert client.call("SET", "exat", "v", "EXAT", str(now + 200)) == OK
        assert 198 <= client.call("TTL", "exat") <= 200
        assert client.call("SET", "pxat", "v", "PXAT", str((now + 300) * 1000)) == OK
        assert 298 <= client.call("TTL", "pxat") <= 300
        assert client.call("EXPIRETIME", "exat") == now + 200
        assert client.call("PEXPIRETIME", "pxat") == (now + 300) * 1000


def test_set_keepttl(d):
    for client in (d.cairn, d.ref):
        client.call("SET", "k", "v", "EX", "100")
        assert client.call("SET", "k", "w", "KEEPTTL") == OK
        assert 99 <= client.call("TTL", "k") <= 100
        assert client.call("SET", "k", "x", "KEEPTTL", "GET", "XX") == b"w"
        assert 99 <= client.call("TTL", "k") <= 100
        assert client.call("SET", "k", "y") == OK
        assert client.call("TTL", "k") == -1
    assert d("SET", "nokey", "v", "KEEPTTL") == OK
    assert d("TTL", "nokey") == -1


def test_set_exat_in_the_past(d, cairn):
    """Redis stores the key with an elapsed expire time: it is gone for every
    command at once and counted in expired_keys (Redis 7.2 leaves the removal to
    the next lookup or the active expire cycle; Cairn expires it on the spot)."""
    before = expired_keys(d.cairn)
    d("SET", "k", "old")
    assert d("SET", "k", "v", "EXAT", "1") == OK
    assert d("GET", "k") is None
    assert d("EXISTS", "k") == 0
    assert d("SET", "k2", "v", "PXAT", "1000", "GET") is None
    assert d("EXISTS", "k2") == 0
    assert d("SET", "k3", "x") == OK
    assert d("SET", "k3", "v", "PXAT", "5", "GET") == b"x"
    assert d("GET", "k3") is None
    assert d.cairn.call("DBSIZE") == 0
    assert expired_keys(d.cairn) - before == 3


def test_set_short_expire_elapses(d):
    assert d("SET", "k", "v", "PX", "30") == OK
    time.sleep(0.12)
    assert d("GET", "k") is None
    assert d("SETEX", "k2", "1", "v") == OK
    assert d("PSETEX", "k3", "30", "v") == OK
    time.sleep(0.12)
    assert d("EXISTS", "k3") == 0
    assert d("EXISTS", "k2") == 1


def test_set_touches_watched_key(cairn_server):
    a, b = RawClient(cairn_server.port), RawClient(cairn_server.port)
    try:
        a.call("SET", "w", "1")
        assert a.call("WATCH", "w") == OK
        assert b.call("SET", "w", "2", "XX") == OK
        a.call("MULTI")
        a.call("GET", "w")
        assert a.call("EXEC") is None
        # a write that did nothing (NX on an existing key) does not abort
        assert a.call("WATCH", "w") == OK
        assert b.call("SET", "w", "3", "NX") is None
        a.call("MULTI")
        a.call("GET", "w")
        assert a.call("EXEC") == [b"2"]
    finally:
        a.close()
        b.close()


# ---- SETNX / SETEX / PSETEX ------------------------------------------------------

def test_setnx(d):
    assert d("SETNX", "k", "1") == 1
    assert d("SETNX", "k", "2") == 0
    assert d("GET", "k") == b"1"
    d("RPUSH", "l", "a")
    assert d("SETNX", "l", "x") == 0
    assert d("OBJECT", "ENCODING", "k") == b"int"


def test_setex_psetex(d):
    assert d("SETEX", "k", "100", "v") == OK
    assert d("GET", "k") == b"v"
    assert d.cairn.call("TTL", "k") in (99, 100)
    assert d("PSETEX", "p", "100000", "12") == OK
    assert d("OBJECT", "ENCODING", "p") == b"int"
    assert 99000 <= d.cairn.call("PTTL", "p") <= 100000
    d("RPUSH", "l", "a")
    assert d("SETEX", "l", "10", "v") == OK
    assert d("TYPE", "l") == ("status", b"string")


@pytest.mark.parametrize("cmd", ["SETEX", "PSETEX"])
@pytest.mark.parametrize("ttl", ["0", "-1", "abc", "1.5", "", str(LLONG_MAX), "9223372036854775808"])
def test_setex_invalid(d, cmd, ttl):
    d("SET", "k", "old")
    r = d(cmd, "k", ttl, "v")
    assert is_err(r)
    assert d("GET", "k") == b"old"
    if ttl in ("0", "-1"):
        assert r == ("error", b"ERR invalid expire time in '%s' command" % cmd.lower().encode())


def test_setex_seconds_overflow(d):
    assert is_err(d("SETEX", "k", "9223372036854776", "v"), "invalid expire time in 'setex' command")
    assert d("SETEX", "k", "9223372036854", "v") == OK


# ---- MGET / MSET / MSETNX --------------------------------------------------------

def test_mget(d):
    d("SET", "a", "1")
    d("SET", "b", "x" * 100)
    d("RPUSH", "l", "v")
    assert d("MGET", "a", "nosuch", "b", "l", "a") == [b"1", None, b"x" * 100, None, b"1"]
    assert d("MGET", "nosuch") == [None]


def test_mset(d):
    assert d("MSET", "a", "1", "b", "2", "a", "3") == OK
    assert d("MGET", "a", "b") == [b"3", b"2"]
    d("RPUSH", "l", "v")
    d("SET", "t", "v", "EX", "100")
    assert d("MSET", "l", "x", "t", "y") == OK
    assert d("TYPE", "l") == ("status", b"string")
    assert d("TTL", "t") == -1
    assert d("OBJECT", "ENCODING", "a") == b"int"


def test_msetnx(d):
    assert d("MSETNX", "a", "1", "b", "2") == 1
    assert d("MSETNX", "b", "9", "c", "3") == 0
    assert d("EXISTS", "c") == 0
    assert d("MSETNX", "c", "1", "c", "2") == 1
    assert d("GET", "c") == b"2"
    d("RPUSH", "l", "v")
    assert d("MSETNX", "l", "x", "z", "y") == 0
    assert d("EXISTS", "z") == 0


# ---- GETSET / GETDEL / GETEX ----------------------------------------------------------

def test_getset(d):
    assert d("GETSET", "k", "1") is None
    assert d("GETSET", "k", "2") == b"1"
    assert d("GET", "k") == b"2"
    assert d("OBJECT", "ENCODING", "k") == b"int"
    d("SET", "t", "v", "EX", "100")
    assert d("GETSET", "t", "w") == b"v"
    assert d("TTL", "t") == -1
    d("RPUSH", "l", "a")
    assert d("GETSET", "l", "x") == WRONGTYPE
    assert d("TYPE", "l") == ("status", b"list")


def test_getdel(d):
    assert d("GETDEL", "k") is None
    d("SET", "k", "v")
    assert d("GETDEL", "k") == b"v"
    assert d("EXISTS", "k") == 0
    d("SET", "i", "42")
    assert d("GETDEL", "i") == b"42"
    d("RPUSH", "l", "a")
    assert d("GETDEL", "l") == WRONGTYPE
    assert d("EXISTS", "l") == 1


def test_getex_basic(d):
    assert d("GETEX", "k") is None
    d("SET", "k", "v")
    assert d("GETEX", "k") == b"v"
    assert d("TTL", "k") == -1
    for client in (d.cairn, d.ref):
        assert client.call("GETEX", "k", "EX", "100") == b"v"
        assert 99 <= client.call("TTL", "k") <= 100
        assert client.call("GETEX", "k", "PX", "200000") == b"v"
        assert 199 <= client.call("TTL", "k") <= 200
        exat = int(time.time()) + 300
        assert client.call("GETEX", "k", "EXAT", str(exat)) == b"v"
        assert client.call("EXPIRETIME", "k") == exat
        assert client.call("GETEX", "k", "PXAT", str(exat * 1000 + 5)) == b"v"
        assert client.call("PEXPIRETIME", "k") == exat * 1000 + 5
        assert client.call("GETEX", "k", "PERSIST") == b"v"
        assert client.call("TTL", "k") == -1
        assert client.call("GETEX", "k", "persist", "PERSIST") == b"v"


def test_getex_past_absolute_time_deletes(d):
    d("SET", "k", "v")
    assert d("GETEX", "k", "EXAT", "1") == b"v"
    assert d("EXISTS", "k") == 0
    d("SET", "k", "12")
    assert d("GETEX", "k", "PXAT", "100") == b"12"
    assert d("EXISTS", "k") == 0


def test_getex_errors(d):
    d("SET", "k", "v")
    d("RPUSH", "l", "a")
    for opts in [("NX",), ("XX",), ("GET",), ("KEEPTTL",), ("EX",), ("EX", "10", "PX", "10"), ("PERSIST", "EX", "1"),
                 ("EX", "1", "PERSIST"), ("FOO",), ("EX", "10", "EXAT", "10")]:
        assert d("GETEX", "k", *opts) == SYNTAX
        assert d("GETEX", "nosuch", *opts) == SYNTAX
        assert d("GETEX", "l", *opts) == SYNTAX
    for value in ("0", "-5", "9223372036854776"):
        assert d("GETEX", "k", "EX", value) == ("error", b"ERR invalid expire time in 'getex' command")
    assert d("GETEX", "k", "PX", "abc") == NOT_INT
    assert d("TTL", "k") == -1
    # the key is looked up before the time is checked
    assert d("GETEX", "nosuch", "EX", "abc") is None
    assert d("GETEX", "l", "EX", "abc") == WRONGTYPE
    assert d("GETEX", "l") == WRONGTYPE
    assert d("GETEX", "l", "PERSIST") == WRONGTYPE


# ---- APPEND / STRLEN ---------------------------------------------------------------------

def test_append(d):
    assert d("APPEND", "k", "hello") == 5
    assert d("OBJECT", "ENCODING", "k") == b"embstr"
    assert d("APPEND", "k", " world") == 11
    assert d("GET", "k") == b"hello world"
    assert d("OBJECT", "ENCODING", "k") == b"raw"
    assert d("APPEND", "k", "") == 11
    assert d("APPEND", "bin", b"\x00\x01") == 2
    assert d("APPEND", "bin", b"\r\n\x00") == 5
    assert d("GET", "bin") == b"\x00\x01\r\n\x00"


def test_append_encodings(d):
    assert d("APPEND", "n", "123") == 3
    assert d("OBJECT", "ENCODING", "n") == b"int"
    assert d("APPEND", "n", "4") == 4
    assert d("OBJECT", "ENCODING", "n") == b"raw"
    assert d("INCR", "n") == 1235
    assert d("OBJECT", "ENCODING", "n") == b"int"
    assert d("APPEND", "n", "") == 4
    assert d("OBJECT", "ENCODING", "n") == b"raw"
    d("SET", "e", "abc")
    assert d("APPEND", "e", "") == 3
    assert d("OBJECT", "ENCODING", "e") == b"raw"
    assert d("APPEND", "long", "x" * 50) == 50
    assert d("OBJECT", "ENCODING", "long") == b"raw"


def test_append_keeps_ttl_and_wrongtype(d):
    d("SET", "k", "a", "EX", "100")
    assert d("APPEND", "k", "b") == 2
    assert d.cairn.call("TTL", "k") in (99, 100)
    d("RPUSH", "l", "a")
    assert d("APPEND", "l", "x") == WRONGTYPE


def test_append_many(d):
    for i in range(300):
        d("APPEND", "k", str(i))
    assert d("GET", "k") == "".join(str(i) for i in range(300)).encode()


def test_strlen(d):
    assert d("STRLEN", "nosuch") == 0
    d("SET", "k", "hello")
    assert d("STRLEN", "k") == 5
    d("SET", "i", "-12345")
    assert d("STRLEN", "i") == 6
    d("SET", "m", str(LLONG_MIN))
    assert d("STRLEN", "m") == 20
    d("RPUSH", "l", "a")
    assert d("STRLEN", "l") == WRONGTYPE


# ---- proto-max-bulk-len ------------------------------------------------------------------

@pytest.fixture
def small_bulk_len(d):
    """proto-max-bulk-len lowered to its minimum (1 MB) on both servers."""
    d("CONFIG", "SET", "proto-max-bulk-len", "1048576")
    yield 1048576
    d("CONFIG", "SET", "proto-max-bulk-len", "536870912")


def test_append_size_limit(d, small_bulk_len):
    assert d("SETRANGE", "k", str(small_bulk_len - 10), "x") == small_bulk_len - 9
    assert d("APPEND", "k", "123456789") == small_bulk_len
    err = ("error", b"ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    assert d("APPEND", "k", "z") == err
    assert d("STRLEN", "k") == small_bulk_len
    assert d("APPEND", "k", "") == small_bulk_len


def test_setrange_size_limit(d, small_bulk_len):
    err = ("error", b"ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    assert d("SETRANGE", "k", str(small_bulk_len), "x") == err
    assert d("EXISTS", "k") == 0
    assert d("SETRANGE", "k", str(small_bulk_len - 2), "xy") == small_bulk_len
    assert d("SETRANGE", "k", str(small_bulk_len - 1), "xy") == err
    assert d("SETRANGE", "k", str(LLONG_MAX), "x") == err
    assert d("SETRANGE", "k", str(small_bulk_len * 4), "") == small_bulk_len
    assert d("SETRANGE", "new", str(small_bulk_len * 4), "") == 0


# ---- INCR / DECR / INCRBY / DECRBY ------------------------------------------------------------

def test_incr_decr_basic(d):
    assert d("INCR", "k") == 1
    assert d("INCR", "k") == 2
    assert d("DECR", "k") == 1
    assert d("DECR", "k") == 0
    assert d("DECR", "k") == -1
    assert d("INCRBY", "k", "100") == 99
    assert d("DECRBY", "k", "-1") == 100
    assert d("DECRBY", "k", "1000") == -900
    assert d("INCRBY", "k", "0") == -900
    assert d("OBJECT", "ENCODING", "k") == b"int"
    assert d("GET", "k") == b"-900"
    assert d("DECRBY", "n", "5") == -5
    assert d("INCRBY", "m", str(LLONG_MIN)) == LLONG_MIN


def test_incr_on_strings(d):
    d("SET", "s", "10")
    d("APPEND", "s", "0")
    assert d("OBJECT", "ENCODING", "s") == b"raw"
    assert d("INCR", "s") == 101
    assert d("OBJECT", "ENCODING", "s") == b"int"
    d("INCRBYFLOAT", "f", "5")
    assert d("OBJECT", "ENCODING", "f") == b"embstr"
    assert d("INCR", "f") == 6
    assert d("OBJECT", "ENCODING", "f") == b"int"
    d("SET", "big", "1" + "0" * 18)
    assert d("INCRBY", "big", "1") == 10 ** 18 + 1


@pytest.mark.parametrize("value", ["abc", "", " 1", "1 ", "+1", "01", "-0", "1.0", "1e3", "0x10",
                                   "9223372036854775808", "-9223372036854775809", "1" * 30, "１"])
def test_incr_not_integer(d, value):
    d("SET", "k", value)
    for args in [("INCR", "k"), ("DECR", "k"), ("INCRBY", "k", "1"), ("DECRBY", "k", "1")]:
        assert d(*args) == NOT_INT
    assert d("GET", "k") == value.encode()


@pytest.mark.parametrize("incr", ["abc", "", "1.5", " 1", "+1", "9223372036854775808", "-9223372036854775809"])
def test_incrby_bad_increment(d, incr):
    assert d("INCRBY", "k", incr) == NOT_INT
    assert d("DECRBY", "k", incr) == NOT_INT
    assert d("EXISTS", "k") == 0
    d("RPUSH", "l", "a")
    assert d("INCRBY", "l", incr) == NOT_INT  # the argument is parsed before the type check


def test_incr_overflow(d):
    err = ("error", b"ERR increment or decrement would overflow")
    d("SET", "k", str(LLONG_MAX))
    assert d("INCR", "k") == err
    assert d("INCRBY", "k", "1") == err
    assert d("DECRBY", "k", "-1") == err
    assert d("INCRBY", "k", "0") == LLONG_MAX
    assert d("DECR", "k") == LLONG_MAX - 1
    d("SET", "k", str(LLONG_MIN))
    assert d("DECR", "k") == err
    assert d("INCRBY", "k", "-1") == err
    assert d("INCRBY", "k", str(LLONG_MAX)) == -1
    d("SET", "k", str(LLONG_MIN))
    assert d("INCRBY", "k", str(LLONG_MIN)) == err
    d("SET", "k", "-1")
    assert d("INCRBY", "k", str(LLONG_MIN)) == err
    d("SET", "k", "1")
    assert d("INCRBY", "k", str(LLONG_MAX)) == err
    assert d("DECRBY", "k", str(LLONG_MIN)) == ("error", b"ERR decrement would overflow")
    assert d("DECRBY", "new", str(LLONG_MIN)) == ("error", b"ERR decrement would overflow")
    assert d("DECRBY", "k", str(LLONG_MIN + 1)) == err
    d("SET", "k", "-1")
    assert d("DECRBY", "k", str(LLONG_MAX)) == LLONG_MIN
    assert d("GET", "k") == str(LLONG_MIN).encode()


def test_incr_wrongtype_and_ttl(d):
    d("RPUSH", "l", "a")
    for args in [("INCR", "l"), ("DECR", "l"), ("INCRBY", "l", "2"), ("DECRBY", "l", "2"), ("INCRBYFLOAT", "l", "1")]:
        assert d(*args) == WRONGTYPE
    for client in (d.cairn, d.ref):
        client.call("SET", "t", "5", "EX", "100")
        assert client.call("INCR", "t") == 6
        assert client.call("INCRBY", "t", "100000") == 100006
        assert 99 <= client.call("TTL", "t") <= 100
        client.call("SET", "t2", "ab", "EX", "100")
        client.call("SETRANGE", "t2", "0", "12")
        assert client.call("INCR", "t2") == 13
        assert 99 <= client.call("TTL", "t2") <= 100


def test_incr_random_sequences(d):
    rnd = random.Random(7)
    for i in range(300):
        key = "k%d" % rnd.randrange(5)
        op = rnd.choice(["INCR", "DECR", "INCRBY", "DECRBY"])
        if op in ("INCRBY", "DECRBY"):
            n = rnd.choice([rnd.randrange(-1000, 1000), rnd.randrange(-2 ** 62, 2 ** 62),
                            rnd.choice([LLONG_MAX, LLONG_MIN, LLONG_MAX - 1, LLONG_MIN + 1])])
            d(op, key, str(n))
        else:
            d(op, key)
    for i in range(5):
        d("GET", "k%d" % i)
        d("OBJECT", "ENCODING", "k%d" % i)


# ---- INCRBYFLOAT ---------------------------------------------------------------------------------

@pytest.mark.parametrize("start,incr", [
    (None, "10.5"), ("10.50", "0.1"), ("5.0e3", "2.0e2"), ("1", "-1"), ("-1", "0.5"), ("3", "1.5"),
    (None, "1e-5"), (None, "-0.0"), ("0", "-0"), ("1.1", "2.2"), (None, "123456789012345678"),
    ("0.1", "0.2"), (None, "1e300"), ("1e300", "1e300"), (None, "1e4000"), (None, "-1e-4000"),
    (None, "0x10"), (None, ".5"), (None, "5."), ("5", "1E2"), (None, "100"), ("7", "0"),
    (None, "9223372036854775807"), ("9223372036854775807", "1"), (None, "1.0000000000000000001"),
    (None, "3.14159265358979323846264338327950288"), ("-5", "5"), (None, "+3"), ("2.5", "-2.5"),
])
def test_incrbyfloat_values(d, start, incr):
    if start is not None:
        d("SET", "k", start)
    r = d("INCRBYFLOAT", "k", incr)
    assert isinstance(r, bytes)
    assert d("GET", "k") == r
    assert d("OBJECT", "ENCODING", "k") in (b"embstr", b"raw")


@pytest.mark.parametrize("incr", ["abc", "", " 1", "1 ", "1e", "nan", "NaN", "1.5.5", "--1", "1e5000", "-1e5000",
                                  "0x", "1,5", "inf1"])
def test_incrbyfloat_invalid_increment(d, incr):
    d("SET", "k", "1")
    assert d("INCRBYFLOAT", "k", incr) == NOT_FLOAT
    assert d("GET", "k") == b"1"
    assert d("INCRBYFLOAT", "new", incr) == NOT_FLOAT
    assert d("EXISTS", "new") == 0


@pytest.mark.parametrize("value", ["abc", "", " 1", "1 ", "1e", "nan", "x" * 100, "1" * 6000])
def test_incrbyfloat_invalid_value(d, value):
    d("SET", "k", value)
    assert d("INCRBYFLOAT", "k", "1") == NOT_FLOAT
    assert d("INCRBYFLOAT", "k", "abc") == NOT_FLOAT
    assert d("GET", "k") == value.encode()


@pytest.mark.parametrize("start,incr", [(None, "inf"), (None, "-inf"), ("1", "+inf"), ("1", "Infinity"),
                                        ("inf", "1"), ("-inf", "0"), ("1.1e4932", "1e4932"),
                                        ("-1.1e4932", "-1e4932")])
def test_incrbyfloat_nan_inf(d, start, incr):
    if start is not None:
        d("SET", "k", start)
    r = d("INCRBYFLOAT", "k", incr)
    assert is_err(r)


def test_incrbyfloat_nan_inf_messages(d):
    assert d("INCRBYFLOAT", "k", "inf") == ("error", b"ERR increment would produce NaN or Infinity")
    assert d("EXISTS", "k") == 0
    d("SET", "k", "inf")
    assert d("INCRBYFLOAT", "k", "-inf") == ("error", b"ERR increment would produce NaN or Infinity")


def test_incrbyfloat_encoding_and_ttl(d):
    assert d("INCRBYFLOAT", "k", "3") == b"3"
    assert d("OBJECT", "ENCODING", "k") == b"embstr"  # text, not int, even when integral
    assert d("INCRBY", "k", "1") == 4
    assert d("OBJECT", "ENCODING", "k") == b"int"
    for incr in ("1e20", "1e25", "1e30", "1e40", "1e50", "-1e60", "0.5"):
        r = d("INCRBYFLOAT", "k", incr)
        assert d("OBJECT", "ENCODING", "k") == (b"embstr" if len(r) <= 44 else b"raw")
    for client in (d.cairn, d.ref):
        client.call("SET", "t", "1", "EX", "100")
        assert client.call("INCRBYFLOAT", "t", "0.5") == b"1.5"
        assert 99 <= client.call("TTL", "t") <= 100


def test_incrbyfloat_random(d):
    rnd = random.Random(11)
    for i in range(200):
        choice = rnd.randrange(4)
        if choice == 0:
            incr = "%d" % rnd.randrange(-10 ** 6, 10 ** 6)
        elif choice == 1:
            incr = "%.*f" % (rnd.randrange(0, 12), rnd.uniform(-1000, 1000))
        elif choice == 2:
            incr = "%.6e" % rnd.uniform(-1e20, 1e20)
        else:
            incr = repr(rnd.uniform(-1, 1))
        d("INCRBYFLOAT", "k%d" % (i % 3), incr)


# ---- GETRANGE / SUBSTR / SETRANGE ----------------------------------------------------------------

RANGES = [(0, 0), (0, -1), (0, 3), (0, 100), (-1, -1), (-3, -1), (-100, -1), (-100, 2), (2, 1), (-1, -5),
          (-5, -1), (5, 5), (10, 20), (3, -3), (100, 200), (-100, -50), (0, -100), (LLONG_MIN, LLONG_MAX),
          (LLONG_MAX, LLONG_MIN), (LLONG_MIN, -1), (1, LLONG_MAX), (-2, 0), (4, 3), (-7, 2)]


@pytest.mark.parametrize("cmd", ["GETRANGE", "SUBSTR"])
def test_getrange(d, cmd):
    d("SET", "s", "Hello World")
    d("SET", "i", "-1234567")
    d("SET", "e", "")
    d("SET", "raw", "x" * 50 + "y" * 50)
    for key in ("s", "i", "e", "raw", "nosuch"):
        for start, end in RANGES:
            d(cmd, key, str(start), str(end))


def test_getrange_binary_and_errors(d):
    blob = bytes(range(256))
    d("SET", "b", blob)
    assert d("GETRANGE", "b", "10", "20") == blob[10:21]
    assert d("GETRANGE", "b", "-10", "-1") == blob[-10:]
    assert d("GETRANGE", "nosuch", "0", "-1") == b""
    d("RPUSH", "l", "a")
    assert d("GETRANGE", "l", "0", "-1") == WRONGTYPE
    for args in [("a", "0"), ("0", "a"), ("1.5", "2"), ("", "1"), ("0", "9223372036854775808")]:
        assert d("GETRANGE", "b", *args) == NOT_INT
        assert d("GETRANGE", "nosuch", *args) == NOT_INT
        assert d("GETRANGE", "l", *args) == NOT_INT


def test_getrange_random(d):
    rnd = random.Random(3)
    value = bytes(rnd.randrange(256) for _ in range(37))
    d("SET", "k", value)
    for _ in range(300):
        a, b = rnd.randrange(-50, 50), rnd.randrange(-50, 50)
        d("GETRANGE", "k", str(a), str(b))


def test_setrange(d):
    assert d("SETRANGE", "k", "0", "Hello") == 5
    assert d("SETRANGE", "k", "6", "World") == 11
    assert d("GET", "k") == b"Hello\x00World"
    assert d("SETRANGE", "k", "1", "a") == 11
    assert d("GET", "k") == b"Hallo\x00World"
    assert d("OBJECT", "ENCODING", "k") == b"raw"
    assert d("SETRANGE", "n", "3", "ab") == 5
    assert d("GET", "n") == b"\x00\x00\x00ab"
    assert d("OBJECT", "ENCODING", "n") == b"raw"
    assert d("SETRANGE", "bin", "2", b"\x00\r\n") == 5
    assert d("GET", "bin") == b"\x00\x00\x00\r\n"
    assert d("SETRANGE", "k", "20", "") == 11
    assert d("SETRANGE", "missing", "5", "") == 0
    assert d("EXISTS", "missing") == 0


def test_setrange_encodings_and_ttl(d):
    d("SET", "i", "12345")
    assert d("SETRANGE", "i", "1", "9") == 5
    assert d("GET", "i") == b"19345"
    assert d("OBJECT", "ENCODING", "i") == b"raw"
    d("SET", "i2", "12345")
    assert d("SETRANGE", "i2", "0", "") == 5
    assert d("OBJECT", "ENCODING", "i2") == b"int"
    d("SET", "e", "abc")
    assert d("SETRANGE", "e", "0", "") == 3
    assert d("OBJECT", "ENCODING", "e") == b"embstr"
    assert d("SETRANGE", "e", "0", "z") == 3
    assert d("OBJECT", "ENCODING", "e") == b"raw"
    for client in (d.cairn, d.ref):
        client.call("SET", "t", "abc", "EX", "100")
        assert client.call("SETRANGE", "t", "5", "x") == 6
        assert 99 <= client.call("TTL", "t") <= 100


def test_setrange_errors(d):
    d("SET", "k", "abc")
    d("RPUSH", "l", "a")
    assert d("SETRANGE", "k", "-1", "x") == ("error", b"ERR offset is out of range")
    assert d("SETRANGE", "nosuch", "-1", "x") == ("error", b"ERR offset is out of range")
    assert d("SETRANGE", "k", "-1", "") == ("error", b"ERR offset is out of range")
    assert d("SETRANGE", "k", "abc", "x") == NOT_INT
    assert d("SETRANGE", "k", "1.0", "x") == NOT_INT
    assert d("SETRANGE", "k", "9223372036854775808", "x") == NOT_INT
    assert d("SETRANGE", "l", "0", "x") == WRONGTYPE
    assert d("SETRANGE", "l", "0", "") == WRONGTYPE
    assert d("SETRANGE", "l", "-1", "x") == ("error", b"ERR offset is out of range")
    assert d("SETRANGE", "k", "536870912", "x") == ("error", b"ERR string exceeds maximum allowed size "
                                                             b"(proto-max-bulk-len)")
    assert d("SETRANGE", "k", "536870911", "xy") == ("error", b"ERR string exceeds maximum allowed size "
                                                              b"(proto-max-bulk-len)")
    assert d("GET", "k") == b"abc"


def test_setrange_random(d):
    rnd = random.Random(5)
    for _ in range(200):
        key = "k%d" % rnd.randrange(3)
        off = rnd.randrange(0, 80)
        val = bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 10)))
        d("SETRANGE", key, str(off), val)
    for i in range(3):
        d("GET", "k%d" % i)


# ---- LCS ---------------------------------------------------------------------------------------

def test_lcs_basic(d):
    d("MSET", "a", "ohmytext", "b", "mynewtext")
    assert d("LCS", "a", "b") == b"mytext"
    assert d("LCS", "a", "b", "LEN") == 6
    assert d("LCS", "a", "b", "IDX") == [b"matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], b"len", 6]
    assert d("LCS", "a", "b", "IDX", "MINMATCHLEN", "4") == [b"matches", [[[4, 7], [5, 8]]], b"len", 6]
    assert d("LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN") == \
        [b"matches", [[[4, 7], [5, 8], 4]], b"len", 6]
    assert d("LCS", "a", "b", "idx", "withmatchlen") == \
        [b"matches", [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], b"len", 6]


def test_lcs_missing_and_empty(d):
    assert d("LCS", "x", "y") == b""
    assert d("LCS", "x", "y", "LEN") == 0
    assert d("LCS", "x", "y", "IDX") == [b"matches", [], b"len", 0]
    d("SET", "a", "hello")
    assert d("LCS", "a", "y") == b""
    assert d("LCS", "a", "a") == b"hello"
    assert d("LCS", "a", "a", "IDX", "WITHMATCHLEN") == [b"matches", [[[0, 4], [0, 4], 5]], b"len", 5]
    d("SET", "e", "")
    assert d("LCS", "a", "e", "IDX") == [b"matches", [], b"len", 0]


def test_lcs_options(d):
    d("MSET", "a", "abcdefgh1234", "b", "xxabcyydefzz1234")
    for opts in [(), ("LEN",), ("IDX",), ("IDX", "WITHMATCHLEN"), ("WITHMATCHLEN",), ("LEN", "WITHMATCHLEN"),
                 ("IDX", "MINMATCHLEN", "0"), ("IDX", "MINMATCHLEN", "-5"), ("IDX", "MINMATCHLEN", "3"),
                 ("IDX", "MINMATCHLEN", "100"), ("MINMATCHLEN", "2"), ("IDX", "MINMATCHLEN", "2", "MINMATCHLEN", "4"),
                 ("IDX", "IDX"), ("LEN", "LEN"), ("MINMATCHLEN", "2", "LEN")]:
        d("LCS", "a", "b", *opts)
        d("LCS", "b", "a", *opts)


def test_lcs_errors(d):
    d("MSET", "a", "abc", "b", "abd")
    d("RPUSH", "l", "x")
    assert d("LCS", "a", "b", "IDX", "LEN") == ("error", b"ERR If you want both the length and indexes, please "
                                                        b"just use IDX.")
    assert d("LCS", "a", "b", "FOO") == SYNTAX
    assert d("LCS", "a", "b", "MINMATCHLEN") == SYNTAX
    assert d("LCS", "a", "b", "MINMATCHLEN", "x") == NOT_INT
    assert d("LCS", "a", "b", "IDX", "MINMATCHLEN", "1.5") == NOT_INT
    err = ("error", b"ERR The specified keys must contain string values")
    assert d("LCS", "a", "l") == err
    assert d("LCS", "l", "nosuch") == err
    assert d("LCS", "l", "a", "FOO") == err
    assert d("LCS", "nosuch", "nosuch2", "FOO") == SYNTAX


def test_lcs_encodings_and_binary(d):
    d("SET", "i", "1234567")
    d("SET", "j", "-2468")
    assert d("LCS", "i", "j") == b"246"
    d("SET", "b1", b"\x00\x01\x02\xff\x00")
    d("SET", "b2", b"\xff\x00\x01\x00")
    d("LCS", "b1", "b2")
    d("LCS", "b1", "b2", "IDX", "WITHMATCHLEN")


def test_lcs_random(d):
    rnd = random.Random(9)
    for i in range(60):
        alpha = "ab" if i % 2 else "abcdefg"
        a = "".join(rnd.choice(alpha) for _ in range(rnd.randrange(0, 40)))
        b = "".join(rnd.choice(alpha) for _ in range(rnd.randrange(0, 40)))
        d("MSET", "a", a, "b", b)
        d("LCS", "a", "b")
        d("LCS", "a", "b", "IDX", "WITHMATCHLEN")
        d("LCS", "a", "b", "IDX", "MINMATCHLEN", str(rnd.randrange(0, 4)))


def test_lcs_memory_limit(d, small_bulk_len):
    d("MSET", "a", "x" * 600, "b", "y" * 600)
    err = ("error", b"ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
    assert d("LCS", "a", "b") == err
    assert d("LCS", "a", "b", "LEN") == err
    d("MSET", "a", "x" * 500, "b", "x" * 500)
    assert d("LCS", "a", "b", "LEN") == 500


def test_lcs_resp3(d, diff3):
    d("MSET", "a", "ohmytext", "b", "mynewtext")
    r = diff3("LCS", "a", "b", "IDX", "WITHMATCHLEN")
    assert r == ("map", [b"matches", [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], b"len", 6])
    diff3("LCS", "a", "b")
    diff3("LCS", "a", "b", "LEN")


# ---- RESP3 --------------------------------------------------------------------------------------------

def test_resp3_replies(diff3):
    assert diff3("GET", "nosuch") is None
    assert diff3("SET", "k", "v") == ("status", b"OK")
    assert diff3("SET", "k", "v", "NX") is None
    assert diff3("SET", "k", "w", "GET") == b"v"
    assert diff3("SET", "n", "w", "GET") is None
    assert diff3("MGET", "k", "nosuch") == [b"w", None]
    assert diff3("GETDEL", "nosuch") is None
    assert diff3("GETEX", "nosuch") is None
    assert diff3("GETSET", "nosuch2", "1") is None
    assert diff3("SETNX", "k", "1") == 0
    assert diff3("INCRBYFLOAT", "f", "1.5") == b"1.5"
    assert diff3("INCR", "i") == 1
    assert diff3("GETRANGE", "nosuch", "0", "-1") == b""
    assert diff3("STRLEN", "k") == 1
    assert diff3("SET", "k", "v", "XX", "GET", "EX", "100") == b"w"


# ---- lazy expiry seen by string commands -------------------------------------------------------------

def test_commands_on_expired_keys(d):
    for client in (d.cairn, d.ref):
        for k in ("a", "b", "c", "e", "f", "g", "h"):
            client.call("SET", k, "5", "PX", "20")
    time.sleep(0.1)
    assert d("GET", "a") is None
    assert d("INCR", "b") == 1
    assert d("TTL", "b") == -1
    assert d("APPEND", "c", "x") == 1
    assert d("SET", "e", "v", "XX") is None
    assert d("SETNX", "f", "v") == 1
    assert d("STRLEN", "g") == 0
    assert d("GETRANGE", "h", "0", "-1") == b""
