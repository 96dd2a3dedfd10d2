"""COMMAND introspection compared with the real redis-server 7.0.15.

For every command Cairn implements (whatever COMMAND LIST reports), COMMAND
INFO / DOCS / COUNT / LIST / GETKEYS / GETKEYSANDFLAGS / HELP must give the
same replies as Redis, over RESP2 and RESP3 (types included), once the
Redis 7.0 replies are adjusted for the Redis 7.2 changes Cairn's command table
carries. Those changes are listed here, in CHANGES_72 / NEW_72, and are the
only differences allowed:

  flags    blmove blpop brpop brpoplpush bzpopmax bzpopmin wait: no "noscript"
           (7.2 allows them in scripts); cluster|shards cluster|slots: "loading"
  arity    command|getkeys command|getkeysandflags: -3 (was -4);
           zrank zrevrank: -3 (WITHSCORE)
  tips     acl|deluser acl|save acl|setuser client|setname config|resetstat
           config|rewrite: request_policy:all_nodes response_policy:all_succeeded;
           latency|reset: response_policy agg_sum; msetnx: none;
           randomkey scan: response_policy:special added
  docs     history entries for acl|log xinfo|consumers xinfo|stream zrank zrevrank;
           client|pause since 3.0.0; psetex setex setnx quit deprecated;
           zrank zrevrank WITHSCORE argument; command|getkeys(andflags) arguments
  new      waitaof client|no-touch client|setinfo cluster|myshardid

Redis lists commands in hash-table order and Cairn in name order, so the
order of whole-table replies and of subcommand lists is not compared.
"""
import fnmatch

import pytest

from conftest import RawClient

# ---- typed reply helpers (RawClient values) ---------------------------------

FLAG_ORDER = ["write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking", "loading",
              "stale", "skip_monitor", "skip_slowlog", "asking", "fast", "no_auth", "no_mandatory_keys",
              "no_async_loading", "no_multi", "movablekeys", "allow_busy"]
DOC_KEY_ORDER = ["summary", "since", "group", "complexity", "module", "doc_flags", "deprecated_since",
                 "replaced_by", "history", "arguments", "subcommands"]


def elems(x):
    """Elements of an array / set / map reply (maps: flat k, v list)."""
    if isinstance(x, tuple) and x[0] in ("set", "map", "push"):
        return x[1]
    assert isinstance(x, list), x
    return x


def like(model, items, resp, kind):
    """An aggregate of `kind` ("set", "map", "array") as `resp` would send it."""
    if resp == 3 and kind in ("set", "map"):
        return (kind, items)
    return items


def pairs(m):
    e = elems(m)
    return [(e[i].decode(), e[i + 1]) for i in range(0, len(e), 2)]


def mkmap(pairs_, resp):
    flat = []
    for k, v in pairs_:
        flat += [k.encode(), v]
    return like(None, flat, resp, "map")


def status_set(names, resp):
    return like(None, [("status", n.encode()) for n in names], resp, "set")


def bulk_set(names, resp):
    return like(None, [n.encode() for n in names], resp, "set")


# ---- the Redis 7.2 changes --------------------------------------------------------

def info_change(resp, flags_remove=(), flags_add=(), arity=None, tips=None):
    def apply(entry):
        entry = list(entry)
        if flags_remove or flags_add:
            fl = [s[1].decode() for s in elems(entry[2])]
            fl = [f for f in fl if f not in flags_remove] + list(flags_add)
            fl.sort(key=FLAG_ORDER.index)
            entry[2] = status_set(fl, resp)
        if arity is not None:
            entry[1] = arity
        if tips is not None:
            entry[7] = bulk_set(tips, resp)
        return entry
    return apply


def arg(resp, name, type_, token=None, flags=()):
    p = [("name", name.encode()), ("type", type_.encode())]
    if token:
        p.append(("token", token.encode()))
    if flags:
        p.append(("flags", status_set(flags, resp)))
    return mkmap(p, resp)


