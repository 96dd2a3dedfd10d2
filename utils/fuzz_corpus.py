#!/usr/bin/env python3
"""Seed corpus for fuzz/fuzz_restore: every DUMP payload of the recorded vectors
(../shared/vectors: key vectors, errors.json RESTORE arguments, seeds), plus
the hand-picked payloads of fuzz/seeds/*.hex (one hex payload per line, '#'
comments), one file per distinct payload (named by its SHA-1), payloads up to --max-len bytes.
usage: fuzz_corpus.py --vectors DIR --out DIR [--max-len N]"""
import argparse
import hashlib
import json
import os


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
