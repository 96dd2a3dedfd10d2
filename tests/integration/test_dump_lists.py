"""DUMP / RESTORE for lists: every recorded list vector of real servers
(../shared/vectors: Redis 7.0.15 LIST_QUICKLIST_2, Valkey, Redis 6.2.16
LIST_QUICKLIST with ziplist nodes, and plain LIST / LIST_ZIPLIST /
LIST_QUICKLIST payloads cut from old RDB files), the recorded list error
cases, hand-built bad payloads, the DUMP bytes for targets 9 (ziplist nodes,
compared with Redis 6.2.16's own payloads), 10 (Redis 7.0.15's) and 11
(Valkey's), and random round trips in both directions with Debian's
redis-server 7.0.15 (small / large lists, big elements, PLAIN nodes, compress
depth, targets 10 and 9).

Cairn answers like Redis 7.2. Where that differs from the recorded 7.0.15
behaviour the expectation is adjusted and says why:
  * encoding after RESTORE: a list whose single packed node fits
    list-max-listpack-size becomes a listpack (7.0: quicklist); Valkey's
    recordings of the same values are the 7.2 truth;
  * deep validation is always on: a listpack whose header count is wrong is
    refused (7.0.15 accepts it unless sanitize-dump-payload is yes).
"""
import hashlib
import random
import time

import pytest

from conftest import RawClient
from test_dump import arg, crc64_jones, load, payload_of, want

FOLDERS = ["redis-7.0.15", "valkey-55bbbe0", "redis-6.2.16", "legacy-rdb-assets"]
OK = ("status", b"OK")
BAD_FORMAT = ("error", b"ERR Bad data format")
LIST_TYPES = (1, 10, 14, 18)


@pytest.fixture
def raw(cairn_server, cairn):
    c = RawClient(cairn_server.port)
    yield c
    c.call("CONFIG", "SET", "dump-rdb-version", "10")
    c.call("CONFIG", "SET", "list-max-listpack-size", "-2")
    c.call("CONFIG", "SET", "list-compress-depth", "0")
    c.call("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0")
    c.close()


@pytest.fixture
def raw_ref(redis_server, redis_ref):
    c = RawClient(redis_server.port)
    yield c
    c.call("CONFIG", "SET", "list-max-listpack-size", "-2")
    c.call("CONFIG", "SET", "list-compress-depth", "0")
    c.call("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0")  # Redis 7.0: back to its 1 GB default
    c.close()


def dump_at(c, key, target):
    c.call("CONFIG", "SET", "dump-rdb-version", str(target))
    try:
        return c.call("DUMP", key)
    finally:
        c.call("CONFIG", "SET", "dump-rdb-version", "10")


def vectors():
    out = []
    for folder in FOLDERS:
        for v in load(folder, "lists.json"):
            out.append(pytest.param(folder, v, id="%s/%s" % (folder, v["name"])))
    return out


# ---- a small reader of type-18 payloads (to know the 7.2 encoding) -------------------

def rdb_len(p, i):
    b = p[i]
    t = b >> 6
    if t == 0:
        return b & 0x3f, i + 1
    if t == 1:
        return ((b & 0x3f) << 8) | p[i + 1], i + 2
    if b == 0x80:
        return int.from_bytes(p[i + 1:i + 5], "big"), i + 5
    if b == 0x81:
        return int.from_bytes(p[i + 1:i + 9], "big"), i + 9
    raise ValueError("encoded length")


def rdb_string_span(p, i):
    """(decoded length, offset after the string, raw bytes or None for LZF)."""
    if p[i] == 0xc3:
        clen, j = rdb_len(p, i + 1)
        ulen, j = rdb_len(p, j)
        return ulen, j + clen, None
    if p[i] >> 6 == 3:
        n = {0xc0: 1, 0xc1: 2, 0xc2: 4}[p[i]]
        return None, i + 1 + n, None
    n, j = rdb_len(p, i)
    return n, j + n, p[j:j + n]


