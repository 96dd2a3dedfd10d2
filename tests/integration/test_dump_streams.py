"""DUMP / RESTORE of streams (RDB types 15, 19, 21): the recorded vectors of
Redis 6.2.16, Redis 7.0.15 and Valkey (../shared/vectors/*/streams.json),
byte-identical DUMP for each target version, round trips with Debian's
redis-server 7.0.15 in both directions on random streams, and corrupted
payloads (truncations, bit flips, hand-made cross-reference errors) that must
answer "ERR Bad data format" and leave every other key untouched.

Cairn follows Redis 7.2 where 7.0 differs: XINFO STREAM FULL lists each
consumer's active-time, and RESTORE of a type 15/19 payload (which has no
active-time) sets it to the seen-time, as Valkey does (recorded in
valkey-55bbbe0/cross.json). The 7.0-recorded expectations are adjusted for
that in `as_7_2`.
"""
import json
import os
import random

import pytest

from conftest import VECTORS, RawClient

OK = ("status", b"OK")
BAD = ("error", b"ERR Bad data format")
FOLDERS = ["redis-7.0.15", "redis-6.2.16", "valkey-55bbbe0"]


def load(folder, name):
    with open(os.path.join(VECTORS, folder, name)) as f:
        return json.load(f)


def want(r):
    if isinstance(r, dict):
        if "status" in r:
            return ("status", r["status"].encode())
        if "error" in r:
            return ("error", r["error"].encode())
        if "hex" in r:
            return bytes.fromhex(r["hex"])
    if isinstance(r, str):
        return r.encode()
    if isinstance(r, list):
        return [want(x) for x in r]
    return r


def as_7_2(reply):
    """A 7.0.15-recorded XINFO STREAM FULL reply as Redis 7.2 gives it after
    RESTORE of a payload without active times: each consumer gets
    active-time = seen-time right after seen-time."""
    if not (isinstance(reply, list) and reply[:1] == [b"length"] and b"groups" in reply):
        return reply
    out = list(reply)
    gi = out.index(b"groups") + 1
    if not isinstance(out[gi], list):
        return out
    groups = []
    for g in out[gi]:
        g = list(g)
        ci = g.index(b"consumers") + 1
        cons = []
        for cdesc in g[ci]:
            cdesc = list(cdesc)
            if b"active-time" not in cdesc:
                si = cdesc.index(b"seen-time")
                cdesc[si + 2:si + 2] = [b"active-time", cdesc[si + 1]]
            cons.append(cdesc)
        g[ci] = cons
        groups.append(g)
    out[gi] = groups
    return out


def strip_active(reply):
    """XINFO STREAM FULL without the 7.2 active-time fields (to compare with 7.0.15)."""
    if not (isinstance(reply, list) and b"groups" in reply):
        return reply
    out = list(reply)
    gi = out.index(b"groups") + 1
    if not isinstance(out[gi], list):
        return out
    groups = []
    for g in out[gi]:
        g = list(g)
        ci = g.index(b"consumers") + 1
        cons = []
        for cdesc in g[ci]:
            cdesc = list(cdesc)
            if b"active-time" in cdesc:
                ai = cdesc.index(b"active-time")
                del cdesc[ai:ai + 2]
            cons.append(cdesc)
        g[ci] = cons
        groups.append(g)
    out[gi] = groups
    return out


# ---- a small decoder / encoder of stream payloads (to build corruptions) -------------

def crc64_jones(data):
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x95AC9329AC4BC9B5 if crc & 1 else 0)
    return crc


def footer(body, version):
    p = body + bytes([version & 255, version >> 8])
    return p + crc64_jones(p).to_bytes(8, "little")


def lzf_decompress(data, ulen):
    out = bytearray()
    i = 0
    while i < len(data):
        ctrl = data[i]
        i += 1
        if ctrl < 32:
            out += data[i:i + ctrl + 1]
            i += ctrl + 1
        else:
            n = ctrl >> 5
            if n == 7:
                n += data[i]
                i += 1
            ref = len(out) - ((ctrl & 0x1F) << 8) - 1 - data[i]
            i += 1
            for _ in range(n + 2):
                out.append(out[ref])
                ref += 1
    assert len(out) == ulen
    return bytes(out)


