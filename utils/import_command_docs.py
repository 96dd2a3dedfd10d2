#!/usr/bin/python3
"""Import the command table of a running Redis into commands/*.json.

Reads `COMMAND INFO` (flags, arity, ACL categories, tips, key specs) and
`COMMAND DOCS` (summary, since, group, complexity, history, arguments, ...)
from a live server over RESP2 and writes one JSON file per command in the
declarative form Cairn's generator (utils/gen_commands.py) reads:
`commands/<name>.json`, and `commands/<container>-<name>.json` for a
subcommand.

Usage:
    /usr/bin/python3 utils/import_command_docs.py [--host H] [--port P]
        [--out commands] [--overwrite] [--only name,name...]

Existing files are left alone unless --overwrite is given: the JSON files
carry hand-maintained data a re-import must not silently undo: the Redis 7.2
changes (each listed in the file's "redis72_changes", with Redis's own
"history" entries where 7.2 has them), the flags COMMAND INFO never prints
(may_replicate, sentinel, protected, touches_arbitrary_keys) and
"get_keys_function".  Module commands and DEBUG's subcommands are skipped
(DEBUG itself is kept).

Needs the `redis` Python module (RESP2, decode_responses=True).
"""
import argparse
import json
import os
import sys

import redis

# Command flags that COMMAND INFO never prints; they cannot be imported and
# are added by hand where Redis sets them (see commands.h).
HIDDEN_FLAGS = ("may_replicate", "sentinel", "only_sentinel", "protected",
                "touches_arbitrary_keys")


def pairs(flat):
    """RESP2 flattens maps to [k1, v1, k2, v2, ...]; return a dict in order."""
    return {flat[i]: flat[i + 1] for i in range(0, len(flat), 2)}


def handler_name(fullname):
    """C handler of a command: camelCase of its full name + "Command".

    "get" -> getCommand, "config|get" -> configGetCommand,
    "client|no-evict" -> clientNoEvictCommand, "georadius_ro" -> georadiusRoCommand.
    """
    parts = []
    for piece in fullname.replace("|", " ").replace("-", " ").replace("_", " ").split():
        parts.append(piece.lower())
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:]) + "Command"


def convert_key_spec(raw):
    spec = pairs(raw)
    out = {}
    if "notes" in spec:
        out["notes"] = spec["notes"]
    out["flags"] = [f.upper() for f in spec["flags"]]
    bs = pairs(spec["begin_search"])
    bss = pairs(bs["spec"]) if bs.get("spec") else {}
    if bs["type"] == "index":
        out["begin_search"] = {"type": "index", "spec": {"index": bss["index"]}}
    elif bs["type"] == "keyword":
        out["begin_search"] = {"type": "keyword",
                               "spec": {"keyword": bss["keyword"], "startfrom": bss["startfrom"]}}
    else:
        out["begin_search"] = {"type": "unknown", "spec": {}}
    fk = pairs(spec["find_keys"])
    fks = pairs(fk["spec"]) if fk.get("spec") else {}
    if fk["type"] == "range":
        out["find_keys"] = {"type": "range", "spec": {"lastkey": fks["lastkey"],
                                                       "keystep": fks["keystep"],
                                                       "limit": fks["limit"]}}
    elif fk["type"] == "keynum":
        out["find_keys"] = {"type": "keynum", "spec": {"keynumidx": fks["keynumidx"],
                                                        "firstkey": fks["firstkey"],
                                                        "keystep": fks["keystep"]}}
    else:
        out["find_keys"] = {"type": "unknown", "spec": {}}
    return out


def convert_arg(raw):
    a = pairs(raw)
    out = {"name": a["name"], "type": a["type"]}
    if "display_text" in a:        # only where the server reports one
        out["display_text"] = a["display_text"]
    if "key_spec_index" in a:
        out["key_spec_index"] = a["key_spec_index"]
    for k in ("token", "summary", "since", "deprecated_since"):
        if k in a:
            out[k] = a[k]
    for f in a.get("flags", []):
        out[f] = True              # optional / multiple / multiple_token
    if "arguments" in a:
        out["arguments"] = [convert_arg(x) for x in a["arguments"]]
    return out


def build(info, docs, container=None):
    """One command (and, recursively, its subcommands) as JSON-ready dicts."""
    fullname = info[0]
    name = fullname.split("|", 1)[1] if container else fullname
    d = pairs(docs) if docs else {}
    cmd = {"name": name}
    if container:
        cmd["container"] = container
    for k in ("summary", "since", "group", "complexity"):
        if k in d:
            cmd[k] = d[k]
    if d.get("doc_flags"):
        cmd["doc_flags"] = list(d["doc_flags"])
    for k in ("deprecated_since", "replaced_by"):
        if k in d:
            cmd[k] = d[k]
    if d.get("history"):
        cmd["history"] = [list(h) for h in d["history"]]
    subs = info[9] if len(info) > 9 else []
    if not subs or fullname == "command":
        cmd["function"] = handler_name(fullname)
    cmd["arity"] = info[1]
    cmd["command_flags"] = list(info[2])
    cmd["acl_categories"] = list(info[6])
    if info[7]:
        cmd["tips"] = list(info[7])
    if info[8]:
        cmd["key_specs"] = [convert_key_spec(ks) for ks in info[8]]
    if d.get("arguments"):
        cmd["arguments"] = [convert_arg(x) for x in d["arguments"]]
    result = [(fullname, cmd)]
    if subs and not (fullname == "debug"):
        subdocs = pairs(d.get("subcommands", []))
        for sub in sorted(subs, key=lambda s: s[0]):
            result.extend(build(sub, subdocs.get(sub[0]), container=fullname))
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=7390)
    ap.add_argument("--out", default="commands")
    ap.add_argument("--overwrite", action="store_true")
    ap.add_argument("--only", default="", help="comma-separated top-level names")
    args = ap.parse_args()

    r = redis.Redis(host=args.host, port=args.port, decode_responses=True)  # RESP2
    conn = r.connection_pool.get_connection("COMMAND")
    try:
        conn.send_command("COMMAND", "INFO")
        infos = conn.read_response()
        conn.send_command("COMMAND", "DOCS")
        docs = pairs(conn.read_response())
    finally:
        r.connection_pool.release(conn)

    only = set(filter(None, args.only.split(",")))
    os.makedirs(args.out, exist_ok=True)
    written = skipped = 0
    for info in sorted(infos, key=lambda i: i[0]):
        if only and info[0] not in only:
            continue
        d = docs.get(info[0])
        if d and "module" in pairs(d):
            continue
        for fullname, cmd in build(info, d):
            path = os.path.join(args.out, fullname.replace("|", "-") + ".json")
            if os.path.exists(path) and not args.overwrite:
                skipped += 1
                continue
            with open(path, "w") as f:
                json.dump(cmd, f, indent=2, ensure_ascii=False)
                f.write("\n")
            written += 1
    print("wrote %d files, kept %d existing" % (written, skipped), file=sys.stderr)


if __name__ == "__main__":
    main()