def docs_change(resp, history=None, since=None, deprecated=None, add_args=None, set_args=None):
    def apply(doc):
        d = dict(pairs(doc))
        if history:
            h = list(elems(d["history"])) if "history" in d else []
            h.append([history[0].encode(), history[1].encode()])
            d["history"] = like(None, h, resp, "set")
        if since:
            d["since"] = since.encode()
        if deprecated:
            d["doc_flags"] = status_set(["deprecated"], resp)
            d["deprecated_since"] = deprecated[0].encode()
            d["replaced_by"] = deprecated[1].encode()
        if add_args:
            d["arguments"] = list(elems(d["arguments"])) + add_args(resp)
        if set_args:
            d["arguments"] = set_args(resp)
        return mkmap([(k, d[k]) for k in DOC_KEY_ORDER if k in d], resp)
    return apply


ALL_NODES = ["request_policy:all_nodes", "response_policy:all_succeeded"]


def changes_72(resp):
    """fullname -> (INFO entry transform, DOCS map transform) turning 7.0 into 7.2."""
    c = {}
    for n in ["blmove", "blpop", "brpop", "brpoplpush", "bzpopmax", "bzpopmin", "wait"]:
        c[n] = (info_change(resp, flags_remove=["noscript"]), None)
    for n in ["cluster|shards", "cluster|slots"]:
        c[n] = (info_change(resp, flags_add=["loading"]), None)
    getkeys_args = lambda r: [arg(r, "command", "string"), arg(r, "arg", "string", flags=["optional", "multiple"])]
    for n in ["command|getkeys", "command|getkeysandflags"]:
        c[n] = (info_change(resp, arity=-3), docs_change(resp, set_args=getkeys_args))
    withscore = lambda r: [arg(r, "withscore", "pure-token", token="WITHSCORE", flags=["optional"])]
    for n in ["zrank", "zrevrank"]:
        c[n] = (info_change(resp, arity=-3),
                docs_change(resp, history=("7.2.0", "Added the optional `WITHSCORE` argument."), add_args=withscore))
    for n in ["acl|deluser", "acl|save", "acl|setuser", "client|setname", "config|resetstat", "config|rewrite"]:
        c[n] = (info_change(resp, tips=ALL_NODES), None)
    c["latency|reset"] = (info_change(resp, tips=["request_policy:all_nodes", "response_policy:agg_sum"]), None)
    c["msetnx"] = (info_change(resp, tips=[]), None)
    c["randomkey"] = (info_change(resp, tips=["request_policy:all_shards", "response_policy:special",
                                              "nondeterministic_output"]), None)
    c["scan"] = (info_change(resp, tips=["nondeterministic_output", "request_policy:special",
                                         "response_policy:special"]), None)
    c["acl|log"] = (None, docs_change(resp, history=("7.2.0", "Added entry ID, timestamp created, and timestamp "
                                                               "last updated.")))
    c["xinfo|consumers"] = (None, docs_change(resp, history=("7.2.0", "Added the `inactive` field.")))
    c["xinfo|stream"] = (None, docs_change(resp, history=("7.2.0", "Added the `active-time` field, and changed "
                                                                   "the meaning of `seen-time`.")))
    c["client|pause"] = (None, docs_change(resp, since="3.0.0"))
    c["psetex"] = (None, docs_change(resp, deprecated=("2.6.12", "`SET` with the `PX` argument")))
    c["setex"] = (None, docs_change(resp, deprecated=("2.6.12", "`SET` with the `EX` argument")))
    c["setnx"] = (None, docs_change(resp, deprecated=("2.6.12", "`SET` with the `NX` argument")))
    c["quit"] = (None, docs_change(resp, deprecated=("7.2.0", "just closing the connection")))
    return c