def nodes_of_type18(p):
    """[(container, decoded size, entry count or None)] of a type-18 payload."""
    assert p[0] == 18
    n, i = rdb_len(p, 1)
    out = []
    for _ in range(n):
        container, i = rdb_len(p, i)
        size, i, rawb = rdb_string_span(p, i)
        count = int.from_bytes(rawb[4:6], "little") if rawb is not None and container == 2 else None
        out.append((container, size, count))
    return out


def fill_of(v):
    for cmd in v.get("config", []):
        if cmd[2] in ("list-max-listpack-size", "list-max-ziplist-size"):
            return int(cmd[3])
    return -2


def encoding_72(v, payload_18):
    """Redis 7.2's rule after loading: one packed node within the fill limit
    (no halving) -> listpack, else quicklist."""
    nodes = nodes_of_type18(payload_18)
    if len(nodes) != 1 or nodes[0][0] != 2:
        return b"quicklist"
    fill = fill_of(v)
    size, count = nodes[0][1], nodes[0][2]
    if fill < 0:
        return b"listpack" if size <= [4096, 8192, 16384, 32768, 65536][min(-fill, 5) - 1] else b"quicklist"
    assert count is not None
    return b"listpack" if size <= 8192 and count <= max(fill, 1) else b"quicklist"


VALKEY = {v["name"]: v for v in load("valkey-55bbbe0", "lists.json")}


def check_reads(c, v):
    reads = [(v["read"], v.get("expect"))] + [(e["read"], e["expect"]) for e in v.get("extra_reads", [])]
    for read, expect in reads:
        got = c.call(*read)
        if expect is None:
            d = v["expect_digest"]
            assert len(got) == d["count"], v["name"]
            assert hashlib.sha256(b"\n".join(got)).hexdigest() == d["sha256_of_elements_joined_by_LF"], v["name"]
        else:
            assert got == want(expect), (v["name"], read)


# ---- every vector ----------------------------------------------------------------------

@pytest.mark.parametrize("folder,v", vectors())
def test_vector(raw, folder, v):
    payload = payload_of(folder, v)
    key = v["key"].encode()
    for cmd in v.get("config", []):
        assert raw.call(*cmd) == OK  # list-max-ziplist-size is the alias Cairn accepts too
    assert raw.call("RESTORE", key, "0", payload) == OK
    check_reads(raw, v)
    assert raw.call("TYPE", key) == ("status", b"list")

    # the 7.0-style re-DUMP (type 18) of the restored value
    as18 = payload if payload[0] == 18 else bytes.fromhex(v["redump_after_restore_hex"])
    enc = encoding_72(v, as18)
    assert raw.call("OBJECT", "ENCODING", key) == enc
    if v["name"] in VALKEY and fill_of(v) == fill_of(VALKEY[v["name"]]):
        assert enc == VALKEY[v["name"]]["encoding_after_restore"].encode()  # 7.2's own answer

    mine = raw.call("DUMP", key)  # target 10: Redis 7.0's bytes
    assert crc64_jones(mine[:-8]).to_bytes(8, "little") == mine[-8:]
    if folder == "redis-7.0.15":
        assert v["redump_after_restore_identical"] and mine == payload
    else:
        assert mine[:-10] == as18[:-10] and mine[-10:-8] == b"\x0a\x00"
    if folder == "redis-6.2.16":
        # target 9: LIST_QUICKLIST with ziplist nodes, as Redis 6.2.16 wrote it
        assert dump_at(raw, key, 9) == payload
    if folder == "valkey-55bbbe0":
        assert dump_at(raw, key, 11) == payload
    # every payload Cairn writes restores on Cairn to the same list
    for target in (9, 10, 11):
        p = dump_at(raw, key, target)
        assert p[0] == (14 if target == 9 else 18)
        assert raw.call("RESTORE", key + b"2", "0", p, "REPLACE") == OK
        assert raw.call("LRANGE", key + b"2", "0", "-1") == raw.call("LRANGE", key, "0", "-1")