class Reader:
    def __init__(self, b):
        self.b, self.i = b, 0

    def byte(self):
        self.i += 1
        return self.b[self.i - 1]

    def take(self, n):
        self.i += n
        return self.b[self.i - n:self.i]

    def len_(self):
        f = self.byte()
        t = f >> 6
        if t == 0:
            return f & 0x3F, False
        if t == 1:
            return ((f & 0x3F) << 8) | self.byte(), False
        if f == 0x80:
            return int.from_bytes(self.take(4), "big"), False
        if f == 0x81:
            return int.from_bytes(self.take(8), "big"), False
        return f & 0x3F, True

    def length(self):
        v, enc = self.len_()
        assert not enc
        return v

    def string(self):
        v, enc = self.len_()
        if not enc:
            return self.take(v)
        if v in (0, 1, 2):
            n = 1 << v
            return str(int.from_bytes(self.take(n), "little", signed=True)).encode()
        clen, ulen = self.length(), self.length()
        return lzf_decompress(self.take(clen), ulen)

    def time(self):
        return int.from_bytes(self.take(8), "little", signed=True)


def decode_stream(payload):
    r = Reader(payload)
    t = r.byte()
    s = {"type": t, "nodes": []}
    for _ in range(r.length()):
        s["nodes"].append([r.string(), r.string()])
    s["length"] = r.length()
    s["last"] = [r.length(), r.length()]
    if t >= 19:
        s["first"] = [r.length(), r.length()]
        s["maxdel"] = [r.length(), r.length()]
        s["added"] = r.length()
    s["groups"] = []
    for _ in range(r.length()):
        g = {"name": r.string(), "last": [r.length(), r.length()]}
        if t >= 19:
            g["er"] = r.length()
        g["pel"] = [[r.take(16), r.time(), r.length()] for _ in range(r.length())]
        g["consumers"] = []
        for _ in range(r.length()):
            c = {"name": r.string(), "seen": r.time()}
            if t >= 21:
                c["active"] = r.time()
            c["pel"] = [r.take(16) for _ in range(r.length())]
            g["consumers"].append(c)
        s["groups"].append(g)
    return s


def wlen(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | (n >> 8), n & 255])
    if n < 2**32:
        return b"\x80" + n.to_bytes(4, "big")
    return b"\x81" + n.to_bytes(8, "big")


def wstr(b):
    return wlen(len(b)) + b


def wtime(v):
    return (v & (2**64 - 1)).to_bytes(8, "little")


def encode_stream(s, version=None):
    t = s["type"]
    out = bytes([t]) + wlen(len(s["nodes"]))
    for k, lp in s["nodes"]:
        out += wstr(k) + wstr(lp)
    out += wlen(s["length"]) + wlen(s["last"][0]) + wlen(s["last"][1])
    if t >= 19:
        out += wlen(s["first"][0]) + wlen(s["first"][1]) + wlen(s["maxdel"][0]) + wlen(s["maxdel"][1])
        out += wlen(s["added"])
    out += wlen(len(s["groups"]))
    for g in s["groups"]:
        out += wstr(g["name"]) + wlen(g["last"][0]) + wlen(g["last"][1])
        if t >= 19:
            out += wlen(g["er"])
        out += wlen(len(g["pel"]))
        for rid, tm, cnt in g["pel"]:
            out += rid + wtime(tm) + wlen(cnt)
        out += wlen(len(g["consumers"]))
        for c in g["consumers"]:
            out += wstr(c["name"]) + wtime(c["seen"])
            if t >= 21:
                out += wtime(c["active"])
            out += wlen(len(c["pel"]))
            for rid in c["pel"]:
                out += rid
    if version is None:
        version = {15: 9, 19: 10, 21: 11}[t]
    return footer(out, version)


def rawid(ms, seq):
    return ms.to_bytes(8, "big") + seq.to_bytes(8, "big")


# ---- fixtures ---------------------------------------------------------------------------

@pytest.fixture
def raw(cairn_server, cairn):
    c = RawClient(cairn_server.port)
    yield c
    c.call("CONFIG", "SET", "dump-rdb-version", "10")
    c.close()


def stream_vectors():
    out = []
    for folder in FOLDERS:
        for v in load(folder, "streams.json"):
            out.append(pytest.param(folder, v, id="%s/%s" % (folder, v["name"])))
    return out


def expected(folder, read, exp):
    e = want(exp)
    if folder != "valkey-55bbbe0" and read[:2] == ["XINFO", "STREAM"] and "FULL" in read:
        e = as_7_2(e)
    return e


# ---- the recorded vectors ----------------------------------------------------------------

