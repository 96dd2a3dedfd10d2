"""EVAL / EVALSHA / EVAL_RO / EVALSHA_RO / SCRIPT and the Lua sandbox.

Differential against Debian's redis-server 7.0.15 (string and key commands
only inside scripts), plus sandbox, limit and busy-script tests that check
Cairn alone (time-dependent behaviour cannot be compared reply by reply).
"""
import re
import sys
import threading
import time

import pytest

from conftest import RawClient


@pytest.fixture
def rc(cairn_server, cairn):
    c = RawClient(cairn_server.port)
    c.call("SCRIPT", "FLUSH")
    c.call("FUNCTION", "FLUSH")
    yield c
    c.close()


@pytest.fixture
def rr(redis_server, redis_ref):
    c = RawClient(redis_server.port)
    c.call("SCRIPT", "FLUSH")
    c.call("FUNCTION", "FLUSH")
    yield c
    c.close()


@pytest.fixture
def d(rc, rr):
    def _d(*args):
        a = rc.call(*args)
        b = rr.call(*args)
        assert a == b, "command %r: cairn=%r redis=%r" % (args, a, b)
        return a
    return _d


EVAL_CASES = [
    # return value conversions
    "return 1", "return -7", "return 3.99", "return -0.5", "return 2^53+1", "return 1e30", "return -1e30",
    "return 0/0", "return math.huge", "return {2^63, -2^63}", "return redis.call('SET', 'n', 1e30)", "return 'str'", "return true", "return false", "return nil",
    "return {1, 2, {3, 'x', {}}, nil, 5}", "return {}", "return {1, 'a', false, 'b'}",
    "return {ok='FINE'}", "return {ok='li\\r\\nne'}", "return redis.status_reply('FINE')",
    "return {err='boom'}", "return {err='MYCODE boom'}", "return {err='li\\nne'}",
    "return redis.error_reply('My Error')", "return redis.error_reply('-ERR x')", "return redis.error_reply()",
    "return redis.status_reply(1)", "return {double=1.5}", "return {map={a=1}}", "return {set={a=true}}",
    "return {big_number='123'}", "return function() end", "return {1, function() end, 3}",
    # calls and replies
    "return redis.call('SET', 'k', 'v')", "return redis.call('GET', 'k')", "return redis.call('GET', 'nokey')",
    "return redis.call('INCR', 'n')", "return redis.call('INCRBYFLOAT', 'f', 1.5)",
    "return redis.call('SET', 'num', 3.25)", "return redis.call('SET', 'num', 0.1)", "return redis.call('GET', 'num')",
    "return redis.call('SET', 'big', 1e20)", "return redis.call('GET', 'big')",
    "return redis.call('DEL', 'k', 'n')", "return redis.call('EXISTS', 'k')", "return redis.call('TYPE', 'k')",
    "return redis.call('PING')", "return redis.call('ECHO', 'hi')", "return redis.call('MGET', 'a', 'k', 'b')",
    "return redis.pcall('INCR', 'k')", "return redis.call('INCR', 'k')",
    "local ok, e = pcall(function() redis.call('INCR', 'k') end) return e",
    "return pcall(function() redis.call('INCR', 'k') end)",
    "local r = redis.pcall('INCR', 'k') return r['err']",
    "return redis.call('nosuch')", "return redis.call('GET')", "return redis.call('INCR', 'k1', 'a')",
    "return redis.call()", "return redis.pcall()", "return redis.call({})", "return redis.pcall('GET', {})",
    "return redis.call('MULTI')", "return redis.call('EVAL', 'return 1', '0')", "return redis.call('SCRIPT', 'LOAD', 'x')",
    "return redis.call('SCRIPT', 'FLUSH')", "return redis.call('SCRIPT', 'KILL')", "return redis.call('FUNCTION', 'KILL')",
    "return redis.call('FUNCTION', 'STATS')", "return redis.call('FUNCTION', 'FLUSH')", "return redis.call('EVALSHA', 'x', '0')",
    "return redis.call('FCALL', 'x', '0')", "return redis.call('SCRIPT', 'EXISTS', 'x')",
    "return redis.call('SELECT', '1')",
    "redis.call('SELECT', '3') return redis.call('SET', 'in3', 'x')",
    # errors
    "error('boom')", "error({err='TABLE err'})", "retur 1", "return x", "x = 1", "return os",
    "return io", "return require", "return loadfile", "return dofile", "return package",
    "redis.call = nil", "string.len = nil", "rawset(_G, 'x', 1)", "_G.x = 1", "redis.newfield = 1",
    "local function f() return f() + 1 end return f()",
    # libraries and helpers
    "return redis.sha1hex('abc')", "return redis.sha1hex('')", "return redis.sha1hex()",
    "return cjson.encode({a=1})", "return cjson.decode('[1,2,3]')", "return cjson.encode(cjson.decode('{\"x\":[1,2]}'))",
    "return bit.band(7, 3)", "return bit.tohex(255)", "return bit.bxor(5, 3)",
    "return struct.pack('>I2', 258)", "return {struct.unpack('<hB', struct.pack('<hB', -2, 200))}",
    "return struct.size('>iBd')", "return {struct.unpack('s', 'ab\\0cd')}", "return struct.pack('c3', 'abcdef')",
    "return cmsgpack.pack({1, 2, 3})", "return cmsgpack.pack({a=1})", "return cmsgpack.pack('x', 300, -5, true, nil)",
    "return cmsgpack.pack(1.5, -1e10, 2^40, 'a' .. string.rep('b', 40))",
    "return {cmsgpack.unpack(cmsgpack.pack({1, {2, 'x'}}, 7))}",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}", "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}",
    "return struct.pack('!4bi8dhf', 1, -2, 3.5, 7, 0.25)", "return struct.pack('<i3>I3', -2, 70000)",
    "return {struct.unpack('>i3<I3', struct.pack('>i3<I3', -2, 70000))}", "return struct.pack('xBx', 9)",
    "return {struct.unpack('Bc0', struct.pack('B', 3) .. 'abcdef')}", "return struct.size('!8bd')",
    "return {struct.unpack('>d', struct.pack('>d', 1.25))}", "return struct.pack('z', 1)", "return struct.pack('i17', 1)", "return struct.pack('<i17', -2)", "return struct.pack('i33', 1)",
    "return {struct.unpack('<i12', struct.pack('<i12', -5))}", "return {struct.unpack('>I10', struct.pack('>I10', 77))}",
    "return {pcall(struct.unpack, '<i9', string.rep('\\1', 9))}", "return {pcall(cmsgpack.unpack, '\\212\\1\\1')}",
    "return {struct.unpack('>I2', 'a')}", "return {struct.unpack('B', 'ab', 2)}", "return struct.pack('>l', -1)",
    "return cmsgpack.pack({1, nil, 3})", "return cmsgpack.pack({[1]=1, [3]=3})", "return cmsgpack.pack({a={b={c={}}}})",
    "return cmsgpack.pack(string.rep('x', 300), string.rep('y', 70000):len())", "return cmsgpack.pack(-129, -32769, 65536, 2^32)",
    "return {cmsgpack.unpack(cmsgpack.pack(-129, -32769, 65536, 2^32, 1.5, 'str', true, false))}",
    "local t = cmsgpack.unpack(cmsgpack.pack({x=1, y={2, 3}})) return {t.x, t.y[2]}",
    "return {pcall(cmsgpack.unpack, '\\196')}", "return {pcall(cmsgpack.unpack, '\\193')}",
    "return cmsgpack.unpack('\\205\\1\\2')", "return cmsgpack.unpack('\\217\\3abc')",
    "return cjson.encode({1, 2, 'x', {a=false}})", "return cjson.encode('\\1\\127/')", "return cjson.encode(1.5)",
    "return {pcall(cjson.decode, '{bad')}", "return cjson.decode('{\"a\":[1,{\"b\":null}]}').a[1]",
    "return {pcall(cjson.encode, {[1]=1, [10]=2})}", "return cjson.encode({})",
    "return string.format('%d %s', 5, 'x')", "return ('x'):rep(3)", "return table.concat({1, 2, 3}, ',')",
    "return math.floor(3.7)", "return tostring(math.huge)", "return type(string.dump)",
    "return redis.REPL_ALL", "return redis.REPL_NONE", "return redis.LOG_WARNING",
    "return redis.setresp(4)", "return redis.setresp()", "return redis.set_repl()", "return redis.set_repl(9)",
    "redis.set_repl(redis.REPL_ALL) return 1", "return redis.replicate_commands()", "return redis.breakpoint()",
    "redis.debug('x') return 1", "return redis.acl_check_cmd('nosuch')", "return redis.acl_check_cmd('GET', 'x')",
    "return redis.log(1)", "return redis.log(99, 'x')", "return redis.log('a', 'x')",
    "redis.log(redis.LOG_DEBUG, 'dbg', 1) return 1", "return redis.foo",
    "return {KEYS[1], ARGV[1], #KEYS, #ARGV}",
    "return {loadstring('return 1')()}", "return {loadstring('\\27Lua')}", "return getfenv", "return setfenv", "return print",
    "return debug", "return newproxy",
]