def test_vector_count():
    assert len(vectors()) == 11 + 11 + 13 + 4


# ---- recorded error cases -------------------------------------------------------------

def list_cases():
    out = []
    for folder in ("redis-7.0.15", "valkey-55bbbe0", "redis-6.2.16"):
        for case in load(folder, "errors.json"):
            for s in case["steps"]:
                cmd = s["command"]
                if cmd[0].upper() == "RESTORE" and len(cmd) > 3 and arg(cmd[3])[:1] and arg(cmd[3])[0] in LIST_TYPES:
                    out.append(pytest.param(folder, case, id="%s/%s" % (folder, case["name"])))
                    break
    return out


def adjusted_steps(case):
    steps = [(s["command"], want(s["reply"])) for s in case["steps"]]
    if case["name"] == "listpack_bad_count_valid_crc":
        # Cairn validates deeply whatever sanitize-dump-payload says: the wrong
        # header count is refused as with sanitize-dump-payload yes
        return [(steps[0][0], BAD_FORMAT), (["EXISTS", "k"], 0)]
    # 7.2: a small single-node list restores as a listpack (7.0.15: quicklist)
    return [(cmd, b"listpack" if cmd[0].upper() == "OBJECT" and rep == b"quicklist" else rep) for cmd, rep in steps]


@pytest.mark.parametrize("folder,case", list_cases())
def test_recorded_error_case(raw, folder, case):
    try:
        for cmd, rep in adjusted_steps(case):
            got = raw.call(*[arg(a) for a in cmd])
            assert got == rep, (case["name"], cmd, got, rep)
    finally:
        raw.call("CONFIG", "SET", "sanitize-dump-payload", "no")


def test_list_case_count():
    names = {p.values[1]["name"] for p in list_cases()}
    assert {"listpack_bad_count_valid_crc", "listpack_bad_total_bytes_valid_crc", "quicklist_ziplist_ok",
            "quicklist_ziplist_bad_tail_valid_crc", "quicklist_empty_ziplist_node", "quicklist_zero_nodes",
            "list_quicklist2_type18_version9"} <= names


def test_legacy_refused_lists_present():
    """The list payloads of refused.json (run by test_dump_collections'
    test_legacy_refused) are there."""
    names = [v["name"] for v in load("legacy-rdb-assets", "refused.json")]
    assert sum(1 for n in names if "list" in n) >= 5


# ---- hand-built payloads -----------------------------------------------------------------

def mk(body, ver=10):
    p = body + bytes([ver, 0])
    return p + crc64_jones(p).to_bytes(8, "little")


def rstr(b):
    if len(b) < 64:
        return bytes([len(b)]) + b
    assert len(b) < 16384
    return bytes([0x40 | (len(b) >> 8), len(b) & 0xff]) + b


def lp(entries, count=None):
    """A listpack of short strings / small ints."""
    body = b""
    for e in entries:
        if isinstance(e, int):
            assert 0 <= e < 128
            body += bytes([e, 1])
        else:
            assert len(e) < 64
            body += bytes([0x80 | len(e)]) + e + bytes([1 + len(e)])
    total = 6 + len(body) + 1
    n = len(entries) if count is None else count
    return total.to_bytes(4, "little") + n.to_bytes(2, "little") + body + b"\xff"


def zl(entries):
    """A ziplist of short strings (< 64 bytes)."""
    body = b""
    prev = 0
    tail = 10
    for e in entries:
        tail = 10 + len(body)
        ent = bytes([prev, len(e)]) + e
        body += ent
        prev = len(ent)
    total = 10 + len(body) + 1
    return total.to_bytes(4, "little") + tail.to_bytes(4, "little") + len(entries).to_bytes(2, "little") + body + b"\xff"