def new_72(resp):
    """Commands that are new in 7.2: fullname -> (INFO entry, DOCS map, ACL categories)."""
    def info(name, arity, flags, cats, tips):
        return [name.encode(), arity, status_set(flags, resp), 0, 0, 0, status_set(["@" + x for x in cats], resp),
                bulk_set(tips, resp), like(None, [], resp, "set"), like(None, [], resp, "set")]

    def docs(summary, group, args):
        p = [("summary", summary.encode()), ("since", b"7.2.0"), ("group", group.encode()), ("complexity", b"O(1)")]
        if args:
            p.append(("arguments", args))
        return mkmap(p, resp)

    onoff = [arg(resp, "on", "pure-token", token="ON"), arg(resp, "off", "pure-token", token="OFF")]
    libs = [arg(resp, "libname", "string", token="LIB-NAME"), arg(resp, "libver", "string", token="LIB-VER")]
    return {
        "waitaof": (info("waitaof", 4, ["noscript"], ["slow", "connection"],
                         ["request_policy:all_shards", "response_policy:agg_min"]),
                    docs("Blocks until all of the preceding write commands sent by the connection are written to "
                         "the append-only file of the master and/or replicas.", "generic",
                         [arg(resp, "numlocal", "integer"), arg(resp, "numreplicas", "integer"),
                          arg(resp, "timeout", "integer")]),
                    ["slow", "connection"]),
        "client|no-touch": (info("client|no-touch", 3, ["noscript", "loading", "stale"], ["slow", "connection"], []),
                            docs("Controls whether commands sent by the client affect the LRU/LFU of accessed "
                                 "keys.", "connection",
                                 [mkmap([("name", b"enabled"), ("type", b"oneof"), ("arguments", onoff)], resp)]),
                            ["slow", "connection"]),
        "client|setinfo": (info("client|setinfo", 4, ["noscript", "loading", "stale"], ["slow", "connection"],
                                ALL_NODES),
                           docs("Sets information specific to the client or connection.", "connection",
                                [mkmap([("name", b"attr"), ("type", b"oneof"), ("arguments", libs)], resp)]),
                           ["slow", "connection"]),
        "cluster|myshardid": (info("cluster|myshardid", 2, ["stale"], ["slow"], ["nondeterministic_output"]),
                              docs("Returns the shard ID of a node.", "cluster", None),
                              ["slow"]),
    }


NEW_72_NAMES = set(new_72(2))


# ---- fixtures ------------------------------------------------------------------------

@pytest.fixture(scope="module", params=[2, 3], ids=["resp2", "resp3"])
def pair(request, cairn_server, redis_server):
    a = RawClient(cairn_server.port, resp=request.param)
    b = RawClient(redis_server.port, resp=request.param)
    yield a, b, request.param
    a.close()
    b.close()


def info_by_name(entries):
    return {e[0].decode(): e for e in entries if e is not None}


@pytest.fixture(scope="module")
def implemented(cairn_server):
    """Full names Cairn implements (COMMAND LIST), and its top-level names."""
    c = RawClient(cairn_server.port)
    names = [n.decode() for n in c.call("COMMAND", "LIST")]
    c.close()
    return set(names), {n for n in names if "|" not in n}


# ---- COMMAND INFO -------------------------------------------------------------------------

def expected_info(name, redis_entry, impl, resp):
    """What Cairn must answer for `name`, from Redis 7.0's entry."""
    new = new_72(resp)
    if name in new:
        return new[name][0]
    assert redis_entry is not None, "Redis 7.0 has no command %s" % name
    entry = list(redis_entry)
    fix = changes_72(resp).get(name, (None, None))[0]
    if fix:
        entry = fix(entry)
    subs = elems(entry[9])
    if subs:
        mine = []
        for s in subs:
            sname = s[0].decode()
            if sname in impl:
                mine.append(expected_info(sname, s, impl, resp))
        for sname in sorted(n for n in new if n.startswith(name + "|") and n in impl):
            mine.append(new[sname][0])
        mine.sort(key=lambda e: e[0])
        entry[9] = mine
    return entry


