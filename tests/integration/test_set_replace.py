"""SET / GETSET / MSET building the keyed entry in one step (dbSetStringKey):
every value form (int, embstr up to 44 bytes, raw) written over every other
form, over other types, with and without TTL and KEEPTTL, compared with
redis-server. Encodings follow 7.2 (same as 7.0.15 for strings)."""
import re

import pytest

FORMS = ["12345", "-7", "abc", "x" * 44, "y" * 45, "z" * 3000, "", "007", "9223372036854775808"]


def test_set_over_every_string_form(d):
    d("FLUSHALL")
    for old in FORMS:
        for new in FORMS:
            d("SET", "k", old)
            assert d("SET", "k", new) == ("status", b"OK")
            d("GET", "k")
            d("OBJECT", "ENCODING", "k")
            d("STRLEN", "k")
            d("TTL", "k")
    d("DBSIZE")


def test_set_over_other_types_and_ttl(d):
    d("FLUSHALL")
    d("RPUSH", "l", "a", "b")
    d("SADD", "s", "m")
    d("HSET", "h", "f", "v")
    d("ZADD", "z", "1", "m")
    for k in ("l", "s", "h", "z"):
        d("SET", k, "v" * 50)
        d("TYPE", k)
        d("GET", k)
        d("OBJECT", "ENCODING", k)
    d("SET", "t", "1", "EX", "1000")
    d("SET", "t", "2")
    d("TTL", "t")
    d("SET", "t", "3", "EX", "1000")
    d("SET", "t", "x" * 60, "KEEPTTL")
    assert 0 < d.cairn.call("TTL", "t") <= 1000
    d("GET", "t")
    d("SET", "t", "4", "KEEPTTL")
    d("OBJECT", "ENCODING", "t")
    d("GETSET", "t", "five")
    d("TTL", "t")
    d("SET", "u", "1", "PX", "100000")
    d("MSET", "u", "2", "v", "y" * 100, "w", "3")
    d("PTTL", "u")
    d("MGET", "u", "v", "w")
    d("OBJECT", "ENCODING", "v")
    d("SETEX", "v", "100", "q")
    d("TTL", "v")
    d("SET", "v", "r", "KEEPTTL")
    d("TTL", "v")
    d("GET", "v")
    d("DBSIZE")


def test_many_keys_replace_and_grow(d):
    """Inserts through the two-phase position while the table grows, then
    replaces through the slot: counts and values as Redis."""
    d("FLUSHALL")
    for i in range(3000):
        d.cairn.call("SET", "key:%d" % i, str(i))
        d.ref.call("SET", "key:%d" % i, str(i))
    for i in range(0, 3000, 7):
        d("SET", "key:%d" % i, "v%d" % i)
    d("DBSIZE")
    for i in range(0, 3000, 100):
        d("GET", "key:%d" % i)
        d("GET", "key:%d" % (i + 7 * (i % 3)))


def test_set_over_expired_key_counts_expiry(d):
    """SET over a key whose TTL elapsed: the old key expires first (expired_keys
    grows), KEEPTTL then keeps no TTL."""
    d("FLUSHALL")
    def expired(c):
        return int(re.search(rb"expired_keys:(\d+)", c.call("INFO", "stats")).group(1))
    before = (expired(d.cairn), expired(d.ref))
    d("SET", "e", "1", "PX", "1")
    import time
    time.sleep(0.02)
    d("SET", "e", "2", "KEEPTTL")
    d("TTL", "e")
    d("GET", "e")
    after = (expired(d.cairn), expired(d.ref))
    assert after[0] - before[0] == after[1] - before[1] == 1