@pytest.mark.parametrize("script", EVAL_CASES)
def test_eval_differential(d, script):
    d("SET", "numstr", "abc")
    d("EVAL", script, "1", "key1", "arg1")
    d("GET", "k")


def test_global_names(rc, rr):
    """The globals scripts see: Redis 7.0.15's set, with Valkey's `server` alias
    of `redis` added and without Redis's internal __redis__err__handler."""
    s = "local t = {} for k in pairs(_G) do t[#t + 1] = k end table.sort(t) return t"
    want = set(rr.call("EVAL", s, "0")) - {b"__redis__err__handler"} | {b"server"}
    assert set(rc.call("EVAL", s, "0")) == want
    assert rc.call("EVAL", "return server.call('PING')", "0") == ("status", b"PONG")
    assert rc.call("EVAL", "return server == redis", "0") == 1


def test_eval_keys_args_numkeys(d):
    d("EVAL", "return {KEYS, ARGV}", "2", "a", "b", "c")
    d("EVAL", "return 1", "-1")
    d("EVAL", "return 1", "2", "a")
    d("EVAL", "return 1", "x")
    d("EVAL", "return 1")
    d("EVAL", "return {#KEYS, #ARGV}", "0")


def test_evalsha_and_script_commands(d):
    sha = d("SCRIPT", "LOAD", "return 'loaded'")
    d("EVALSHA", sha, "0")
    d("EVALSHA", sha.upper(), "0")
    d("EVALSHA_RO", sha, "0")
    d("EVALSHA", "abc", "0")
    d("EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0")
    d("EVAL", "return 1", "0")
    d("SCRIPT", "EXISTS", sha, "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "nope")
    d("SCRIPT", "LOAD", "retur 1")
    d("SCRIPT", "FLUSH", "foo")
    d("SCRIPT", "FLUSH", "ASYNC")
    d("SCRIPT", "EXISTS", sha)
    d("EVALSHA", sha, "0")
    d("SCRIPT", "FLUSH", "SYNC")
    d("SCRIPT", "FLUSH")
    d("SCRIPT", "KILL")
    d("SCRIPT", "HELP")
    d("SCRIPT", "NOSUCH")
    d("SCRIPT", "LOAD")
    d("SCRIPT", "EXISTS")


SHEBANG_CASES = [
    "#!lua\nreturn redis.call('SET', 'a', 'b')",
    "#!lua flags=no-writes\nreturn redis.call('SET', 'a', 'b')",
    "#!lua flags=no-writes\nreturn redis.call('GET', 'a')",
    "#!lua flags=no-writes,allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 1",
    "#!lua flags=\nreturn 1",
    "#!lua flags=no-writes,bad\nreturn 1",
    "#!lua2\nreturn 1",
    "#!lua foo=bar\nreturn 1",
    "#!lua name=x\nreturn 1",
    "#!lua",
    "#!lua\nerror('line two')",
    "#!lua\n\nreturn x",
]


@pytest.mark.parametrize("script", SHEBANG_CASES)
def test_shebang_differential(d, script):
    d("EVAL", script, "0")
    d("EVAL_RO", script, "0")
    d("GET", "a")


def test_eval_ro(d):
    d("SET", "k", "v")
    d("EVAL_RO", "return redis.call('GET', KEYS[1])", "1", "k")
    d("EVAL_RO", "return redis.call('SET', KEYS[1], 'x')", "1", "k")
    d("EVAL_RO", "return redis.pcall('DEL', KEYS[1])", "1", "k")
    d("EVAL", "return redis.call('EVAL_RO', 'return 1', '0')", "0")
    d("GET", "k")


def test_resp3_conversions(cairn_server, redis_server, cairn, redis_ref):
    """redis.setresp(3) replies to Lua and Lua values back, over RESP2 and RESP3 callers."""
    scripts = [
        "redis.setresp(3) return redis.call('GET', 'nokey')",
        "redis.setresp(3) return {redis.call('GET', 'nokey'), 1}",
        "redis.setresp(3) return redis.call('SET', 'k', 'v')",
        "redis.setresp(3) return redis.call('PING')",
        "redis.setresp(3) local r = redis.call('GET', 'nokey') return r == nil",
        "redis.setresp(2) local r = redis.call('GET', 'nokey') return r == false",
        "return {map={a=1, b={1, 2}}}",
        "return {set={x=true}}",
        "return {double=3.5}",
        "return {double=0.25}",
        "return {big_number='12345678901234567890'}",
        "return {verbatim_string={format='txt', string='hello'}}",
        "return true",
        "return false",
        "redis.setresp(3) return true",
        "redis.setresp(3) return false",
        "redis.setresp(3) return {true, false}",
        "return redis.error_reply('CODE msg')",
        "redis.setresp(3) return redis.pcall('INCR', 'k')",
    ]
    for resp in (2, 3):
        a, b = RawClient(cairn_server.port, resp=resp), RawClient(redis_server.port, resp=resp)
        try:
            for s in scripts:
                ra, rb = a.call("EVAL", s, "0"), b.call("EVAL", s, "0")
                if s == "return {double=0.25}" or s == "return {double=3.5}":
                    assert ra == rb, (resp, s, ra, rb)
                else:
                    assert ra == rb, (resp, s, ra, rb)
        finally:
            a.close()
            b.close()


def test_double_reply_is_shortest_form(rc):
    # Redis 7.2 prints doubles in the shortest round-trip form (7.0: %.17g)
    assert rc.call("EVAL", "return {double=0.1}", "0") == b"0.1"


def test_math_random_is_deterministic(cairn_server, redis_server, rc, rr):
    """Both servers start the generator with seed 0: a fresh interpreter after
    SCRIPT FLUSH continues the sequence, and randomseed resets it."""
    script = "math.randomseed(42) local t = {} for i = 1, 5 do t[i] = math.random(1000) end " \
             "t[6] = tostring(math.random()) t[7] = math.random(5, 9) return t"
    assert rc.call("EVAL", script, "0") == rr.call("EVAL", script, "0")
    a1 = rc.call("EVAL", "math.randomseed(7) return math.random(100)", "0")
    a2 = rc.call("EVAL", "math.randomseed(7) return math.random(100)", "0")
    assert a1 == a2


# ---- sandbox and limits ---------------------------------------------------------------------

def test_bytecode_refused(rc):
    r = rc.call("EVAL", "return {loadstring(string.dump(function() return 1 end))}", "0")
    assert r == []  # nil first value: empty array
    r = rc.call("EVAL", "local f, e = loadstring(string.dump(function() return 1 end)) return e", "0")
    assert b"Binary" in r
    r = rc.call("EVAL", "local s = string.dump(function() return 1 end) local i = 0 "
                "local f, e = load(function() i = i + 1 if i == 1 then return s end end) return {f == nil, e}", "0")
    assert r[0] == 1
    r = rc.call("EVAL", "\x1bLuaQ\x00", "0")
    assert r[0] == "error"


def test_globals_protected(rc):
    for s in ("x = 1", "_G.x = 1", "redis.call = nil", "string.len = nil", "cjson.encode = nil",
              "math.random = nil", "table.insert = nil", "bit.band = nil"):
        r = rc.call("EVAL", s, "0")
        assert r[0] == "error" and b"Attempt to modify a readonly table" in r[1], (s, r)
    for s in ("rawset(_G, 'x', 1)", "rawset(string, 'x', 1)", "setmetatable(_G, nil)", "setfenv(0, {})"):
        r = rc.call("EVAL", s, "0")
        assert r[0] == "error", (s, r)
    # nothing leaked into the next script
    r = rc.call("EVAL", "return x", "0")
    assert r[0] == "error" and b"nonexistent global variable 'x'" in r[1]
    assert rc.call("EVAL", "return string.len('abc')", "0") == 3
    # pairs over a protected library still sees its functions
    assert rc.call("EVAL", "local n = 0 for k in pairs(string) do n = n + 1 end return n", "0") > 10
    # no way to the registry or the real globals
    for s in ("return debug.getregistry", "return debug.setmetatable", "return getfenv(0).x"):
        r = rc.call("EVAL", s, "0")
        assert r is None or r[0] == "error", (s, r)


def test_deep_recursion_errors(rc):
    r = rc.call("EVAL", "local function f(n) return f(n + 1) + 1 end return f(1)", "0")
    assert r[0] == "error" and b"stack overflow" in r[1]
    r = rc.call("EVAL", "local function f(n) return string.gsub('x', 'x', function() return f(n) end) end return f(1)",
                "0")
    assert r[0] == "error"
    # a table that contains itself: nested arrays until the stack limit, then an error
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(100000)
    try:
        r = rc.call("EVAL", "local t = {} t[1] = t return t", "0")
    finally:
        sys.setrecursionlimit(old)
    depth = 0
    while isinstance(r, list):
        assert len(r) == 1
        r = r[0]
        depth += 1
    assert depth > 100 and r == ("error", b"ERR reached lua stack limit"), (depth, r)
    assert rc.call("PING") == ("status", b"PONG")


def test_huge_allocation_errors(rc):
    r = rc.call("EVAL", "local t = {} for i = 1, 2^31 do t[i] = i end return #t", "0")
    assert r[0] == "error" and b"not enough memory" in r[1], r
    r = rc.call("EVAL", "local s = string.rep('x', 2^20) local t = {} for i = 1, 10000 do t[i] = s .. i end return 1",
                "0")
    assert r[0] == "error" and b"not enough memory" in r[1], r
    # the interpreter recovers
    assert rc.call("EVAL", "return #string.rep('y', 1000)", "0") == 1000
    assert rc.call("PING") == ("status", b"PONG")


# ---- busy scripts ---------------------------------------------------------------------------

def run_async(port, *args):
    out = {}

    def target():
        c = RawClient(port)
        try:
            out["reply"] = c.call(*args)
        finally:
            c.close()
    t = threading.Thread(target=target)
    t.start()
    return t, out


def wait_busy(c, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = c.call("PING")
        if isinstance(r, tuple) and r[0] == "error" and r[1].startswith(b"BUSY"):
            return r
        time.sleep(0.02)
    raise AssertionError("server never became busy")


@pytest.fixture
def busy_threshold(rc):
    rc.call("CONFIG", "SET", "busy-reply-threshold", "100")
    yield
    rc.call("CONFIG", "SET", "busy-reply-threshold", "5000")


def test_script_kill_read_only_script(cairn_server, rc, busy_threshold):
    t, out = run_async(cairn_server.port, "EVAL", "while true do end", "0")
    other = RawClient(cairn_server.port)
    try:
        r = wait_busy(other)
        assert r == ("error", b"BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.")
        assert other.call("GET", "x")[0] == "error"
        assert other.call("FUNCTION", "KILL") == \
            ("error", b"BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.")
        assert other.call("FUNCTION", "STATS")[0:2] == [b"running_script", None]
        assert other.call("SCRIPT", "KILL") == ("status", b"OK")
        t.join(10)
        assert not t.is_alive()
        err = out["reply"]
        assert err[0] == "error" and b"Script killed by user with SCRIPT KILL..." in err[1], err
        assert other.call("PING") == ("status", b"PONG")
        assert other.call("SCRIPT", "KILL") == ("error", b"NOTBUSY No scripts in execution right now.")
    finally:
        other.close()


def test_pcall_cannot_catch_kill(cairn_server, rc, busy_threshold):
    t, out = run_async(cairn_server.port, "EVAL",
                       "while true do pcall(function() while true do end end) end", "0")
    other = RawClient(cairn_server.port)
    try:
        wait_busy(other)
        assert other.call("SCRIPT", "KILL") == ("status", b"OK")
        t.join(10)
        assert not t.is_alive() and out["reply"][0] == "error"
    finally:
        other.close()


def test_unkillable_after_write(cairn_server, rc, busy_threshold):
    script = ("redis.call('SET', 'w', '1') local t0 = tonumber(redis.call('TIME')[1]) "
              "while tonumber(redis.call('TIME')[1]) - t0 < 2 do end return 'done'")
    t, out = run_async(cairn_server.port, "EVAL", script, "0")
    other = RawClient(cairn_server.port)
    try:
        wait_busy(other)
        r = other.call("SCRIPT", "KILL")
        assert r[0] == "error" and r[1].startswith(b"UNKILLABLE Sorry the script already executed write commands"), r
        t.join(15)
        assert out["reply"] == b"done"
        assert other.call("GET", "w") == b"1"
    finally:
        other.close()


def test_function_kill_and_stats(cairn_server, rc, busy_threshold):
    rc.call("FUNCTION", "LOAD", "#!lua name=slow\nredis.register_function{function_name='spin', "
            "callback=function() while true do end end, flags={'no-writes'}}")
    t, out = run_async(cairn_server.port, "FCALL", "spin", "0", "a1")
    other = RawClient(cairn_server.port)
    try:
        r = wait_busy(other)
        assert r == ("error", b"BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.")
        stats = other.call("FUNCTION", "STATS")
        assert stats[0] == b"running_script"
        running = stats[1]
        assert running[0:4] == [b"name", b"spin", b"command", [b"FCALL", b"spin", b"0", b"a1"]]
        assert running[4] == b"duration_ms" and running[5] >= 100
        assert other.call("SCRIPT", "KILL") == \
            ("error", b"BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.")
        assert other.call("FUNCTION", "KILL") == ("status", b"OK")
        t.join(10)
        assert out["reply"][0] == "error" and b"Script killed by user" in out["reply"][1]
        assert other.call("FUNCTION", "STATS")[1] is None
    finally:
        other.close()


def test_caller_pipeline_waits_for_script(cairn_server, rc, busy_threshold):
    """Commands the scripting client pipelined behind a busy script run after it."""
    c = RawClient(cairn_server.port)
    other = RawClient(cairn_server.port)
    try:
        c.send("EVAL", "local t0 = tonumber(redis.call('TIME')[1]) "
               "while tonumber(redis.call('TIME')[1]) - t0 < 1 do end return 'first'", "0")
        c.send("PING")
        wait_busy(other)
        assert c.read() == b"first"
        assert c.read() == ("status", b"PONG")
    finally:
        c.close()
        other.close()


def test_caller_disconnects_during_busy_script(cairn_server, rc, busy_threshold):
    c = RawClient(cairn_server.port)
    other = RawClient(cairn_server.port)
    try:
        c.send("EVAL", "while true do end", "0")
        wait_busy(other)
        c.close()
        time.sleep(0.2)  # the server sees the EOF while the script still runs
        assert other.call("SCRIPT", "KILL") == ("status", b"OK")
        deadline = time.time() + 10
        while other.call("PING") != ("status", b"PONG"):
            assert time.time() < deadline
            time.sleep(0.02)
        assert other.call("EVAL", "return 'alive'", "0") == b"alive"
    finally:
        other.close()


def test_eval_in_multi(d):
    d("MULTI")
    d("EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", "1", "mk", "v")
    d("EVAL", "return redis.call('GET', KEYS[1])", "1", "mk")
    d("EVAL", "return redis.call('MULTI')", "0")
    d("EXEC")
    d("GET", "mk")


def test_script_select_does_not_leak(d):
    d("EVAL", "redis.call('SELECT', '5') return redis.call('SET', 'in5', 'x')", "0")
    d("EXISTS", "in5")
    d("SELECT", "5")
    d("GET", "in5")
    d("EVAL", "return redis.call('GET', 'in5')", "0")
    d("DEL", "in5")
    d("SELECT", "0")


def test_oom_and_allow_oom(d):
    d("SET", "pre", "x")
    d("CONFIG", "SET", "maxmemory-policy", "noeviction")
    d("CONFIG", "SET", "maxmemory", "1")
    try:
        for script in ("return redis.call('SET', 'a', 'b')",            # compat mode: denyoom command refused
                       "return redis.call('GET', 'pre')",               # reads still run
                       "#!lua\nreturn redis.call('GET', 'pre')",        # shebang without allow-oom: not run
                       "#!lua flags=allow-oom\nreturn redis.call('SET', 'a', 'b')",
                       "#!lua flags=no-writes\nreturn 1",
                       "#!lua flags=no-writes,allow-oom\nreturn redis.call('GET', 'a')"):
            d("EVAL", script, "0")
        d("FUNCTION", "LOAD", "#!lua name=oom\nredis.register_function{function_name='w', callback=function() "
          "return redis.call('SET', 'f', 'v') end, flags={'allow-oom'}}\n"
          "redis.register_function('plain', function() return 1 end)")
        d("FCALL", "w", "0")
        d("FCALL", "plain", "0")
    finally:
        d("CONFIG", "SET", "maxmemory", "0")
    d("GET", "a")
    d("GET", "f")


@pytest.mark.parametrize("how", ["shutdown", "sigterm"])
def test_shutdown_during_busy_script(tmp_path, how):
    """SHUTDOWN NOSAVE (allowed while busy) and SIGTERM stop a server whose
    script never ends."""
    from conftest import CAIRN_BIN, ServerProc
    s = ServerProc(CAIRN_BIN, extra_args=["--busy-reply-threshold", "100"], tmpdir=str(tmp_path))
    try:
        c = RawClient(s.port)
        c.send("EVAL", "redis.call('SET', 'x', '1') while true do end", "0")
        other = RawClient(s.port)
        wait_busy(other)
        assert other.call("SCRIPT", "KILL")[1].startswith(b"UNKILLABLE")
        if how == "shutdown":
            try:
                other.call("SHUTDOWN", "NOSAVE")
            except ConnectionError:
                pass
        else:
            s.proc.terminate()
        s.proc.wait(timeout=15)
        log = open(s.logpath, "rb").read()
        assert b"AddressSanitizer" not in log and b"runtime error:" not in log
        assert s.proc.returncode == 0, log[-2000:]
        c.close()
        other.close()
    finally:
        s.stop()


def test_info_memory_scripting_fields(rc, rr):
    """INFO memory carries Redis's scripting fields (values are Cairn's own)."""
    for c in (rc, rr):
        c.call("EVAL", "return 1", "0")
        c.call("SCRIPT", "LOAD", "return 2")
        c.call("FUNCTION", "LOAD", "#!lua name=i\nredis.register_function('i1', function() return 1 end)\n"
               "redis.register_function('i2', function() return 2 end)")

    def fields(c):
        text = c.call("INFO", "memory").decode()
        return dict(l.split(":", 1) for l in text.split("\r\n") if ":" in l)
    a, b = fields(rc), fields(rr)
    for k in ("number_of_cached_scripts", "number_of_functions", "number_of_libraries"):
        assert a[k] == b[k], (k, a.get(k), b.get(k))
    assert (a["number_of_cached_scripts"], a["number_of_functions"], a["number_of_libraries"]) == ("2", "2", "1")
    for k in ("used_memory_lua", "used_memory_vm_eval", "used_memory_vm_functions", "used_memory_vm_total"):
        assert int(a[k]) > 0, k
    assert int(a["used_memory_vm_total"]) == int(a["used_memory_vm_eval"]) + int(a["used_memory_vm_functions"])


def test_monitor_shows_script_and_its_commands(cairn_server, redis_server, rc, rr):
    def monitor_lines(port, commands, n):
        m = RawClient(port)
        assert m.call("MONITOR") == ("status", b"OK")
        c = RawClient(port)
        for cmd in commands:
            c.call(*cmd)
        out = []
        for _ in range(n):
            line = m._line()
            # "+<time> [<db> <addr or lua>] <args>": keep the part after the time
            out.append(line.split(b" ", 1)[1])
        m.close()
        c.close()
        return [re.sub(rb"\[0 [0-9.:]+\]", b"[0 client]", l) for l in out]
    cmds = [("EVAL", "redis.call('SET', KEYS[1], 'v') return redis.call('GET', KEYS[1])", "1", "mk"),
            ("FUNCTION", "LOAD", "#!lua name=mon\nredis.register_function('mf', function(k) return redis.call('GET', k[1]) end)"),
            ("FCALL", "mf", "1", "mk"), ("EVAL", "return 1", "x")]
    a = monitor_lines(cairn_server.port, cmds, 7)
    b = monitor_lines(redis_server.port, cmds, 7)
    assert a == b


def test_error_stats_not_double_counted(rc, rr):
    """An error replied by a command inside a script is counted once in INFO
    errorstats / total_error_replies, whether the script raises it or returns it."""
    def stats(c):
        c.call("CONFIG", "RESETSTAT")
        c.call("SET", "s", "v")
        for script in ("return redis.call('INCR', 's')", "return redis.pcall('INCR', 's')", "error('x')",
                       "return redis.call('nosuch')", "return {err='MY thing'}", "return redis.error_reply('E2 y')"):
            c.call("EVAL", script, "0")
        text = (c.call("INFO", "errorstats") + c.call("INFO", "stats")).decode()
        keep = [l for l in text.split("\r\n") if l.startswith(("errorstat_", "total_error_replies"))]
        cmd = [l.split(",")[0] + "," + l.split(",")[-1] for l in c.call("INFO", "commandstats").decode().split("\r\n")
               if l.startswith(("cmdstat_eval:", "cmdstat_incr:"))]
        return sorted(keep), sorted(cmd)
    assert stats(rc) == stats(rr)