def normalise_info(entry):
    """Sort a container's subcommand list by name (Redis keeps hash order)."""
    entry = list(entry)
    if isinstance(entry[9], list) and entry[9]:
        entry[9] = sorted((normalise_info(s) for s in entry[9]), key=lambda e: e[0])
    return entry


def test_command_info_every_command(pair, implemented):
    cairn, redis_, resp = pair
    impl, tops = implemented
    mine = info_by_name(cairn.call("COMMAND", "INFO"))
    assert set(mine) == tops
    for name in sorted(tops):
        ref = redis_.call("COMMAND", "INFO", name)[0]
        assert normalise_info(mine[name]) == expected_info(name, ref, impl, resp), name
        # asking for it by name gives the same entry
        assert cairn.call("COMMAND", "INFO", name.upper()) == [mine[name]]


def test_command_info_subcommands_by_name(pair, implemented):
    cairn, redis_, resp = pair
    impl, _ = implemented
    for name in sorted(n for n in impl if "|" in n):
        mine = cairn.call("COMMAND", "INFO", name)
        assert len(mine) == 1 and mine[0] is not None, name
        ref = redis_.call("COMMAND", "INFO", name)[0]
        assert mine[0] == expected_info(name, ref, impl, resp), name


def test_command_without_args_is_info_of_all(pair, implemented):
    cairn, _, _ = pair
    a = cairn.call("COMMAND")
    b = cairn.call("COMMAND", "INFO")
    assert a == b
    assert len(a) == len(implemented[1])


def test_command_info_unknown_names(pair):
    cairn, redis_, _ = pair
    for args in [("nosuchcommand",), ("get|x",), ("config|nosuch",), ("nosuch", "command"), ("command|",)]:
        mine = cairn.call("COMMAND", "INFO", *args)
        ref = redis_.call("COMMAND", "INFO", *args)
        assert [e is None for e in mine] == [e is None for e in ref], args
        assert mine[0] is None


# ---- COMMAND DOCS ----------------------------------------------------------------------------

def expected_docs(name, redis_docs, impl, resp):
    new = new_72(resp)
    if name in new:
        return new[name][1]
    doc = redis_docs
    fix = changes_72(resp).get(name, (None, None))[1]
    if fix:
        doc = fix(doc)
    d = pairs(doc)
    out = []
    for k, v in d:
        if k == "subcommands":
            subs = []
            for sk, sv in pairs(v):
                if sk in impl:
                    subs.append((sk, expected_docs(sk, sv, impl, resp)))
            for sname in (n for n in new if n.startswith(name + "|") and n in impl):
                subs.append((sname, new[sname][1]))
            subs.sort()
            v = mkmap(subs, resp)
        out.append((k, v))
    return mkmap(out, resp)


def normalise_docs(doc, resp):
    out = []
    for k, v in pairs(doc):
        if k == "subcommands":
            v = mkmap(sorted((sk, normalise_docs(sv, resp)) for sk, sv in pairs(v)), resp)
        out.append((k, v))
    return mkmap(out, resp)


def test_command_docs_every_command(pair, implemented):
    cairn, redis_, resp = pair
    impl, tops = implemented
    mine = dict(pairs(cairn.call("COMMAND", "DOCS")))
    assert set(mine) == tops
    for name in sorted(tops):
        ref = dict(pairs(redis_.call("COMMAND", "DOCS", name))).get(name)
        assert normalise_docs(mine[name], resp) == expected_docs(name, ref, impl, resp), name
    for name in sorted(n for n in impl if "|" in n):
        got = pairs(cairn.call("COMMAND", "DOCS", name.upper()))
        assert [k for k, _ in got] == [name]
        ref = dict(pairs(redis_.call("COMMAND", "DOCS", name))).get(name)
        assert got[0][1] == expected_docs(name, ref, impl, resp), name


