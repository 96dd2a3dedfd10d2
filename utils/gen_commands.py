#!/usr/bin/python3
"""Generate Cairn's C command table from commands/*.json.

Usage:
    utils/gen_commands.py --commands commands --src src --out build/gen/commands_table.c

Reads every commands/<name>.json (one command or subcommand each, see
src/commands.h for the meaning of the fields) and greps src/*.c (main.c
excluded: it is not part of libcairn) for handler definitions
`void <name>Command(client *c) {`. A command is registered only when its
"function" is defined; a container command is registered when it has its own
defined handler or at least one registered subcommand, and only its
registered subcommands are listed. The output is the `commandTable` array
(top-level commands sorted by name, subcommands sorted by name) and
`commandTableCount`, for src/commands.c. With --assume-all every command is
registered as if implemented (used to check that the whole table compiles).

The output is deterministic (same inputs, same bytes) and is rewritten only
when it changes. Python 3 standard library only. Exits non-zero with a
message naming the file on malformed JSON.
"""
import argparse
import glob
import json
import os
import re
import sys

CMD_FLAGS = ["write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking", "loading",
             "stale", "skip_monitor", "skip_slowlog", "asking", "fast", "no_auth", "may_replicate", "sentinel",
             "only_sentinel", "no_mandatory_keys", "protected", "module_getkeys", "module_no_cluster",
             "no_async_loading", "no_multi", "movablekeys", "allow_busy", "module_getchannels",
             "touches_arbitrary_keys"]
CMD_FLAG_MACRO = {f: "CMD_" + ("MOVABLE_KEYS" if f == "movablekeys" else f.upper()) for f in CMD_FLAGS}
ACL_CATS = ["keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog",
            "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection",
            "transaction", "scripting"]
KEY_FLAGS = ["RO", "RW", "OW", "RM", "ACCESS", "UPDATE", "INSERT", "DELETE", "NOT_KEY", "INCOMPLETE",
             "VARIABLE_FLAGS"]
DOC_FLAGS = {"deprecated": "CMD_DOC_DEPRECATED", "syscmd": "CMD_DOC_SYSCMD"}
ARG_TYPES = {"string": "ARG_TYPE_STRING", "integer": "ARG_TYPE_INTEGER", "double": "ARG_TYPE_DOUBLE",
             "key": "ARG_TYPE_KEY", "pattern": "ARG_TYPE_PATTERN", "unix-time": "ARG_TYPE_UNIX_TIME",
             "pure-token": "ARG_TYPE_PURE_TOKEN", "oneof": "ARG_TYPE_ONEOF", "block": "ARG_TYPE_BLOCK"}
GROUPS = ["generic", "string", "list", "set", "sorted-set", "hash", "pubsub", "transactions", "connection",
          "server", "scripting", "hyperloglog", "cluster", "sentinel", "geo", "stream", "bitmap", "module"]
GETKEYS_PROCS = {"setGetKeys", "bitfieldGetKeys", "migrateGetKeys", "sortGetKeys", "sortRoGetKeys",
                 "georadiusGetKeys", "xreadGetKeys"}

HANDLER_RE = re.compile(r"^void[ \t]+([A-Za-z_][A-Za-z0-9_]*Command)[ \t]*\([ \t]*client[ \t]*\*[ \t]*"
                        r"[A-Za-z_][A-Za-z0-9_]*[ \t]*\)\s*\{", re.M)


class GenError(Exception):
    pass


def cstr(s):
    """A C string literal (or NULL) for `s`; non-printable bytes as octal escapes."""
    if s is None:
        return "NULL"
    out = ['"']
    for b in s.encode("utf-8"):
        ch = chr(b)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 32 <= b < 127 and ch != "?":
            out.append(ch)
        else:
            out.append("\\%03o" % b)
    out.append('"')
    return "".join(out)


def ident(s):
    return re.sub(r"[^A-Za-z0-9]", "_", s)


def find_handlers(src):
    names = set()
    for path in sorted(glob.glob(os.path.join(src, "*.c"))):
        if os.path.basename(path) == "main.c":
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            names.update(HANDLER_RE.findall(f.read()))
    return names


def load_commands(directory):
    tops, subs = {}, {}
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        try:
            with open(path, encoding="utf-8") as f:
                d = json.load(f)
        except ValueError as e:
            raise GenError("%s: %s" % (path, e))
        if not isinstance(d, dict) or "name" not in d or "arity" not in d:
            raise GenError("%s: needs at least \"name\" and \"arity\"" % path)
        d["_path"] = path
        if "container" in d:
            subs.setdefault(d["container"].lower(), []).append(d)
        else:
            if d["name"].lower() in tops:
                raise GenError("%s: duplicate command %s" % (path, d["name"]))
            tops[d["name"].lower()] = d
    for container, lst in subs.items():
        if container not in tops:
            raise GenError("%s: container %s has no JSON file" % (lst[0]["_path"], container))
    return tops, subs