GOOD = {
    # plain LIST (RDB <= 2.x style) of strings and int-encoded elements
    "plain_list": (b"\x01\x03" + rstr(b"a") + b"\xc0\x07" + rstr(b"bc"), [b"a", b"7", b"bc"], b"listpack"),
    "plain_list_large": (b"\x01\x40\xc8" + b"".join(rstr(b"%063d" % i) for i in range(200)),
                         [b"%063d" % i for i in range(200)], b"quicklist"),
    "ziplist": (b"\x0a" + rstr(zl([b"x", b"y"])), [b"x", b"y"], b"listpack"),
    # an empty node is skipped when others have elements (Redis does the same)
    "quicklist2_empty_node_skipped": (b"\x12\x02\x02" + rstr(lp([])) + b"\x02" + rstr(lp([b"a", 5])),
                                      [b"a", b"5"], b"listpack"),
    "quicklist_empty_ziplist_node_skipped": (b"\x0e\x02" + rstr(zl([])) + rstr(zl([b"q"])), [b"q"], b"listpack"),
    "quicklist2_plain_nodes": (b"\x12\x03\x01" + rstr(b"big") + b"\x02" + rstr(lp([b"m"])) + b"\x01" + rstr(b"z"),
                               [b"big", b"m", b"z"], b"quicklist"),
}


@pytest.mark.parametrize("name", sorted(GOOD))
def test_hand_built_good(raw, raw_ref, name):
    body, elems, enc = GOOD[name]
    p = mk(body)
    assert raw.call("RESTORE", "k", "0", p) == OK
    assert raw.call("LRANGE", "k", "0", "-1") == elems
    assert raw.call("OBJECT", "ENCODING", "k") == enc
    # Redis 7.0.15 reads it the same way
    assert raw_ref.call("RESTORE", "k", "0", p) == OK
    assert raw_ref.call("LRANGE", "k", "0", "-1") == elems
    # and Cairn's DUMP of it goes back to Redis
    assert raw_ref.call("RESTORE", "k2", "0", raw.call("DUMP", "k")) == OK
    assert raw_ref.call("LRANGE", "k2", "0", "-1") == elems


BAD_BODIES = {
    "list_empty": b"\x01\x00",
    "list_count_too_big": b"\x01\x05" + rstr(b"a"),
    "list_truncated_element": b"\x01\x01\x30ab",  # 48 bytes claimed: past the footer too
    "ziplist_empty": b"\x0a" + rstr(zl([])),
    "ziplist_garbage": b"\x0a" + rstr(b"garbage-bytes"),
    "ziplist_bad_prevlen": b"\x0a" + rstr(zl([b"a", b"b"])[:14] + b"\x07" + zl([b"a", b"b"])[15:]),
    "quicklist_zero_nodes": b"\x0e\x00",
    "quicklist_only_empty_ziplist": b"\x0e\x01" + rstr(zl([])),
    "quicklist_node_count_too_big": b"\x0e\x09" + rstr(zl([b"a"])),
    "quicklist_bad_ziplist_bytes": b"\x0e\x01" + rstr(b"\x0f" + zl([b"a"])[1:]),
    "quicklist2_zero_nodes": b"\x12\x00",
    "quicklist2_container_0": b"\x12\x01\x00" + rstr(lp([b"a"])),
    "quicklist2_container_3": b"\x12\x01\x03" + rstr(lp([b"a"])),
    "quicklist2_container_encoded": b"\x12\x01\xc0" + rstr(lp([b"a"])),
    "quicklist2_empty_plain_node": b"\x12\x01\x01\x00",
    "quicklist2_empty_packed_string": b"\x12\x01\x02\x00",
    "quicklist2_only_empty_listpack": b"\x12\x01\x02" + rstr(lp([])),
    "quicklist2_listpack_bad_count": b"\x12\x01\x02" + rstr(lp([b"a", 1], count=5)),
    "quicklist2_listpack_bad_total": b"\x12\x01\x02" + rstr(b"\x0e" + lp([b"a", 1])[1:]),
    "quicklist2_listpack_no_end": b"\x12\x01\x02" + rstr(lp([b"a"])[:-1] + b"\x00"),
    "quicklist2_listpack_bad_backlen": b"\x12\x01\x02" + rstr(lp([b"ab"])[:-2] + b"\x09\xff"),
    "quicklist2_truncated_second_node": b"\x12\x02\x02" + rstr(lp([b"a"])) + b"\x02\x10abc",
    "quicklist2_node_count_too_big": b"\x12\x40\xff\x02" + rstr(lp([b"a"])),
}
# Redis 7.0.15 accepts the listpack with a wrong header count unless
# sanitize-dump-payload is yes (recorded in errors.json); Cairn always refuses.
REDIS_ACCEPTS = {"quicklist2_listpack_bad_count", "quicklist2_listpack_bad_backlen"}


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
def test_bad_payload_harms_nothing(raw, raw_ref, name):
    p = mk(BAD_BODIES[name])
    raw.call("RPUSH", "k", "keep", "me")
    assert raw.call("RESTORE", "k", "0", p, "REPLACE") == BAD_FORMAT
    assert raw.call("LRANGE", "k", "0", "-1") == [b"keep", b"me"]
    assert raw.call("RESTORE", "n", "0", p) == BAD_FORMAT
    assert raw.call("EXISTS", "n") == 0
    # Redis 7.0.15 with sanitize-dump-payload yes refuses them all too
    try:
        raw_ref.call("CONFIG", "SET", "sanitize-dump-payload", "yes")
        assert raw_ref.call("RESTORE", "n", "0", p, "REPLACE") == BAD_FORMAT
    finally:
        raw_ref.call("CONFIG", "SET", "sanitize-dump-payload", "no")
    if name not in REDIS_ACCEPTS:
        assert raw_ref.call("RESTORE", "n", "0", p, "REPLACE") == BAD_FORMAT