@pytest.mark.parametrize("folder,v", stream_vectors())
def test_stream_vector(raw, raw_ref, folder, v):
    payload = bytes.fromhex(v["dump_hex"])
    key = v["key"]
    assert raw.call("RESTORE", key, "0", payload) == OK
    assert raw.call("TYPE", key) == ("status", b"stream")
    assert raw.call("OBJECT", "ENCODING", key) == v["encoding_after_restore"].encode()
    assert raw.call(*v["read"]) == expected(folder, v["read"], v["expect"]), v["name"]
    for extra in v.get("extra_reads") or []:
        assert raw.call(*extra["read"]) == expected(folder, extra["read"], extra["expect"]), extra["read"]

    # DUMP for the version the payload came from gives its bytes back
    # (Valkey: target 11; Redis 6.2: target 9; Redis 7.0: the default 10)
    own = {"redis-7.0.15": "10", "redis-6.2.16": "9", "valkey-55bbbe0": "11"}[folder]
    assert raw.call("CONFIG", "SET", "dump-rdb-version", own) == OK
    assert raw.call("DUMP", key) == payload
    assert raw.call("CONFIG", "SET", "dump-rdb-version", "10") == OK

    # the default DUMP (type 19, version 10) is what Redis 7.0.15 writes
    mine = raw.call("DUMP", key)
    assert mine[0] == 19 and mine[-10:-8] == b"\x0a\x00"
    if folder == "redis-7.0.15":
        assert v["redump_after_restore_identical"]
        assert mine == payload
    elif folder == "redis-6.2.16":
        assert mine == bytes.fromhex(v["redump_after_restore_hex"])
    else:
        # Valkey's type 21 minus the active times is Redis 7.0's type 19
        s = decode_stream(payload)
        s["type"] = 19
        for g in s["groups"]:
            for c in g["consumers"]:
                del c["active"]
        assert decode_stream(mine) == s

    # ... and restores on redis-server 7.0.15 to the same reads
    assert raw_ref.call("RESTORE", key, "0", mine) == OK
    mine_full = raw.call("XINFO", "STREAM", key, "FULL")
    assert raw_ref.call("XINFO", "STREAM", key, "FULL") == strip_active(mine_full)
    assert raw_ref.call("XRANGE", key, "-", "+") == raw.call("XRANGE", key, "-", "+")
    assert raw_ref.call("DUMP", key) == mine


def test_valkey_reads_of_redis_payloads(raw):
    """Valkey's recorded reads of Redis 7.0.15's payloads (cross.json): Cairn
    restores them exactly so (7.2 semantics, active-time included)."""
    cross = load("valkey-55bbbe0", "cross.json")["redis_7_0_15_payloads_on_valkey"]
    vectors = {v["name"]: v for v in load("redis-7.0.15", "streams.json")}
    n = 0
    for item in cross:
        if item["group"] != "streams" or "read_reply" not in item["result"]:
            continue
        v = vectors[item["name"]]
        raw.call("DEL", v["key"])
        assert raw.call("RESTORE", v["key"], "0", bytes.fromhex(v["dump_hex"])) == OK
        assert raw.call(*v["read"]) == want(item["result"]["read_reply"]), item["name"]
        n += 1
    assert n >= 1


def test_vectors_are_all_covered():
    assert sum(len(load(f, "streams.json")) for f in FOLDERS) == 25


@pytest.mark.parametrize("v", [v for v in load("redis-7.0.15", "streams.json") if v["dump_reproducible"]],
                         ids=lambda v: v["name"])
def test_native_dump_byte_identical(raw, v):
    """The recorded setup run on Cairn DUMPs to Redis 7.0.15's exact bytes."""
    for cmd in v["setup"]:
        r = raw.call(*[want(a) for a in cmd])
        assert not (isinstance(r, tuple) and r[0] == "error"), (cmd, r)
    assert raw.call("DUMP", v["key"]) == bytes.fromhex(v["dump_hex"])


# ---- target versions ---------------------------------------------------------------------

def build_group_stream(c, key=b"s"):
    for i in range(1, 8):
        c.call("XADD", key, "%d-0" % i, "f", "v%d" % i)
    c.call("XDEL", key, "3-0")
    c.call("XGROUP", "CREATE", key, "g", "0")
    c.call("XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", key, ">")
    c.call("XGROUP", "CREATECONSUMER", key, "g", "bob")
    c.call("XGROUP", "CREATE", key, "12", "$")  # an integer-looking group name: int8 string


