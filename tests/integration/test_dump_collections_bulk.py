"""RESTORE of plain (element by element) hash / set / zset payloads large
enough for the hashtable and skiplist encodings, built by hand in every
element order: the order Redis and Cairn write (a zset from the highest rank
down), ascending, shuffled, equal scores ordered by member bytes. Loading
inserts these in batches (hashtableAddBatch) and builds the skiplist at its
head when the order allows, falling back to normal inserts otherwise; the
restored value must be the same whatever the order, equal to what
redis-server 7.0.15 restores from the same payload (replies and the DUMP of
the result, byte for byte), and a duplicate member / field anywhere (first
batch, middle, last partial batch, last element) must still be refused with
"ERR Bad data format", as Redis refuses it for these encodings.
"""
import random
import struct

import pytest

from test_dump import crc64_jones

OK = ("status", b"OK")
BAD_FORMAT = ("error", b"ERR Bad data format")
N = 1000  # above every listpack / intset threshold (128 / 512)


def _crc_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ (0x95AC9329AC4BC9B5 if c & 1 else 0)
        t.append(c)
    return t


CRC_TABLE = _crc_table()


def crc64(data):
    """Table-driven CRC-64/Jones (same as test_dump's bitwise one, faster)."""
    crc = 0
    for b in data:
        crc = CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


def rlen(n):
    """RDB length encoding (6-bit, 14-bit, 32-bit big-endian)."""
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | (n >> 8), n & 0xFF])
    return b"\x80" + n.to_bytes(4, "big")


def rstr(b):
    return rlen(len(b)) + b


def payload(body, ver=10):
    p = body + bytes([ver, 0])
    return p + crc64(p).to_bytes(8, "little")


def zset2(pairs):
    return payload(b"\x05" + rlen(len(pairs)) + b"".join(rstr(m) + struct.pack("<d", s) for m, s in pairs))


def zset_text(pairs):
    return payload(b"\x03" + rlen(len(pairs)) + b"".join(rstr(m) + rstr(repr(s).encode()) for m, s in pairs))


def hash_plain(pairs):
    return payload(b"\x04" + rlen(len(pairs)) + b"".join(rstr(f) + rstr(v) for f, v in pairs))


def set_plain(members):
    return payload(b"\x02" + rlen(len(members)) + b"".join(rstr(m) for m in members))


def test_crc_helper_matches_reference():
    data = bytes(range(256)) * 3
    assert crc64(data) == crc64_jones(data)