def test_bit_flips_never_harm(raw):
    """Every single-bit flip of a multi-node payload (CRC recomputed) either
    restores a list or is refused; the server stays up and the old value
    stays when refused."""
    raw.call("CONFIG", "SET", "list-max-listpack-size", "4")
    raw.call("RPUSH", "src", "a", "1", "bb", "300", "c" * 30, "-7", "xyz", "q" * 70000)
    body = raw.call("DUMP", "src")[:-10]
    restored = refused = 0
    for i in range(1, len(body)):
        if i > 400 and i % 97:
            continue  # the big element's bytes: sample them
        for bit in range(8):
            b = bytearray(body)
            b[i] ^= 1 << bit
            p = mk(bytes(b))
            raw.call("SET", "t", "old")
            r = raw.call("RESTORE", "t", "0", p, "REPLACE")
            if r == OK:
                restored += 1
                assert raw.call("TYPE", "t") == ("status", b"list")
                raw.call("LRANGE", "t", "0", "-1")
            else:
                refused += 1
                assert r == BAD_FORMAT
                assert raw.call("GET", "t") == b"old"
    assert raw.call("PING") == ("status", b"PONG")
    assert restored > 0 and refused > 0


def test_bad_node_in_a_later_batch(raw):
    """A big list (3000 nodes, decoded on two threads in 1024-node batches):
    a broken node in the second or last batch, in either half, or an LZF node
    that does not expand, is refused (CRC recomputed) and harms nothing; the
    intact payload restores."""
    raw.call("CONFIG", "SET", "list-max-listpack-size", "4")
    raw.call("CONFIG", "SET", "list-compress-depth", "0")
    rng = random.Random(31)
    # nodes of 4: alternately compressible (LZF in the payload) and random (raw)
    elems = [b"elem-%06d-%s" % (i, b"x" * (i % 40)) if (i // 4) % 2 else rng.randbytes(24) for i in range(12000)]
    for i in range(0, len(elems), 500):
        raw.call("RPUSH", "big", *elems[i:i + 500])
    p = raw.call("DUMP", "big")
    assert p[0] == 18
    n, i = rdb_len(p, 1)
    assert n == 3000
    spans = []  # (offset of the string, its end, raw bytes or None)
    for _ in range(n):
        _, i = rdb_len(p, i)
        _, end, rawb = rdb_string_span(p, i)
        spans.append((i, end, rawb))
        i = end
    assert raw.call("RESTORE", "ok", "0", p) == OK
    assert raw.call("LRANGE", "ok", "0", "-1") == elems
    raw_nodes = [k for k, sp in enumerate(spans) if sp[2] is not None]
    lzf_nodes = [k for k, sp in enumerate(spans) if sp[2] is None]
    assert raw_nodes and lzf_nodes
    picks = [k for k in raw_nodes if k >= 1024][:1] + [k for k in raw_nodes if k > 2500][-1:]
    for k in picks:
        off, end, rawb = spans[k]
        b = bytearray(p[:-10])
        b[end - 2] ^= 0x7f  # the last entry's backlen
        q = mk(bytes(b))
        raw.call("SET", "t", "old")
        assert raw.call("RESTORE", "t", "0", q, "REPLACE") == BAD_FORMAT, k
        assert raw.call("GET", "t") == b"old"
    for k in [x for x in lzf_nodes if x >= 1024][:1] + lzf_nodes[-1:]:
        off, end, _ = spans[k]
        b = bytearray(p[:-10])
        b[end - 1] ^= 0x01  # the last LZF byte: wrong output or length
        q = mk(bytes(b))
        raw.call("SET", "t", "old")
        r = raw.call("RESTORE", "t", "0", q, "REPLACE")
        if r == OK:  # a flip can still expand to a valid listpack
            assert raw.call("TYPE", "t") == ("status", b"list")
        else:
            assert r == BAD_FORMAT and raw.call("GET", "t") == b"old"
    assert raw.call("LRANGE", "ok", "0", "-1") == elems
    assert raw.call("PING") == ("status", b"PONG")


# ---- the RDB type per target ---------------------------------------------------------

def test_dump_types_per_target(raw):
    raw.call("RPUSH", "small", "a", "b")
    raw.call("RPUSH", "big", *[b"e%d" % i for i in range(3000)])
    assert raw.call("OBJECT", "ENCODING", "small") == b"listpack"
    assert raw.call("OBJECT", "ENCODING", "big") == b"quicklist"
    for target, t in ((9, 14), (10, 18), (11, 18), (12, 18), (80, 18)):
        for k in ("small", "big"):
            p = dump_at(raw, k, target)
            assert p[0] == t and p[-10:-8] == bytes([target, 0])
            assert raw.call("RESTORE", k + "2", "0", p, "REPLACE") == OK
            assert raw.call("LRANGE", k + "2", "0", "-1") == raw.call("LRANGE", k, "0", "-1")
            assert raw.call("OBJECT", "ENCODING", k + "2") == raw.call("OBJECT", "ENCODING", k)


def test_encoding_follows_config_at_restore(raw):
    raw.call("RPUSH", "l", *[b"v%d" % i for i in range(10)])
    p = raw.call("DUMP", "l")
    raw.call("CONFIG", "SET", "list-max-listpack-size", "5")
    assert raw.call("RESTORE", "l2", "0", p) == OK
    # the node is adopted as it is (10 entries), the list stays a quicklist
    assert raw.call("OBJECT", "ENCODING", "l2") == b"quicklist"
    assert raw.call("LRANGE", "l2", "0", "-1") == [b"v%d" % i for i in range(10)]
    raw.call("CONFIG", "SET", "list-max-listpack-size", "-2")
    assert raw.call("RESTORE", "l3", "0", p) == OK
    assert raw.call("OBJECT", "ENCODING", "l3") == b"listpack"


# ---- random round trips with redis-server 7.0.15 -------------------------------------

def rand_elem(rng, big):
    k = rng.randrange(7)
    if k == 0:
        return str(rng.randrange(-1000, 1000)).encode()
    if k == 1:
        return str(rng.randrange(-2**63, 2**63)).encode()
    if k == 2:
        return bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 40)))
    if k == 3:
        return b"x" * rng.randrange(1, 200)  # compressible
    if k == 4:
        return rng.choice([b"007", b"-0", b"+1", b" 1", b"1.5", b"", b"9223372036854775808", b"-9223372036854775808"])
    if k == 5 and big:
        return bytes(rng.getrandbits(8) for _ in range(rng.randrange(9000, 20000)))
    return ("m%d" % rng.randrange(10**6)).encode()