def test_dump_targets(raw, raw_ref):
    build_group_stream(raw)
    full = raw.call("XINFO", "STREAM", "s", "FULL")
    types = {}
    for target, rdbtype in (("9", 15), ("10", 19), ("11", 21), ("12", 21), ("80", 21)):
        assert raw.call("CONFIG", "SET", "dump-rdb-version", target) == OK
        p = raw.call("DUMP", "s")
        assert p[0] == rdbtype and p[-10] == int(target), target
        types[target] = p
        # Cairn restores its own payload of every target
        raw.call("DEL", "t")
        assert raw.call("RESTORE", "t", "0", p) == OK
        got = raw.call("XINFO", "STREAM", "t", "FULL")
        if rdbtype == 21:
            assert got == full  # nothing lost
        assert raw.call("XRANGE", "t", "-", "+") == raw.call("XRANGE", "s", "-", "+")
    # group name "12" written as an int8 string, as Redis's rdbSaveRawString does
    assert b"\xc0\x0c" in types["10"]
    # type 21 = type 19 + an 8-byte active time per consumer (2 consumers)
    assert len(types["11"]) == len(types["10"]) + 16
    # type 15 drops first/max-deleted IDs, entries added, entries read: Redis
    # 7.0.15 restores it and derives them (entries-added = length)
    assert raw_ref.call("RESTORE", "s", "0", types["9"]) == OK
    info = raw_ref.call("XINFO", "STREAM", "s", "FULL")
    assert info[info.index(b"entries-added") + 1] == 6
    assert info[info.index(b"max-deleted-entry-id") + 1] == b"0-0"
    assert raw_ref.call("XRANGE", "s", "-", "+") == raw.call("XRANGE", "s", "-", "+")
    # the version-10 payload restores on Redis 7.0.15 exactly
    assert raw_ref.call("RESTORE", "s10", "0", types["10"]) == OK
    assert raw_ref.call("XINFO", "STREAM", "s10", "FULL") == strip_active(full)
    assert raw_ref.call("DUMP", "s10") == types["10"]
    # Redis 7.0.15 refuses the version 11 stamp (it is newer than itself)
    assert raw_ref.call("RESTORE", "s11", "0", types["11"])[0] == "error"


def test_dump_target_below_9_impossible(raw):
    """dump-rdb-version accepts only targets that can hold every type."""
    r = raw.call("CONFIG", "SET", "dump-rdb-version", "8")
    assert r[0] == "error"


# ---- round trips with redis-server 7.0.15 ----------------------------------------------

def random_stream_ops(rng, key):
    """A random command sequence building a stream with deletions, several
    nodes, groups, PELs, consumers, claims, acks and XSETID."""
    ops = [("CONFIG", "SET", "stream-node-max-entries", str(rng.choice([3, 5, 10, 100])))]
    ms = rng.randrange(1, 10**6)
    ids = []
    fields = [b"f", b"g", b"name", b"n" * rng.randrange(1, 40)]
    for _ in range(rng.randrange(1, 60)):
        ms += rng.randrange(0, 3)
        nf = rng.randrange(1, 4)
        args = []
        same = rng.random() < 0.5
        for j in range(nf):
            f = fields[j] if same else rng.choice(fields) + str(j).encode()
            v = rng.choice([b"v", str(rng.randrange(-10**9, 10**9)).encode(),
                            bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 30)))])
            args += [f, v]
        ops.append(("XADD", key, "%d-*" % ms) + tuple(args))
        ids.append(ms)
    for _ in range(rng.randrange(0, 3)):
        ops.append(("XGROUP", "CREATE", key, "grp%d" % rng.randrange(5), rng.choice(["0", "$"])))
    for _ in range(rng.randrange(0, 10)):
        g = "grp%d" % rng.randrange(5)
        c = "c%d" % rng.randrange(4)
        noack = ("NOACK",) if rng.random() < 0.2 else ()
        ops.append(("XREADGROUP", "GROUP", g, c, "COUNT", str(rng.randrange(1, 8))) + noack + ("STREAMS", key, ">"))
    for _ in range(rng.randrange(0, 6)):
        g = "grp%d" % rng.randrange(5)
        m = rng.choice(ids)
        ops.append(rng.choice([
            ("XACK", key, g, "%d-0" % m),
            ("XCLAIM", key, g, "c%d" % rng.randrange(4), "0", "%d-0" % m),
            ("XGROUP", "CREATECONSUMER", key, g, "c%d" % rng.randrange(6)),
            ("XGROUP", "DELCONSUMER", key, g, "c%d" % rng.randrange(4)),
            ("XGROUP", "SETID", key, g, "%d-0" % m),
            ("XAUTOCLAIM", key, g, "c%d" % rng.randrange(4), "0", "0-0", "COUNT", "2"),
        ]))
    for _ in range(rng.randrange(0, 8)):
        ops.append(("XDEL", key, "%d-%d" % (rng.choice(ids), rng.randrange(0, 2))))
    if rng.random() < 0.3:
        ops.append(("XTRIM", key, "MAXLEN", str(rng.randrange(0, 40))))
    if rng.random() < 0.2:
        ops.append(("XTRIM", key, "MINID", "%d-0" % rng.choice(ids)))
    if rng.random() < 0.2:
        ops.append(("XSETID", key, "%d-5" % (ms + 10), "ENTRIESADDED", "1000", "MAXDELETEDID", "%d-0" % ms))
    ops.append(("CONFIG", "SET", "stream-node-max-entries", "100"))
    return ops