def zset_elements(kind):
    """N (member, score) pairs sorted by rank (ascending), by kind of scores."""
    if kind == "distinct":
        el = [(b"m:%08d" % i, float(i)) for i in range(N)]
    elif kind == "ties":  # ten members per score, ordered by member bytes
        el = [(b"m:%08d" % i, float(i // 10)) for i in range(N)]
    elif kind == "same":  # one score: pure member order, with prefixes (shorter first)
        el = sorted([(b"k%d" % i, 0.0) for i in range(N)], key=lambda e: e[0])
    else:  # negative, fractional, infinities
        sc = [float("-inf")] + [(-1) ** i * i / 7 for i in range(N - 2)] + [float("inf")]
        el = sorted(((b"x%d" % i, s) for i, s in enumerate(sc)), key=lambda e: (e[1], e[0]))
    return el


def ordered(el, order, rng):
    if order == "descending":  # the order Redis and Cairn write skiplists in
        return list(reversed(el))
    if order == "ascending":
        return list(el)
    if order == "shuffled":
        out = list(el)
        rng.shuffle(out)
        return out
    # "mostly descending": descending with a few swapped pairs (head inserts
    # refused now and then)
    out = list(reversed(el))
    for i in range(5, len(out) - 1, 97):
        out[i], out[i + 1] = out[i + 1], out[i]
    return out


@pytest.mark.parametrize("kind", ["distinct", "ties", "same", "mixed"])
@pytest.mark.parametrize("order", ["descending", "ascending", "shuffled", "mostly_descending"])
def test_zset_any_order(raw, raw_ref, kind, order):
    rng = random.Random("%s-%s" % (kind, order))
    el = zset_elements(kind)
    for build in (zset2, zset_text):
        p = build(ordered(el, order, rng))
        for c in (raw, raw_ref):
            assert c.call("RESTORE", "z", "0", p, "REPLACE") == OK
        assert raw.call("OBJECT", "ENCODING", "z") == b"skiplist"
        assert raw.call("ZCARD", "z") == N
        got = raw.call("ZRANGE", "z", "0", "-1")
        assert got == [m for m, _ in el]
        assert got == raw_ref.call("ZRANGE", "z", "0", "-1")
        # ranks (spans) and scores, from both ends
        for i in list(range(0, N, 37)) + [N - 1]:
            m, s = el[i]
            assert raw.call("ZRANK", "z", m) == i
            assert raw.call("ZREVRANK", "z", m) == N - 1 - i
            assert raw.call("ZRANGE", "z", str(i), str(i)) == [m]
            # compared as doubles: 7.2 prints the shortest round-trip form,
            # 7.0 %.17g ("-89.85714285714286" vs "-89.857142857142861")
            assert float(raw.call("ZSCORE", "z", m)) == float(raw_ref.call("ZSCORE", "z", m)) == s
        assert raw.call("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "500", "3") == [m for m, _ in el[500:503]]
        # the value re-dumps exactly as Redis 7.0.15 dumps the same restored zset
        assert raw.call("DUMP", "z") == raw_ref.call("DUMP", "z")


@pytest.mark.parametrize("at", [0, 1, 15, 16, 17, 500, N - 9, N - 1])
@pytest.mark.parametrize("same_score", [True, False])
@pytest.mark.parametrize("order", ["descending", "shuffled"])
def test_zset_duplicate_refused(raw, raw_ref, at, same_score, order):
    el = ordered(zset_elements("distinct"), order, random.Random(at))
    dup_src = el[(at + 3) % N] if at < N - 1 else el[0]
    el = list(el)
    el.insert(at, (dup_src[0], dup_src[1] if same_score else dup_src[1] + 0.5))
    p = zset2(el)
    raw.call("SET", "z", "keep")
    assert raw.call("RESTORE", "z", "0", p, "REPLACE") == BAD_FORMAT
    assert raw.call("GET", "z") == b"keep"
    assert raw.call("RESTORE", "n", "0", p) == BAD_FORMAT
    assert raw.call("EXISTS", "n") == 0
    assert raw_ref.call("RESTORE", "n", "0", p, "REPLACE") == BAD_FORMAT  # Redis refuses it too


def test_zset_nan_refused_late(raw):
    el = list(reversed(zset_elements("distinct")))
    el[700] = (b"nan", float("nan"))
    assert raw.call("RESTORE", "n", "0", zset2(el)) == BAD_FORMAT
    assert raw.call("EXISTS", "n") == 0


@pytest.mark.parametrize("order", ["as_made", "shuffled"])
def test_hash_and_set_any_order(raw, raw_ref, order):
    rng = random.Random(5)
    pairs = [(b"f:%08d" % i, b"v:%08d" % i) for i in range(N)]
    members = [b"m:%08d" % i for i in range(N)] + [b"%d" % i for i in range(50)]
    if order == "shuffled":
        rng.shuffle(pairs)
        rng.shuffle(members)
    for c in (raw, raw_ref):
        assert c.call("RESTORE", "h", "0", hash_plain(pairs), "REPLACE") == OK
        assert c.call("RESTORE", "s", "0", set_plain(members), "REPLACE") == OK
    assert raw.call("OBJECT", "ENCODING", "h") == b"hashtable"
    assert raw.call("OBJECT", "ENCODING", "s") == b"hashtable"
    assert raw.call("HLEN", "h") == N
    assert raw.call("SCARD", "s") == len(members)
    got = raw.call("HGETALL", "h")
    assert sorted(zip(got[::2], got[1::2])) == sorted(pairs)
    assert sorted(raw.call("SMEMBERS", "s")) == sorted(members)
    assert sorted(raw.call("SMEMBERS", "s")) == sorted(raw_ref.call("SMEMBERS", "s"))
    for f, v in pairs[::53]:
        assert raw.call("HGET", "h", f) == v
    # a round trip through Cairn's own DUMP gives the same value
    for key, kind in (("h", "hash"), ("s", "set")):
        d = raw.call("DUMP", key)
        assert raw.call("RESTORE", key + "2", "0", d, "REPLACE") == OK
    got2 = raw.call("HGETALL", "h2")
    assert sorted(zip(got2[::2], got2[1::2])) == sorted(pairs)
    assert sorted(raw.call("SMEMBERS", "s2")) == sorted(members)


@pytest.mark.parametrize("at", [0, 1, 15, 16, 17, 500, N - 9, N - 1, N])
def test_hash_and_set_duplicate_refused(raw, raw_ref, at):
    pairs = [(b"f:%08d" % i, b"v:%08d" % i) for i in range(N)]
    members = [b"m:%08d" % i for i in range(N)]
    src = (at + 7) % N if at < N - 7 else 0
    pairs.insert(at, (pairs[src][0], b"other"))
    members.insert(at, members[src])
    for p in (hash_plain(pairs), set_plain(members)):
        raw.call("SET", "k", "keep")
        assert raw.call("RESTORE", "k", "0", p, "REPLACE") == BAD_FORMAT
        assert raw.call("GET", "k") == b"keep"
        assert raw.call("RESTORE", "n", "0", p) == BAD_FORMAT
        assert raw.call("EXISTS", "n") == 0
        assert raw_ref.call("RESTORE", "n", "0", p, "REPLACE") == BAD_FORMAT  # Redis refuses it too


def test_zset_dump_every_member_form(raw, raw_ref):
    """DUMP of a skiplist zset whose members take every RDB string form the
    saver writes (raw short members, integer forms, LZF-compressed long ones,
    an empty one, one longer than the saver's 16 KB chunk): byte-identical to
    redis-server 7.0.15's DUMP of the same zset, and it restores to the same
    zset (the text-score ZSET form of old targets is checked by the unit
    tests: dump-rdb-version accepts 9 and up only)."""
    rng = random.Random(11)
    members = [b"", b"-", b"-5", b"0", b"123", b"4294967296", b"x" * 20, b"y" * 21, b"z" * 400,
               b"q" * 20000, bytes(range(256)), b"\x00a"]
    members += [b"m:%08d" % i for i in range(900)]
    members += [(b"%d" % rng.randrange(-10**6, 10**6)) + b"k" * rng.randrange(0, 3) for _ in range(300)]
    members = list(dict.fromkeys(members))
    args = []
    for m in members:
        args += [repr(rng.choice([rng.uniform(-1e9, 1e9), float(rng.randrange(100)), 1e300, -0.5])), m]
    for c in (raw, raw_ref):
        c.call("DEL", "z")
        assert c.call("ZADD", "z", *args) == len(members)
    assert raw.call("OBJECT", "ENCODING", "z") == b"skiplist"
    d = raw.call("DUMP", "z")
    assert d == raw_ref.call("DUMP", "z")
    want = raw_ref.call("ZRANGE", "z", "0", "-1", "WITHSCORES")
    assert raw.call("RESTORE", "z2", "0", d) == OK
    assert raw.call("ZRANGE", "z2", "0", "-1") == want[::2]
    got = raw.call("ZRANGE", "z2", "0", "-1", "WITHSCORES")
    assert [float(x) for x in got[1::2]] == [float(x) for x in want[1::2]]