# (name, elements, big elements, list-max-listpack-size, list-compress-depth, packed threshold)
SHAPES = [
    ("small", 10, False, -2, 0, 0),
    ("large", 3000, False, -2, 0, 0),
    ("large_fill_16", 700, False, 16, 0, 0),
    ("large_depth_1", 3000, False, -2, 1, 0),
    ("large_depth_2_fill_-1", 2000, False, -1, 2, 0),
    ("big_elements", 40, True, -2, 0, 0),
    ("plain_nodes", 200, False, -2, 0, 100),
    ("plain_nodes_depth_1", 300, True, 8, 1, 50),
    # more than one 1024-node batch and more than 256 KB: nodes are compressed
    # (DUMP) and expanded/validated (RESTORE) on two threads (rdb_list.c)
    ("many_nodes", 24000, False, 8, 0, 0),
    ("many_nodes_depth_1", 12000, False, 4, 1, 0),
]


def build(c, rng, key, n, big):
    """RPUSH / LPUSH batches of random elements."""
    left = n
    while left:
        k = min(left, rng.randrange(1, 50))
        c.call(rng.choice(["RPUSH", "LPUSH"]), key, *[rand_elem(rng, big) for _ in range(k)])
        left -= k


def configure(c, fill, depth, thr, is_redis):
    c.call("CONFIG", "SET", "list-max-listpack-size", str(fill))
    c.call("CONFIG", "SET", "list-compress-depth", str(depth))
    # 0 = default: Redis 7.0's 1 GB threshold, Cairn's 7.2 fill-based rule
    assert c.call("DEBUG", "QUICKLIST-PACKED-THRESHOLD", str(thr)) == OK