class Writer:
    def __init__(self):
        self.decls = []   # static arrays, in dependency order
        self.counter = 0

    def uniq(self, base):
        self.counter += 1
        return "%s_%d" % (ident(base), self.counter)

    def bits(self, values, table, prefix, path, what):
        out = []
        for v in values:
            if v not in table:
                raise GenError("%s: unknown %s %r" % (path, what, v))
            out.append(table[v] if isinstance(table, dict) else prefix + v.upper())
        return "|".join(out) if out else "0"

    def strings(self, base, items):
        name = self.uniq(base)
        self.decls.append("static const char *const %s[] = {%s};" % (name, ", ".join(cstr(s) for s in items)))
        return name

    def keyspecs(self, base, specs, path):
        entries = []
        for ks in specs:
            fl = ks.get("flags", [])
            for f in fl:
                if f not in KEY_FLAGS:
                    raise GenError("%s: unknown key spec flag %r" % (path, f))
            flags = "|".join("CMD_KEY_" + f for f in fl) or "0"
            bs, fk = ks.get("begin_search", {}), ks.get("find_keys", {})
            bss, fks = bs.get("spec", {}), fk.get("spec", {})
            if bs.get("type") == "index":
                b = ".bs_type = KSPEC_BS_INDEX, .bs.index = {%d}" % int(bss["index"])
            elif bs.get("type") == "keyword":
                b = ".bs_type = KSPEC_BS_KEYWORD, .bs.keyword = {%s, %d}" % (cstr(bss["keyword"]),
                                                                             int(bss["startfrom"]))
            elif bs.get("type") == "unknown":
                b = ".bs_type = KSPEC_BS_UNKNOWN"
            else:
                raise GenError("%s: bad begin_search %r" % (path, bs))
            if fk.get("type") == "range":
                f = ".fk_type = KSPEC_FK_RANGE, .fk.range = {%d, %d, %d}" % (
                    int(fks["lastkey"]), int(fks["keystep"]), int(fks["limit"]))
            elif fk.get("type") == "keynum":
                f = ".fk_type = KSPEC_FK_KEYNUM, .fk.keynum = {%d, %d, %d}" % (
                    int(fks["keynumidx"]), int(fks["firstkey"]), int(fks["keystep"]))
            elif fk.get("type") == "unknown":
                f = ".fk_type = KSPEC_FK_UNKNOWN"
            else:
                raise GenError("%s: bad find_keys %r" % (path, fk))
            entries.append("    {.notes = %s, .flags = %s, %s, %s}," % (cstr(ks.get("notes")), flags, b, f))
        name = self.uniq(base + "_keyspecs")
        self.decls.append("static const keySpec %s[] = {\n%s\n};" % (name, "\n".join(entries)))
        return name

    def args(self, base, args, path):
        entries = []
        for a in args:
            if a.get("type") not in ARG_TYPES:
                raise GenError("%s: argument %r has unknown type %r" % (path, a.get("name"), a.get("type")))
            sub, nsub = "NULL", 0
            if a.get("arguments"):
                sub = self.args(base + "_" + a["name"], a["arguments"], path)
                nsub = len(a["arguments"])
            fl = [m for k, m in (("optional", "CMD_ARG_OPTIONAL"), ("multiple", "CMD_ARG_MULTIPLE"),
                                 ("multiple_token", "CMD_ARG_MULTIPLE_TOKEN")) if a.get(k)]
            entries.append(
                "    {.name = %s, .type = %s, .key_spec_index = %d, .token = %s, .summary = %s, .since = %s, "
                ".flags = %s, .deprecated_since = %s, .display_text = %s, .subargs = %s, .num_args = %d}," % (
                    cstr(a["name"]), ARG_TYPES[a["type"]], int(a.get("key_spec_index", -1)), cstr(a.get("token")),
                    cstr(a.get("summary")), cstr(a.get("since")), "|".join(fl) or "0",
                    cstr(a.get("deprecated_since")), cstr(a.get("display_text")), sub, nsub))
        name = self.uniq(base + "_args")
        self.decls.append("static const commandArg %s[] = {\n%s\n};" % (name, "\n".join(entries)))
        return name

    def command(self, d, fullname, handlers, subtable=None, nsub=0):
        path = d["_path"]
        base = ident(fullname)
        hist = "NULL"
        if d.get("history"):
            flat = []
            for h in d["history"]:
                if len(h) != 2:
                    raise GenError("%s: history entries are [version, text]" % path)
                flat.extend(h)
            hist = self.strings(base + "_history", flat)
        tips = self.strings(base + "_tips", d["tips"]) if d.get("tips") else "NULL"
        ks = self.keyspecs(base, d["key_specs"], path) if d.get("key_specs") else "NULL"
        args = self.args(base, d["arguments"], path) if d.get("arguments") else "NULL"
        if d.get("group") is not None and d["group"] not in GROUPS:
            raise GenError("%s: unknown group %r" % (path, d["group"]))
        flags = self.bits(d.get("command_flags", []), CMD_FLAG_MACRO, "", path, "command flag")
        cats = []
        for c in d.get("acl_categories", []):
            c = c.lstrip("@").lower()
            if c not in ACL_CATS:
                raise GenError("%s: unknown ACL category %r" % (path, c))
            cats.append("ACL_CATEGORY_" + c.upper())
        docf = self.bits(d.get("doc_flags", []), DOC_FLAGS, "", path, "doc flag")
        fn = d.get("function")
        proc = fn if fn and fn in handlers else "NULL"
        gk = d.get("get_keys_function")
        if gk is not None and gk not in GETKEYS_PROCS:
            raise GenError("%s: unknown get_keys_function %r" % (path, gk))
        return ("    {.declared_name = %s, .fullname = %s, .summary = %s, .since = %s, .group = %s, "
                ".complexity = %s, .deprecated_since = %s, .replaced_by = %s, .doc_flags = %s,\n"
                "     .history = %s, .num_history = %d, .tips = %s, .num_tips = %d, .proc = %s, .arity = %d,\n"
                "     .flags = %s, .acl_categories = %s,\n"
                "     .key_specs = %s, .key_specs_num = %d, .args = %s, .num_args = %d, .getkeys_proc = %s,\n"
                "     .subcommands = %s, .num_subcommands = %d}," % (
                    cstr(d["name"].lower()), cstr(fullname), cstr(d.get("summary")), cstr(d.get("since")),
                    cstr(d.get("group")), cstr(d.get("complexity")), cstr(d.get("deprecated_since")),
                    cstr(d.get("replaced_by")), docf, hist, len(d.get("history", [])), tips,
                    len(d.get("tips", [])), proc, int(d["arity"]), flags, "|".join(cats) or "0", ks,
                    len(d.get("key_specs", [])), args, len(d.get("arguments", [])), gk or "NULL",
                    subtable or "NULL", nsub))