def test_random_round_trips(raw, raw_ref):
    rng = random.Random(5150)
    n = 0
    for i in range(60):
        key = b"x%d" % i
        ops = random_stream_ops(rng, key)
        src, dst = (raw, raw_ref) if i % 2 == 0 else (raw_ref, raw)
        for op in ops:
            src.call(*op)
        if src.call("EXISTS", key) != 1:
            continue
        p = src.call("DUMP", key)
        assert dst.call("RESTORE", key, "0", p) == OK, (i, ops)
        a = strip_active(raw.call("XINFO", "STREAM", key, "FULL"))
        b = raw_ref.call("XINFO", "STREAM", key, "FULL")
        assert a == b, (i, ops)
        assert raw.call("XRANGE", key, "-", "+") == raw_ref.call("XRANGE", key, "-", "+")
        assert raw.call("XREVRANGE", key, "+", "-", "COUNT", "7") == raw_ref.call("XREVRANGE", key, "+", "-",
                                                                                 "COUNT", "7")
        assert raw.call("XINFO", "GROUPS", key) == raw_ref.call("XINFO", "GROUPS", key)
        # the value went across unchanged: the other side dumps the same bytes
        assert dst.call("DUMP", key) == p, (i, ops)
        # and both keep working: one more entry on each side, equal again
        assert raw.call("XADD", key, "*", "z", "1") is not None
        raw_ref.call("XADD", key, raw.call("XINFO", "STREAM", key)[raw.call("XINFO", "STREAM", key).index(
            b"last-generated-id") + 1], "z", "1")
        assert raw.call("XRANGE", key, "-", "+") == raw_ref.call("XRANGE", key, "-", "+")
        n += 1
    assert n >= 40


def test_redis_quirk_payloads(raw, raw_ref):
    """Streams Redis 7.0.15 itself builds that break tidy invariants, restored
    and re-dumped byte for byte: a node whose entries are all deleted (XDEL of
    a node's last entry, then XTRIM MINID), and a deleted entry above a later
    live one (XSETID below a deleted entry, then XADD)."""
    cases = [
        [("XADD", "q", "1-0", "f", "v"), ("XADD", "q", "2-0", "f", "v"), ("XDEL", "q", "2-0"),
         ("XTRIM", "q", "MINID", "=", "2-0")],
        [("XADD", "q", "1-0", "f", "v"), ("XADD", "q", "3-0", "f", "v"), ("XDEL", "q", "3-0"),
         ("XSETID", "q", "1-0"), ("XADD", "q", "2-0", "f", "v")],
        [("XADD", "q", "1-0", "f", "v"), ("XADD", "q", "2-0", "f", "v"), ("XDEL", "q", "2-0"),
         ("XTRIM", "q", "MINID", "=", "2-0"), ("XADD", "q", "5-0", "g", "w")],
    ]
    for ops in cases:
        raw_ref.call("DEL", "q")
        raw.call("DEL", "q")
        for op in ops:
            raw_ref.call(*op)
        p = raw_ref.call("DUMP", "q")
        assert raw.call("RESTORE", "q", "0", p) == OK, ops
        assert raw.call("DUMP", "q") == p
        assert strip_active(raw.call("XINFO", "STREAM", "q", "FULL")) == raw_ref.call("XINFO", "STREAM", "q", "FULL")
        assert raw.call("XRANGE", "q", "-", "+") == raw_ref.call("XRANGE", "q", "-", "+")
        assert raw.call("XREVRANGE", "q", "+", "-") == raw_ref.call("XREVRANGE", "q", "+", "-")
        # both go on the same way from there (appends into the odd node, deletes)
        for op in (("XADD", "q", "7-0", "f", "v"), ("XADD", "q", "8-0", "h", "w"), ("XDEL", "q", "7-0"),
                   ("XTRIM", "q", "MINID", "=", "8-0")):
            assert raw.call(*op) == raw_ref.call(*op), op
        assert raw.call("DUMP", "q") == raw_ref.call("DUMP", "q"), ops