def test_random_round_trips(raw, raw_ref):
    rng = random.Random(18)
    counts = {"redis_to_cairn": 0, "redis_bytes_identical": 0, "cairn_to_redis": 0, "v9_on_redis": 0,
              "v9_on_cairn": 0}
    for rep in range(3):
        for name, n, big, fill, depth, thr in SHAPES:
            for c, is_redis in ((raw, False), (raw_ref, True)):
                configure(c, fill, depth, thr, is_redis)
            key = ("%s:%d" % (name, rep)).encode()
            state = rng.getstate()
            # Redis -> Cairn
            build(raw_ref, rng, key, n, big)
            want_list = raw_ref.call("LRANGE", key, "0", "-1")
            theirs = raw_ref.call("DUMP", key)
            assert raw.call("RESTORE", key, "0", theirs) == OK
            assert raw.call("LRANGE", key, "0", "-1") == want_list
            counts["redis_to_cairn"] += 1
            # the nodes are adopted as they are: Cairn's DUMP is Redis's
            assert raw.call("DUMP", key) == theirs, name
            counts["redis_bytes_identical"] += 1
            # Cairn -> Redis: the same commands on Cairn
            rng.setstate(state)
            key2 = key + b"c"
            build(raw, rng, key2, n, big)
            assert raw.call("LRANGE", key2, "0", "-1") == want_list
            mine = raw.call("DUMP", key2)
            assert raw_ref.call("RESTORE", key2, "0", mine) == OK
            assert raw_ref.call("LRANGE", key2, "0", "-1") == want_list
            counts["cairn_to_redis"] += 1
            # target 9 (LIST_QUICKLIST, ziplist nodes): Redis 7.0.15 and Cairn read it
            p9 = dump_at(raw, key2, 9)
            assert p9[0] == 14 and p9[-10:-8] == b"\x09\x00"
            assert raw_ref.call("RESTORE", key2 + b"9", "0", p9) == OK
            assert raw_ref.call("LRANGE", key2 + b"9", "0", "-1") == want_list
            counts["v9_on_redis"] += 1
            assert raw.call("RESTORE", key2 + b"9", "0", p9) == OK
            assert raw.call("LRANGE", key2 + b"9", "0", "-1") == want_list
            counts["v9_on_cairn"] += 1
            # Redis 7.0's own DUMP after reading Cairn's target-9 payload is
            # the target-10 DUMP Cairn gives for the same payload
            assert raw.call("DUMP", key2 + b"9") == raw_ref.call("DUMP", key2 + b"9"), name
    print("list round trips:", counts)
    assert counts["redis_to_cairn"] == counts["cairn_to_redis"] == 3 * len(SHAPES)