def generate(commands_dir, src_dir, assume_all=False):
    tops, subs = load_commands(commands_dir)
    if assume_all:
        handlers = {d.get("function") for d in tops.values()} | \
                   {s.get("function") for lst in subs.values() for s in lst}
        handlers.discard(None)
    else:
        handlers = find_handlers(src_dir)
    w = Writer()
    top_entries, used_procs = [], set()
    for name in sorted(tops):
        d = tops[name]
        children = [s for s in sorted(subs.get(name, []), key=lambda s: s["name"].lower())
                    if s.get("function") in handlers]
        own = d.get("function") in handlers
        if not own and not children:
            continue
        subtable, nsub = None, 0
        if children:
            entries = []
            for s in children:
                entries.append(w.command(s, name + "|" + s["name"].lower(), handlers))
                used_procs.add(s["function"])
            subtable = w.uniq(name + "_subcommands")
            w.decls.append("static command %s[] = {\n%s\n};" % (subtable, "\n".join(entries)))
            nsub = len(children)
        if own:
            used_procs.add(d["function"])
        top_entries.append(w.command(d, name, handlers, subtable, nsub))

    out = ["/* Generated by utils/gen_commands.py from commands/<name>.json: do not edit. */",
           '#include "commands.h"', ""]
    out += ["void %s(client *c);" % p for p in sorted(used_procs)]
    out.append("")
    out += w.decls
    out.append("")
    out.append("command commandTable[] = {")
    out += top_entries
    out.append("    {0}")  # never counted: keeps the array non-empty
    out.append("};")
    out.append("const int commandTableCount = %d;" % len(top_entries))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description="Generate the C command table from commands/*.json.")
    ap.add_argument("--commands", default="commands")
    ap.add_argument("--src", default="src")
    ap.add_argument("--out", required=True)
    ap.add_argument("--assume-all", action="store_true",
                    help="register every command as if its handler existed (to check the whole table compiles)")
    args = ap.parse_args()
    try:
        text = generate(args.commands, args.src, args.assume_all)
    except GenError as e:
        print("gen_commands.py: %s" % e, file=sys.stderr)
        return 1
    old = None
    if os.path.exists(args.out):
        with open(args.out, encoding="utf-8") as f:
            old = f.read()
    if old != text:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        tmp = args.out + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