def test_command_docs_unknown_and_mixed(pair, implemented):
    cairn, redis_, resp = pair
    assert pairs(cairn.call("COMMAND", "DOCS", "nosuchcommand")) == []
    assert cairn.call("COMMAND", "DOCS", "nosuchcommand") == redis_.call("COMMAND", "DOCS", "nosuchcommand")
    got = pairs(cairn.call("COMMAND", "DOCS", "nosuch", "command", "get|x", "command|count"))
    assert [k for k, _ in got] == ["command", "command|count"]


# ---- COMMAND COUNT / LIST ---------------------------------------------------------------------

def test_command_count(pair, implemented):
    cairn, _, _ = pair
    assert cairn.call("COMMAND", "COUNT") == len(implemented[1])
    assert cairn.call("COMMAND", "COUNT", "x")[0] == "error"


def redis_list(redis_, *args):
    return [n.decode() for n in redis_.call("COMMAND", "LIST", *args)]


def test_command_list(pair, implemented):
    cairn, redis_, resp = pair
    impl, tops = implemented
    new = new_72(resp)
    mine = [n.decode() for n in cairn.call("COMMAND", "LIST")]
    assert len(mine) == len(set(mine)) == len(impl)
    ref = set(redis_list(redis_))
    assert set(mine) <= ref | set(new)
    # every container is followed by its own subcommands
    for i, n in enumerate(mine):
        if "|" in n:
            parent = n.split("|")[0]
            j = i - 1
            while "|" in mine[j]:
                j -= 1
            assert mine[j] == parent, n


CATEGORIES = ["keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog",
              "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection",
              "transaction", "scripting"]


