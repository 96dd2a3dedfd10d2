#!/usr/bin/env python3
"""Seed corpus for fuzz/fuzz_restore: every DUMP payload of the recorded vectors
(../shared/vectors: key vectors of every type, hashes / sets / zsets included,
errors.json RESTORE arguments, seeds), plus small hand-built payloads of every
collection encoding the vectors have few of (ZSET with text scores, zipmaps,
intsets of each width, plain HASH / SET / ZSET_2 with int-encoded and LZF
elements), plus the hand-picked payloads of fuzz/seeds/*.hex (one hex payload
per line, '#' comments), one file per distinct payload (named by its SHA-1),
payloads up to --max-len bytes.
usage: fuzz_corpus.py --vectors DIR --out DIR [--max-len N]"""
import argparse
import hashlib
import json
import os
import struct


def payloads(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("dump_hex", "payload_hex", "redump_after_restore_hex", "redump_hex") and isinstance(v, str):
                yield bytes.fromhex(v)
            elif k == "command" and isinstance(v, list) and v and str(v[0]).upper() == "RESTORE":
                if len(v) > 3 and isinstance(v[3], dict) and "hex" in v[3]:
                    yield bytes.fromhex(v[3]["hex"])
            else:
                yield from payloads(v)
    elif isinstance(node, list):
        for v in node:
            yield from payloads(v)


def crc64_jones(data):
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x95AC9329AC4BC9B5 if crc & 1 else 0)
    return crc


def framed(body, ver):
    p = body + bytes([ver & 255, ver >> 8])
    return p + crc64_jones(p).to_bytes(8, "little")


def rstr(b):
    """An RDB string: int8 form for small canonical integers, else raw (< 64 bytes)."""
    if b.lstrip(b"-").isdigit() and str(int(b)).encode() == b and -128 <= int(b) <= 127:
        return b"\xc0" + struct.pack("<b", int(b))
    return bytes([len(b)]) + b


def lp_of(items):
    """A listpack of short strings (< 64 bytes) and small ints (0..127)."""
    body = b""
    for e in items:
        if isinstance(e, int):
            body += bytes([e, 1])
        else:
            body += bytes([0x80 | len(e)]) + e + bytes([1 + len(e)])
    total = 7 + len(body)
    return struct.pack("<IH", total, len(items)) + body + b"\xff"


def zl_of(items):
    """A ziplist of short strings (< 64 bytes)."""
    body, prev, tail = b"", 0, 10
    for e in items:
        tail = 10 + len(body)
        ent = bytes([prev, len(e)]) + e
        body += ent
        prev = len(ent)
    return struct.pack("<IIH", 11 + len(body), tail, len(items)) + body + b"\xff"


def lzf_literal(b):
    """An RDB LZF string holding b (< 32 bytes) as one literal run."""
    assert 0 < len(b) <= 32
    data = bytes([len(b) - 1]) + b
    return b"\xc3" + bytes([len(data), len(b)]) + data


def list_seeds():
    """Small valid payloads of the list encodings (rdb_list.c): plain LIST,
    LIST_ZIPLIST, multi-node LIST_QUICKLIST with an empty node,
    LIST_QUICKLIST_2 with PLAIN, PACKED and LZF nodes."""
    yield framed(b"\x01\x04" + rstr(b"a") + rstr(b"-7") + rstr(b"x" * 40) + b"\xc2" + struct.pack("<i", 70000), 4)
    yield framed(b"\x0a" + rstr(zl_of([b"p", b"qq", b"r" * 30])), 6)
    yield framed(b"\x0e\x03" + rstr(zl_of([b"a", b"b"])) + rstr(zl_of([])) + rstr(zl_of([b"c"])), 9)
    node = lp_of([b"k", 5, b"v" * 10])
    yield framed(b"\x12\x04\x01" + rstr(b"plain-element") + b"\x02" + rstr(node) + b"\x02" + lzf_literal(node) +
                 b"\x01" + lzf_literal(b"z" * 20), 10)


def collection_seeds():
    """Small valid payloads of the collection encodings (rdb_collections.h)."""
    members = [b"a", b"12", b"-7", b"long-member-" + b"x" * 30, b"m"]
    yield framed(b"\x02" + bytes([len(members)]) + b"".join(rstr(m) for m in members), 9)
    yield framed(b"\x04\x02" + rstr(b"f") + rstr(b"1") + rstr(b"g") + rstr(b"v" * 40), 10)
    zs = [(b"a", b"1.5"), (b"b", b"-3"), (b"c", None), (b"d", b"1e+300")]
    body = b"\x03" + bytes([len(zs)])
    for m, t in zs:
        body += rstr(m) + (b"\xfe" if t is None else bytes([len(t)]) + t)  # 254 = +inf
    yield framed(body, 4)
    body = b"\x05\x03"
    for m, d in ((b"z", 2.5), (b"y", -0.0), (b"x", -1e-300)):
        body += rstr(m) + struct.pack("<d", d)
    yield framed(body, 9)
    for width, vals in ((2, (-5, 7, 300)), (4, (-70000, 1, 70000)), (8, (-2**40, 0, 2**40))):
        fmt = {2: "<h", 4: "<i", 8: "<q"}[width]
        blob = struct.pack("<II", width, len(vals)) + b"".join(struct.pack(fmt, v) for v in vals)
        yield framed(b"\x0b" + bytes([len(blob)]) + blob, 6)
    zipmap = b"\x02" + b"\x01f\x01\x00v" + b"\x02gg\x03\x01www\x00" + b"\xff"  # f -> v, gg -> www (+1 free byte)
    yield framed(b"\x09" + bytes([len(zipmap)]) + zipmap, 3)
    yield from list_seeds()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vectors", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-len", type=int, default=65536)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    n = 0
    for root, _, files in os.walk(a.vectors):
        for f in sorted(files):
            if not f.endswith(".json"):
                continue
            with open(os.path.join(root, f)) as fh:
                doc = json.load(fh)
            for p in payloads(doc):
                if 0 < len(p) <= a.max_len:
                    name = os.path.join(a.out, hashlib.sha1(p).hexdigest())
                    if not os.path.exists(name):
                        with open(name, "wb") as out:
                            out.write(p)
                        n += 1
    for p in collection_seeds():
        name = os.path.join(a.out, hashlib.sha1(p).hexdigest())
        if not os.path.exists(name):
            with open(name, "wb") as out:
                out.write(p)
            n += 1
    seeds = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "seeds")
    for f in sorted(os.listdir(seeds)) if os.path.isdir(seeds) else []:
        if not f.endswith(".hex"):
            continue
        with open(os.path.join(seeds, f)) as fh:
            for line in fh:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                p = bytes.fromhex(line)
                name = os.path.join(a.out, hashlib.sha1(p).hexdigest())
                if 0 < len(p) <= a.max_len and not os.path.exists(name):
                    with open(name, "wb") as out:
                        out.write(p)
                    n += 1
    print("fuzz corpus: %d new payloads in %s" % (n, a.out))


if __name__ == "__main__":
    main()