# ---- corrupted payloads -------------------------------------------------------------------

def vector_payload(folder, name):
    for v in load(folder, "streams.json"):
        if v["name"] == name:
            return bytes.fromhex(v["dump_hex"])
    raise KeyError(name)


def put_bystanders(c):
    c.call("SET", "other", "keep")
    c.call("XADD", "victim", "1-0", "a", "b")
    c.call("XGROUP", "CREATE", "victim", "g", "0")


def bystanders_intact(c):
    assert c.call("GET", "other") == b"keep"
    assert c.call("XRANGE", "victim", "-", "+") == [[b"1-0", [b"a", b"b"]]]
    assert c.call("DBSIZE") == 2


def must_reject(c, payload, why):
    assert c.call("RESTORE", "victim", "0", payload, "REPLACE") == BAD, why
    assert c.call("RESTORE", "new", "0", payload) == BAD, why
    bystanders_intact(c)


def mutations():
    """(name, mutate(s)) pairs on the decoded consumer_groups / multi_node vectors."""
    def m(f):
        return f

    def pel_without_consumer(s):
        s["groups"][0]["consumers"][1]["pel"].pop()          # bob forgets 4-0

    def consumer_pel_not_in_group(s):
        s["groups"][0]["consumers"][0]["pel"].append(rawid(9, 9))

    def two_owners(s):
        s["groups"][0]["consumers"][0]["pel"].append(s["groups"][0]["consumers"][1]["pel"][0])

    def listed_twice(s):
        c = s["groups"][0]["consumers"][1]
        c["pel"].append(c["pel"][0])

    def dup_group(s):
        s["groups"][1]["name"] = s["groups"][0]["name"]

    def dup_consumer(s):
        s["groups"][0]["consumers"][2]["name"] = s["groups"][0]["consumers"][0]["name"]

    def dup_pel(s):
        g = s["groups"][0]
        g["pel"].append(list(g["pel"][0]))

    def length_more(s):
        s["length"] += 1

    def length_less(s):
        s["length"] -= 1

    def last_below_entries(s):
        s["last"] = [1, 0]

    def added_below_length(s):
        s["added"] = s["length"] - 1

    def added_huge(s):
        s["added"] = 2**63

    def er_negative(s):
        s["groups"][0]["er"] = 2**64 - 2

    def negative_delivery_time(s):
        s["groups"][0]["pel"][0][1] = -5

    def negative_seen_time(s):
        s["groups"][0]["consumers"][0]["seen"] = -1

    def short_node_key(s):
        s["nodes"][0][0] = s["nodes"][0][0][:15]

    def long_node_key(s):
        s["nodes"][0][0] = s["nodes"][0][0] + b"\x00"

    def empty_listpack(s):
        s["nodes"][0][1] = b""

    def node_count_off(s):  # the listpack's own live count
        lp = bytearray(s["nodes"][0][1])
        lp[6] ^= 1  # first element (count) is a 7-bit int right after the 6-byte header
        s["nodes"][0][1] = bytes(lp)

    def master_id_above_first_entry(s):
        k = bytearray(s["nodes"][0][0])
        k[15] += 1
        s["nodes"][0][0] = bytes(k)

    def truncated_listpack(s):
        lp = s["nodes"][0][1]
        s["nodes"][0][1] = lp[:-3] + b"\xff"

    return [m(f) for f in (pel_without_consumer, consumer_pel_not_in_group, two_owners, listed_twice, dup_group,
                           dup_consumer, dup_pel, length_more, length_less, last_below_entries, added_below_length,
                           added_huge, er_negative, negative_delivery_time, negative_seen_time, short_node_key,
                           long_node_key, empty_listpack, node_count_off, master_id_above_first_entry,
                           truncated_listpack)]


@pytest.mark.parametrize("folder", ["redis-7.0.15", "valkey-55bbbe0", "redis-6.2.16"])
@pytest.mark.parametrize("mut", mutations(), ids=lambda f: f.__name__)
def test_semantic_corruptions(raw, folder, mut):
    put_bystanders(raw)
    s = decode_stream(vector_payload(folder, "consumer_groups"))
    # the decoder/encoder pair itself is faithful: re-encoded, it restores
    assert raw.call("RESTORE", "ok", "0", encode_stream(s)) == OK
    raw.call("DEL", "ok")
    if s["type"] < 19 and mut.__name__ in ("added_below_length", "added_huge", "er_negative"):
        return  # fields type 15 does not have
    mut(s)
    must_reject(raw, encode_stream(s), mut.__name__)