def test_command_list_filters(pair, implemented):
    cairn, redis_, resp = pair
    impl, _ = implemented
    new = new_72(resp)
    for cat in CATEGORIES + ["KeySpace", "nosuchcategory"]:
        mine = [n.decode() for n in cairn.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", cat)]
        want = {n for n in redis_list(redis_, "FILTERBY", "ACLCAT", cat) if n in impl}
        want |= {n for n, v in new.items() if n in impl and cat.lower() in v[2]}
        assert sorted(mine) == sorted(want), cat
    for pattern in ["*", "c*", "CONFIG*", "*|*", "?et", "[a-c]*", "*e*t", "nomatch*"]:
        mine = [n.decode() for n in cairn.call("COMMAND", "LIST", "FILTERBY", "PATTERN", pattern)]
        want = {n for n in redis_list(redis_, "FILTERBY", "PATTERN", pattern) if n in impl}
        want |= {n for n in new if n in impl and fnmatch.fnmatchcase(n, pattern.lower())}
        assert sorted(mine) == sorted(want), pattern
    assert cairn.call("COMMAND", "LIST", "FILTERBY", "MODULE", "x") == []
    for bad in [("FILTERBY",), ("x",), ("FILTERBY", "foo", "x"), ("FILTERBY", "ACLCAT"),
                ("FILTERBY", "ACLCAT", "read", "extra"), ("x", "ACLCAT", "read")]:
        a = cairn.call("COMMAND", "LIST", *bad)
        assert a == redis_.call("COMMAND", "LIST", *bad), bad
        assert a == ("error", b"ERR syntax error")


# ---- COMMAND GETKEYS / GETKEYSANDFLAGS -----------------------------------------------------------

TRICKY = [
    "get k", "get", "get a b", "mget a b c", "mset a 1 b 2", "mset a 1 b", "msetnx a 1 b 2", "del a b c",
    "set k v", "set k v get", "set k v ex 10 GET", "set k get", "bitfield k", "bitfield k get u8 0",
    "bitfield k get u8 0 set u8 0 1", "bitfield k incrby u8 0 1", "bitfield k get u8", "bitfield_ro k get u8 0",
    "lmove a b left right", "blmove a b left right 0", "rename a b", "renamenx a b", "copy a b", "copy a b db 1",
    "blpop a b 0", "brpop a 0", "bzpopmin a b 0", "lmpop 2 a b left", "lmpop 3 a b left", "lmpop 0 a left",
    "blmpop 0 2 a b left count 1", "zmpop 1 a min", "bzmpop 0 1 a max", "sintercard 2 a b", "sintercard 2 a",
    "zunionstore d 2 a b", "zunionstore d 2 a", "zunionstore d -1 a", "zunionstore d x a", "zinterstore d 1 a",
    "zdiffstore d 2 a b", "zunion 2 a b", "zinter 1 a withscores", "zdiff 2 a b", "zintercard 2 a b limit 1",
    "eval s 0", "eval s 1 a", "eval s 2 a", "eval s -1", "evalsha x 2 a b c", "eval_ro s 1 a", "fcall f 1 a",
    "fcall_ro f 0", "xread streams a 0", "xread count 2 streams a b 0 0", "xread streams a b 0",
    "xread block 0 streams a 0", "xreadgroup group g c streams a 0", "xreadgroup group g c noack streams a b 0 0",
    "xreadgroup group g c streams", "xadd s * f v", "xgroup create s g $", "xinfo stream s", "xinfo groups s",
    "sort k", "sort k store d", "sort k by x get y store d limit 0 1", "sort k store a store b", "sort_ro k by x",
    "sort k store", "migrate h p k 0 5", "migrate h p \"\" 0 5 keys a b", "migrate h p \"\" 0 5 auth x keys a",
    "migrate h p k 0 5 copy replace", "georadius k 1 2 3 m", "georadius k 1 2 3 m store a",
    "georadius k 1 2 3 m store a storedist b", "georadius k 1 2 3 m storedist", "georadiusbymember k m 3 km store d",
    "georadius_ro k 1 2 3 m", "geosearchstore d s frommember m byradius 1 m", "object encoding k",
    "object freq k", "memory usage k", "memory usage k samples 5", "pfcount a b", "pfmerge d a b", "watch a b",
    "publish ch m", "spublish ch m", "ssubscribe a b", "subscribe a", "ping", "ping x", "exec", "config get x",
    "client list", "command info", "nosuch a", "object nosuch k", "object", "memory", "lcs a b", "lcs a",
    "getrange k 0 1", "setrange k 0 v", "append k v", "expire k 10", "ttl k", "exists a b", "touch a",
    "unlink a b", "type k", "dump k", "restore k 0 v", "restore k 0 v replace", "hset h f v", "hgetall h",
    "sadd s a", "smove a b m", "sdiffstore d a b", "zadd z 1 a", "zrangestore d s 0 1", "lpush l a", "rpoplpush a b",
    "brpoplpush a b 0", "linsert l before a b", "incr k", "getex k persist", "getdel k", "psetex k 10 v",
    "setex k 10 v", "setnx k v", "substr k 0 1", "randomkey", "keys *", "scan 0", "dbsize", "move k 1",
    "persist k", "pexpire k 1", "expiretime k", "hello", "select 0", "flushall", "swapdb 0 1",
]


def getkeys_cases(impl):
    """Requests (after COMMAND GETKEYS) for the commands Cairn implements."""
    cases = []
    for line in TRICKY:
        words = [w if w != '""' else "" for w in line.split()]
        cases.append(words)
    # every implemented command, with 1..4 filler arguments and numeric ones
    for name in sorted(impl):
        head = name.split("|")
        for fill in (["a"], ["a", "b"], ["a", "b", "c"], ["a", "b", "c", "d"], ["1", "a"], ["2", "a", "b", "c"]):
            cases.append(head + fill)
    return cases


def test_getkeys_matches_redis(pair, implemented):
    cairn, redis_, resp = pair
    impl, tops = implemented
    for words in getkeys_cases(impl):
        if not words or words[0].lower() not in tops:
            continue
        if len(words) == 1:
            continue  # arity of GETKEYS itself changed in 7.2: checked below
        if words[0].lower() in ("zrank", "zrevrank") and len(words) != 3:
            continue  # arity changed in 7.2: checked below
        new = words[0].lower() in NEW_72_NAMES or "|".join(words[:2]).lower() in NEW_72_NAMES
        for sub in ("GETKEYS", "GETKEYSANDFLAGS"):
            a = cairn.call("COMMAND", sub, *words)
            if new:  # not in Redis 7.0; none of them has keys
                assert a == ("error", b"ERR The command has no key arguments"), (sub, words)
                continue
            b = redis_.call("COMMAND", sub, *words)
            assert a == b, (sub, words)


def test_getkeys_errors(pair, implemented):
    cairn, _, _ = pair
    impl, tops = implemented
    E = lambda msg: ("error", msg.encode())
    assert cairn.call("COMMAND", "GETKEYS") == E("ERR wrong number of arguments for 'command|getkeys' command")
    assert cairn.call("COMMAND", "GETKEYSANDFLAGS") == \
        E("ERR wrong number of arguments for 'command|getkeysandflags' command")
    for sub in ("GETKEYS", "GETKEYSANDFLAGS"):
        # 7.2: one word is enough to get an answer
        assert cairn.call("COMMAND", sub, "nosuchcmd") == E("ERR Invalid command specified")
        assert cairn.call("COMMAND", sub, "nosuchcmd", "a") == E("ERR Invalid command specified")
        assert cairn.call("COMMAND", sub, "command") == E("ERR The command has no key arguments")
        assert cairn.call("COMMAND", sub, "command", "nosuch") == E("ERR Invalid command specified")
        assert cairn.call("COMMAND", sub, "command", "info", "x") == E("ERR The command has no key arguments")
        if "get" in tops:
            assert cairn.call("COMMAND", sub, "get") == E("ERR Invalid number of arguments specified for command")
            assert cairn.call("COMMAND", sub, "GET", "a", "b") == \
                E("ERR Invalid number of arguments specified for command")
        if "zunionstore" in tops:
            assert cairn.call("COMMAND", sub, "zunionstore", "d", "5", "a") == \
                E("ERR Invalid arguments specified for command")
        if "eval" in tops:
            assert cairn.call("COMMAND", sub, "eval", "s", "5", "a") == []
        if "zrank" in tops:
            want = [b"k"] if sub == "GETKEYS" else [[b"k", elems(cairn.call("COMMAND", sub, "zrank", "k", "m"))[0][1]]]
            assert cairn.call("COMMAND", sub, "zrank", "k", "m", "withscore") == want
            assert cairn.call("COMMAND", sub, "zrank", "k") == E("ERR Invalid number of arguments specified for command")


def test_getkeysandflags_types(pair, implemented):
    """Each key comes as [name, flags]: flags a set of status replies (RESP3 set)."""
    cairn, redis_, resp = pair
    cases = [("rename", "a", "b"), ("copy", "a", "b"), ("lmove", "a", "b", "left", "right"), ("set", "k", "v"),
             ("get", "k")]
    ran = 0
    for words in cases:
        if words[0] not in implemented[1]:
            continue
        got = cairn.call("COMMAND", "GETKEYSANDFLAGS", *words)
        assert got == redis_.call("COMMAND", "GETKEYSANDFLAGS", *words), words
        for key, flags in got:
            assert isinstance(key, bytes)
            if resp == 3:
                assert flags[0] == "set"
            assert all(f[0] == "status" for f in elems(flags))
        ran += 1
    assert ran > 0, "none of %r is implemented" % ([c[0] for c in cases],)


# ---- COMMAND HELP / errors -------------------------------------------------------------------------

def test_command_help(pair):
    cairn, redis_, _ = pair
    assert cairn.call("COMMAND", "HELP") == redis_.call("COMMAND", "HELP")
    assert cairn.call("COMMAND", "help", "x") == redis_.call("COMMAND", "help", "x")
    assert cairn.call("COMMAND", "NOSUCH") == redis_.call("COMMAND", "NOSUCH")
    assert cairn.call("COMMAND", "INFO") == cairn.call("command", "info")