# ---- RESTORE wakes blocked clients; MIGRATE to Redis ---------------------------------

def test_restore_serves_blocked_blpop(raw, cairn_server):
    """A RESTOREd list wakes a client blocked on its key, as in Redis."""
    raw.call("RPUSH", "src", "a", "b")
    p = raw.call("DUMP", "src")
    waiter = RawClient(cairn_server.port)
    try:
        waiter.send("BLPOP", "l", "5")
        deadline = time.time() + 5
        while raw.call("INFO", "clients").find(b"blocked_clients:1") < 0 and time.time() < deadline:
            time.sleep(0.01)
        assert raw.call("RESTORE", "l", "0", p) == OK
        assert waiter.read() == [b"l", b"a"]
        assert raw.call("LRANGE", "l", "0", "-1") == [b"b"]
    finally:
        waiter.close()


def test_migrate_lists_both_ways(raw, raw_ref, redis_server, cairn_server):
    """MIGRATE of lists of every shape (listpack, multi-node, compressed,
    PLAIN nodes) from Cairn to redis-server 7.0.15."""
    raw.call("CONFIG", "SET", "list-compress-depth", "1")
    raw.call("RPUSH", "small", "a", "1", "b")
    raw.call("RPUSH", "big", *[b"element-%d" % i for i in range(20000)])
    raw.call("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100")
    raw.call("RPUSH", "plain", "x" * 150, "y", "z" * 300)
    want_lists = {k: raw.call("LRANGE", k, "0", "-1") for k in ("small", "big", "plain")}
    for k in want_lists:
        assert raw.call("MIGRATE", "127.0.0.1", str(redis_server.port), k, "0", "5000") == OK
        assert raw.call("EXISTS", k) == 0
        assert raw_ref.call("LRANGE", k, "0", "-1") == want_lists[k]
    # and back: Redis -> Cairn
    for k in want_lists:
        assert raw_ref.call("MIGRATE", "127.0.0.1", str(cairn_server.port), k, "0", "5000") == OK
        assert raw_ref.call("EXISTS", k) == 0
        assert raw.call("LRANGE", k, "0", "-1") == want_lists[k]


def test_seed_docs_restore_example(raw, raw_ref):
    """The RESTORE page's example payload (LIST_ZIPLIST, RDB 4) restores to
    1 2 3, on Cairn as on redis-server 7.0.15."""
    seed = [v for v in load("redis-7.0.15", "seeds.json") if v["name"] == "docs_restore_list_ziplist"][0]
    p = bytes.fromhex(seed["payload_hex"])
    for c in (raw, raw_ref):
        assert c.call("RESTORE", "mykey", "0", p) == OK
        assert c.call("LRANGE", "mykey", "0", "-1") == [b"1", b"2", b"3"]
    # 7.2: a small list restores as a listpack (7.0.15: quicklist)
    assert raw.call("OBJECT", "ENCODING", "mykey") == b"listpack"
    assert raw.call("DUMP", "mykey") == raw_ref.call("DUMP", "mykey")