def test_nodes_out_of_order(raw):
    put_bystanders(raw)
    s = decode_stream(vector_payload("redis-7.0.15", "multi_node_250"))
    assert len(s["nodes"]) == 3
    good = encode_stream(s)
    assert raw.call("RESTORE", "ok", "0", good) == OK
    raw.call("DEL", "ok")
    swapped = dict(s, nodes=[s["nodes"][1], s["nodes"][0], s["nodes"][2]])
    must_reject(raw, encode_stream(swapped), "swapped nodes")
    dup = dict(s, nodes=[s["nodes"][0], s["nodes"][0], s["nodes"][2]], length=s["length"])
    must_reject(raw, encode_stream(dup), "duplicate node")
    # node 2 keyed below the last entry of node 1: the IDs overlap
    k = bytearray(s["nodes"][1][0])
    k[7] -= 5
    overlap = dict(s, nodes=[s["nodes"][0], [bytes(k), s["nodes"][1][1]], s["nodes"][2]])
    must_reject(raw, encode_stream(overlap), "overlapping nodes")
    dropped = dict(s, nodes=[s["nodes"][0], s["nodes"][2]])
    must_reject(raw, encode_stream(dropped), "a node missing: length differs")


def test_truncations_and_bit_flips(raw, raw_ref):
    """Every truncation (with a valid CRC) of a few payloads, and bit flips
    in their bodies: never harmful; accepted only when well-formed. For the
    version-10 payloads, whatever Cairn accepts redis-server 7.0.15 (with
    sanitize-dump-payload yes) accepts too."""
    put_bystanders(raw)
    assert raw_ref.call("CONFIG", "SET", "sanitize-dump-payload", "yes") == OK
    rng = random.Random(77)
    accepted = rejected = 0
    try:
        for folder, name in (("redis-7.0.15", "consumer_groups"), ("valkey-55bbbe0", "consumer_groups"),
                             ("redis-6.2.16", "autoclaim_and_deleted_pending"),
                             ("redis-7.0.15", "xsetid_metadata"), ("redis-7.0.15", "with_deletions")):
            p = vector_payload(folder, name)
            body, ver = p[:-10], p[-10] | (p[-9] << 8)
            # A body is decoded from the whole payload, footer included (as
            # Redis does), so a cut body whose missing tail happens to read
            # well from the 10 footer bytes restores: rare, then fully usable.
            cut_ok = 0
            for cut in range(1, len(body)):
                q = footer(body[:cut], ver)
                if check_restore(raw, q):
                    cut_ok += 1
                    assert ver > 10 or ref_accepts(raw_ref, q), (name, cut)
            assert cut_ok <= 4, (name, cut_ok)
            for _ in range(150):
                b = bytearray(body)
                for _ in range(rng.randrange(1, 3)):
                    i = rng.randrange(1, len(b))
                    b[i] ^= 1 << rng.randrange(8)
                q = footer(bytes(b), ver)
                if check_restore(raw, q):
                    accepted += 1  # still well-formed (e.g. a changed value byte or time)
                    assert ver > 10 or ref_accepts(raw_ref, q), name
                else:
                    rejected += 1
    finally:
        raw_ref.call("CONFIG", "SET", "sanitize-dump-payload", "no")
    bystanders_intact(raw)
    assert rejected > accepted > 0


def ref_accepts(ref, payload):
    r = ref.call("RESTORE", "new", "0", payload)
    ref.call("DEL", "new")
    return r == OK


def check_restore(c, payload):
    """RESTORE a doubtful payload: either "Bad data format", or OK and the
    stream is fully usable and dumps to a payload that restores again."""
    r = c.call("RESTORE", "new", "0", payload)
    if r != OK:
        assert r == BAD
        return False
    assert isinstance(c.call("XINFO", "STREAM", "new", "FULL"), list)
    assert isinstance(c.call("XRANGE", "new", "-", "+"), list)
    assert isinstance(c.call("XREVRANGE", "new", "+", "-"), list)
    again = c.call("DUMP", "new")
    c.call("DEL", "new")
    assert c.call("RESTORE", "new", "0", again) == OK
    assert c.call("DUMP", "new") == again
    c.call("DEL", "new")
    return True


def test_huge_counts_rejected_cheaply(raw):
    put_bystanders(raw)
    s = decode_stream(vector_payload("redis-7.0.15", "consumer_groups"))
    base = encode_stream(s)[:-10]
    # node count, group count, PEL size forged to 2^32 and 2^62
    for forged in (b"\x13\x80\xff\xff\xff\xff", b"\x13\x81" + (2**62).to_bytes(8, "big")):
        must_reject(raw, footer(forged + base[2:], 10), "forged node count")
    empty = {"type": 19, "nodes": [], "length": 0, "last": [0, 0], "first": [0, 0], "maxdel": [0, 0],
             "added": 0, "groups": []}
    p = encode_stream(empty)[:-10]
    must_reject(raw, footer(p[:-1] + b"\x81" + (2**62).to_bytes(8, "big"), 10), "forged group count")
    assert raw.call("RESTORE", "e", "0", encode_stream(empty)) == OK
    assert raw.call("XLEN", "e") == 0


def test_types_are_not_mixed_up(raw):
    """A type-21 body stamped as type 19 (or the reverse) does not decode."""
    put_bystanders(raw)
    p21 = vector_payload("valkey-55bbbe0", "consumer_groups")
    p19 = vector_payload("redis-7.0.15", "consumer_groups")
    must_reject(raw, footer(b"\x13" + p21[1:-10], 10), "21 as 19")
    must_reject(raw, footer(b"\x15" + p19[1:-10], 11), "19 as 21")
    must_reject(raw, footer(b"\x0f" + p19[1:-10], 9), "19 as 15")


def mask_times(s, tolerance_ref=None):
    """The decoded payload with wall-clock fields replaced by None; the times
    are returned separately, in order, to compare with a tolerance."""
    times = []
    for g in s["groups"]:
        for nack in g["pel"]:
            times.append(nack[1])
            nack[1] = None
        for c in g["consumers"]:
            times.append(c["seen"])
            c["seen"] = None
            if "active" in c:
                times.append(c["active"])
                c["active"] = None
    return s, times


def test_native_dumps_match_redis(raw, raw_ref):
    """The same random commands run on Cairn and on redis-server 7.0.15 give
    the same DUMP payload: identical node listpacks and metadata, groups,
    PELs and consumers; only the wall-clock times may differ (by < 5 s).
    (Commands whose consumer bookkeeping changed in 7.2 -- XCLAIM,
    XAUTOCLAIM -- are left out here; the round trips above cover them.)"""
    rng = random.Random(31337)
    compared = 0
    for i in range(40):
        key = b"n%d" % i
        ops = [op for op in random_stream_ops(rng, key) if op[0] not in ("XCLAIM", "XAUTOCLAIM")
               and not (op[0] == "XGROUP" and op[1] == "DELCONSUMER")]
        for op in ops:
            a, b = raw.call(*op), raw_ref.call(*op)
            if op[0] in ("XADD", "XDEL", "XTRIM", "XACK", "XGROUP", "XSETID"):
                assert a == b, (op, a, b)
        if raw_ref.call("EXISTS", key) != 1:
            continue
        mine, theirs = raw.call("DUMP", key), raw_ref.call("DUMP", key)
        dm, dt = decode_stream(mine), decode_stream(theirs)
        # 7.2 (Cairn) creates the consumer of an XREADGROUP that has nothing
        # to deliver; 7.0.15 does not: such consumers (no PEL) are dropped
        for gm, gt in zip(dm["groups"], dt["groups"]):
            names = {c["name"] for c in gt["consumers"]}
            gm["consumers"] = [c for c in gm["consumers"] if c["name"] in names or c["pel"]]
        sm, tm = mask_times(dm)
        st, tt = mask_times(dt)
        assert sm == st, (i, ops)
        assert len(tm) == len(tt) and all(abs(x - y) < 5000 for x, y in zip(tm, tt)), (tm, tt)
        if not tm and dm == decode_stream(mine):
            assert mine == theirs
        compared += 1
    assert compared >= 30


def test_restore_wakes_blocked_reader(cairn_server, redis_server, raw, raw_ref):
    """RESTORE of a stream serves an XREAD blocked on that key, as on Redis."""
    payload = vector_payload("redis-7.0.15", "with_deletions")
    got = []
    for srv, c in ((cairn_server, raw), (redis_server, raw_ref)):
        waiter = RawClient(srv.port)
        waiter.send("XREAD", "COUNT", "2", "BLOCK", "5000", "STREAMS", "x", "$")
        for _ in range(100):  # until the reader is blocked
            if b"blocked_clients:1" in c.call("INFO", "clients"):
                break
        assert c.call("RESTORE", "x", "0", payload) == OK
        got.append(waiter.read())
        waiter.close()
    assert got[0] == got[1] and got[0] is not None
