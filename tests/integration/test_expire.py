"""Expire commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (NX/XX/GT/LT), TTL,
PTTL, EXPIRETIME, PEXPIRETIME, PERSIST; lazy and active expiry.

Differential against the reference redis-server (7.0.15): replies and error
strings must be equal. Remaining times depend on the clock, so they are
checked against a window on both servers instead of compared exactly.
"""
import time

import pytest

from conftest import LLONG_MAX, run_raw


def run(client, *args):
    """Raw reply of a command on one server (error replies as ("error", text))."""
    return run_raw(client, *args)



def now_ms():
    return int(time.time() * 1000)


ARITY = [("EXPIRE", "k"), ("PEXPIRE", "k"), ("EXPIREAT", "k"), ("PEXPIREAT", "k"), ("EXPIRE",),
         ("TTL",), ("TTL", "a", "b"), ("PTTL",), ("PTTL", "a", "b"), ("EXPIRETIME",), ("EXPIRETIME", "a", "b"),
         ("PEXPIRETIME",), ("PEXPIRETIME", "a", "b"), ("PERSIST",), ("PERSIST", "a", "b")]


@pytest.mark.parametrize("args", ARITY, ids=lambda a: " ".join(a))
def test_wrong_arity(diff, args):
    r = diff(*args)
    assert isinstance(r, tuple) and "wrong number of arguments" in r[1]


CMDS = ["EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"]


@pytest.mark.parametrize("cmd", CMDS)
def test_option_errors(diff, cmd):
    diff("SET", "k", "v")
    for key in ("k", "nosuch"):
        assert diff(cmd, key, "100", "NX", "XX") == ("error", "NX and XX, GT or LT options at the same time are not compatible")
        assert diff(cmd, key, "100", "NX", "GT") == ("error", "NX and XX, GT or LT options at the same time are not compatible")
        assert diff(cmd, key, "100", "lt", "nx") == ("error", "NX and XX, GT or LT options at the same time are not compatible")
        assert diff(cmd, key, "100", "GT", "LT") == ("error", "GT and LT options at the same time are not compatible")
        assert diff(cmd, key, "100", "XX", "GT", "LT") == ("error", "GT and LT options at the same time are not compatible")
        assert diff(cmd, key, "100", "NX", "GT", "LT") == ("error", "NX and XX, GT or LT options at the same time are not compatible")
        assert diff(cmd, key, "100", "foo") == ("error", "Unsupported option foo")
        assert diff(cmd, key, "100", "NX", "bar", "XX") == ("error", "Unsupported option bar")
        # options are checked before the time argument
        assert diff(cmd, key, "abc", "foo") == ("error", "Unsupported option foo")
        assert diff(cmd, key, "abc") == ("error", "value is not an integer or out of range")
        assert diff(cmd, key, "1.5") == ("error", "value is not an integer or out of range")
        assert diff(cmd, key, "") == ("error", "value is not an integer or out of range")
        assert diff(cmd, key, " 10") == ("error", "value is not an integer or out of range")
        assert diff(cmd, key, "99999999999999999999") == ("error", "value is not an integer or out of range")
    # repeated identical options are fine
    diff(cmd, "k", str(now_ms() + 10**9) if cmd.endswith("AT") else "100000", "XX", "XX")
    assert diff("EXISTS", "k") == 1


def test_unsupported_option_binary(diff):
    diff("SET", "k", "v")
    # Redis prints the option as a C string: it stops at a NUL byte
    diff("EXPIRE", "k", "100", b"ab\x00cd")
    diff("EXPIRE", "k", "100", b"a\r\nb")


def test_invalid_expire_time(diff):
    diff("SET", "k", "v")
    for cmd, arg in [("EXPIRE", "9223372036854775807"), ("EXPIRE", "9223372036854775"),
                     ("EXPIRE", "-9223372036854776"), ("EXPIRE", "-9223372036854775808"),
                     ("PEXPIRE", "9223372036854775807"), ("PEXPIRE", "9223372036854775000"),
                     ("EXPIREAT", "9223372036854775807"), ("EXPIREAT", "9223372036854776"),
                     ("EXPIREAT", "-9223372036854776")]:
        r = diff(cmd, "k", arg)
        assert r == ("error", "invalid expire time in '%s' command" % cmd.lower()), (cmd, arg)
    # the errors come before the key lookup
    assert diff("EXPIRE", "nosuch", "9223372036854775807") == ("error", "invalid expire time in 'expire' command")
    assert diff("EXISTS", "k") == 1


def test_extreme_valid_times(diff):
    diff("SET", "k", "v")
    assert diff("PEXPIREAT", "k", str(LLONG_MAX)) == 1
    assert diff("PEXPIRETIME", "k") == LLONG_MAX
    assert diff("EXPIRETIME", "k") == 9223372036854776   # rounded, no overflow
    assert diff("PEXPIREAT", "k", "9223372036854775307") == 1
    assert diff("EXPIRETIME", "k") == 9223372036854775
    assert diff("TTL", "k") > 9223370000000000
    assert diff("EXPIREAT", "k", "9223372036854775") == 1
    assert diff("PEXPIRETIME", "k") == 9223372036854775000
    assert diff("EXPIRETIME", "k") == 9223372036854775
    # the most negative relative time still allowed deletes the key
    assert diff("EXPIRE", "k", "-9223372036854775") == 1
    assert diff("EXISTS", "k") == 0


def test_missing_key(diff):
    for cmd in CMDS:
        assert diff(cmd, "nosuch", "100") == 0
        assert diff(cmd, "nosuch", "-100") == 0
        assert diff(cmd, "nosuch", "100", "NX") == 0
    assert diff("TTL", "nosuch") == -2
    assert diff("PTTL", "nosuch") == -2
    assert diff("EXPIRETIME", "nosuch") == -2
    assert diff("PEXPIRETIME", "nosuch") == -2
    assert diff("PERSIST", "nosuch") == 0
    assert diff("DBSIZE") == 0


def test_no_expire(diff):
    diff("SET", "k", "v")
    assert diff("TTL", "k") == -1
    assert diff("PTTL", "k") == -1
    assert diff("EXPIRETIME", "k") == -1
    assert diff("PEXPIRETIME", "k") == -1
    assert diff("PERSIST", "k") == 0


def ttl_window(cairn, redis_ref, cmd, key, lo, hi):
    for c in (cairn, redis_ref):
        v = c.execute_command(cmd, key)
        assert lo <= v <= hi, (c, cmd, v, lo, hi)


def test_expire_relative(cairn, redis_ref, diff):
    diff("SET", "k", "v")
    assert diff("EXPIRE", "k", "100") == 1
    ttl_window(cairn, redis_ref, "TTL", "k", 99, 100)
    ttl_window(cairn, redis_ref, "PTTL", "k", 99000, 100000)
    assert diff("PEXPIRE", "k", "123456") == 1
    ttl_window(cairn, redis_ref, "PTTL", "k", 122000, 123456)
    ttl_window(cairn, redis_ref, "TTL", "k", 122, 123)
    t = now_ms()
    for c in (cairn, redis_ref):
        assert t + 122000 <= c.execute_command(b"PEXPIRETIME", "k") <= now_ms() + 123456


def test_expire_absolute_exact(diff):
    diff("SET", "k", "v")
    base = (now_ms() // 1000 + 1000) * 1000
    assert diff("EXPIREAT", "k", str(base // 1000)) == 1
    assert diff("EXPIRETIME", "k") == base // 1000
    assert diff("PEXPIRETIME", "k") == base
    # EXPIRETIME rounds to the nearest second, like TTL
    for ms in (base + 499, base + 500, base + 501, base + 1):
        assert diff("PEXPIREAT", "k", str(ms)) == 1
        assert diff("PEXPIRETIME", "k") == ms
        assert diff("EXPIRETIME", "k") == (ms + 500) // 1000


def test_ttl_rounding(cairn, redis_ref):
    for c in (cairn, redis_ref):
        c.set("k", "v")
        c.pexpire("k", 1600)   # ~1.6 s left: TTL rounds to 2
        assert c.ttl("k") == 2
        c.pexpire("k", 1400)   # ~1.4 s left: TTL rounds to 1
        assert c.ttl("k") == 1
        c.pexpire("k", 400)    # rounds to 0
        assert c.ttl("k") == 0


def test_past_times_delete(diff):
    for cmd, arg in [("EXPIRE", "0"), ("EXPIRE", "-1"), ("PEXPIRE", "0"), ("PEXPIRE", "-100"),
                     ("EXPIREAT", "1"), ("EXPIREAT", "0"), ("PEXPIREAT", "1000"), ("EXPIREAT", "-5"),
                     ("EXPIREAT", str(int(time.time()) - 10))]:
        diff("SET", "k", "v")
        assert diff(cmd, "k", arg) == 1, (cmd, arg)
        assert diff("EXISTS", "k") == 0, (cmd, arg)
        assert diff("TTL", "k") == -2


def test_past_time_deletes_any_type(diff):
    diff("RPUSH", "l", "a")
    diff("HSET", "h", "f", "v")
    assert diff("EXPIRE", "l", "-1") == 1
    assert diff("PEXPIREAT", "h", "1") == 1
    assert diff("DBSIZE") == 0


def test_nx_xx_gt_lt(diff):
    diff("SET", "k", "v")
    # absolute times, so equal/greater/less do not depend on the clock
    base = now_ms() + 10**9
    at = lambda off: str(base + off)
    # no TTL yet
    assert diff("PEXPIREAT", "k", at(100), "XX") == 0
    assert diff("PEXPIREAT", "k", at(100), "GT") == 0      # no TTL = infinite: never greater
    assert diff("PEXPIREAT", "k", at(100), "NX") == 1
    assert diff("PEXPIREAT", "k", at(200), "NX") == 0
    assert diff("PEXPIREAT", "k", at(200), "XX") == 1
    assert diff("PEXPIREAT", "k", at(100), "GT") == 0
    assert diff("PEXPIREAT", "k", at(200), "GT") == 0      # equal is not greater
    assert diff("PEXPIREAT", "k", at(300), "GT") == 1
    assert diff("PEXPIREAT", "k", at(400), "LT") == 0
    assert diff("PEXPIREAT", "k", at(300), "LT") == 0      # equal is not less
    assert diff("PEXPIREAT", "k", at(150), "LT") == 1
    assert diff("PEXPIREAT", "k", at(160), "XX", "GT") == 1
    assert diff("PEXPIREAT", "k", at(150), "XX", "LT") == 1
    assert diff("PEXPIRETIME", "k") == base + 150
    # seconds forms compare the same millisecond times
    assert diff("EXPIREAT", "k", str((base + 150) // 1000 + 1), "lt") == 0
    assert diff("EXPIREAT", "k", str((base + 150) // 1000 + 1), "gt") == 1
    assert diff("EXPIRE", "k", "100", "GT") == 0
    assert diff("EXPIRE", "k", "100", "LT") == 1
    assert diff("TTL", "k") in (99, 100)
    assert diff("PERSIST", "k") == 1
    # LT with no TTL: the key gets one
    assert diff("EXPIRE", "k", "100", "LT") == 1
    diff("PERSIST", "k")
    assert diff("PEXPIREAT", "k", at(0), "LT", "XX") == 0
    # XX/GT/LT against a time in the past
    assert diff("EXPIRE", "k", "-1", "XX") == 0
    assert diff("EXPIRE", "k", "-1", "GT") == 0
    assert diff("EXPIRE", "k", "-1", "LT") == 1     # deleted
    assert diff("EXISTS", "k") == 0


def test_persist(cairn, redis_ref, diff):
    diff("SET", "k", "v")
    diff("EXPIRE", "k", "100")
    assert diff("PERSIST", "k") == 1
    assert diff("TTL", "k") == -1
    assert diff("PERSIST", "k") == 0
    # expire again after a persist
    assert diff("PEXPIRE", "k", "50000") == 1
    ttl_window(cairn, redis_ref, "PTTL", "k", 49000, 50000)
    assert diff("PERSIST", "k") == 1
    assert diff("EXPIRE", "k", "10", "NX") == 1
    assert diff("PERSIST", "k") == 1
    assert diff("GET", "k") == b"v"


def test_expire_keeps_value_and_encoding(diff):
    vals = {"int": "123", "emb": "hello", "raw": "x" * 100, "neg": "-5"}
    for k, v in vals.items():
        diff("SET", k, v)
        enc = diff("OBJECT", "ENCODING", k)
        assert diff("EXPIRE", k, "1000") == 1
        assert diff("GET", k) == v.encode()
        assert diff("OBJECT", "ENCODING", k) == enc
        assert diff("PERSIST", k) == 1
        assert diff("GET", k) == v.encode()
        assert diff("EXPIRE", k, "500") == 1
        assert diff("TTL", k) in (499, 500)


def test_expire_collections(diff):
    diff("RPUSH", "l", "a", "b")
    diff("SADD", "s", "1")
    diff("ZADD", "z", "1", "a")
    diff("HSET", "h", "f", "v")
    for k in ("l", "s", "z", "h"):
        assert diff("EXPIRE", k, "1000") == 1
        assert diff("TTL", k) in (999, 1000)
    diff("RPUSH", "l", "c")        # modifying a value keeps its TTL
    assert diff("TTL", "l") in (999, 1000)
    assert diff("LRANGE", "l", "0", "-1") == [b"a", b"b", b"c"]


def test_set_clears_ttl_keepttl_keeps(diff):
    diff("SET", "k", "v", "EX", "100")
    diff("SET", "k", "w")
    assert diff("TTL", "k") == -1
    diff("SET", "k", "v", "EX", "100")
    diff("SET", "k", "w", "KEEPTTL")
    assert diff("TTL", "k") in (99, 100)


# ---- expiry at millisecond precision --------------------------------------------

def test_millisecond_precision(cairn, redis_ref):
    for c in (cairn, redis_ref):
        c.set("k", "v")
        assert c.pexpire("k", 150)
        time.sleep(0.05)
        assert c.get("k") == b"v"
        assert 0 < c.pttl("k") <= 100
        time.sleep(0.15)
        assert c.get("k") is None
        assert c.pttl("k") == -2
        assert c.exists("k") == 0


def test_pexpireat_precision(cairn, redis_ref):
    for c in (cairn, redis_ref):
        c.set("k", "v")
        at = now_ms() + 120
        assert c.execute_command(b"PEXPIREAT", "k", at) == 1
        assert c.execute_command(b"PEXPIRETIME", "k") == at
        while now_ms() < at - 20:
            assert c.exists("k") == 1
            time.sleep(0.005)
        time.sleep(0.06)
        assert c.exists("k") == 0


def test_lazy_expiry_on_access(cairn, redis_ref):
    for c in (cairn, redis_ref):
        c.set("k", "v", px=20)
        time.sleep(0.05)
        assert c.ttl("k") == -2
        assert c.expire("k", 100) is False
        assert c.execute_command(b"PERSIST", "k") == 0


def test_active_expiry(cairn, redis_ref):
    """Keys with short TTLs disappear without being accessed: DBSIZE (which
    counts keys not yet reclaimed) drops to the persistent ones."""
    for c in (cairn, redis_ref):
        p = c.pipeline(transaction=False)
        for i in range(300):
            p.set("vol:%d" % i, "v", px=1000 + i % 50)  # long enough to count them on a loaded machine
        for i in range(10):
            p.set("keep:%d" % i, "v")
        p.execute()
        assert c.dbsize() == 310
    deadline = time.time() + 10
    sizes = None
    while time.time() < deadline:
        sizes = [cairn.dbsize(), redis_ref.dbsize()]
        if sizes == [10, 10]:
            break
        time.sleep(0.1)
    assert sizes == [10, 10]
    assert sorted(cairn.keys("*")) == sorted(redis_ref.keys("*"))


def test_active_expiry_other_db(cairn):
    cairn.execute_command(b"SELECT", "3")
    try:
        for i in range(50):
            cairn.set("v%d" % i, "x", px=20)
        deadline = time.time() + 10
        while time.time() < deadline and cairn.dbsize():
            time.sleep(0.1)
        assert cairn.dbsize() == 0
    finally:
        cairn.execute_command(b"SELECT", "0")


def test_expired_stats(cairn):
    def expired_keys():
        info = cairn.info("stats")
        return info["expired_keys"]
    before = expired_keys()
    for i in range(5):
        cairn.set("e%d" % i, "v", px=1)
    time.sleep(0.05)
    for i in range(5):
        cairn.get("e%d" % i)
    assert expired_keys() - before == 5


# ---- interaction with other keyspace commands ------------------------------------

def test_ttl_follows_rename_move_copy(cairn, redis_ref, diff):
    diff("SET", "a", "v", "PX", "100000")
    diff("RENAME", "a", "b")
    ttl_window(cairn, redis_ref, "PTTL", "b", 99000, 100000)
    diff("COPY", "b", "c")
    ttl_window(cairn, redis_ref, "PTTL", "c", 99000, 100000)
    diff("MOVE", "c", "2")
    diff("SELECT", "2")
    ttl_window(cairn, redis_ref, "PTTL", "c", 99000, 100000)
    diff("SELECT", "0")


def test_renamed_key_expires(cairn, redis_ref):
    for c in (cairn, redis_ref):
        c.set("a", "v", px=50)
        c.rename("a", "b")
        time.sleep(0.1)
        assert c.exists("a", "b") == 0


def test_del_then_recreate_has_no_ttl(diff):
    diff("SET", "k", "v", "EX", "100")
    diff("DEL", "k")
    diff("SET", "k", "v")
    assert diff("TTL", "k") == -1


def test_many_volatile_keys_and_persist(cairn, redis_ref):
    for c in (cairn, redis_ref):
        p = c.pipeline(transaction=False)
        for i in range(2000):
            p.set("k%d" % i, i, ex=1000)
        for i in range(0, 2000, 2):
            p.persist("k%d" % i)
        p.execute()
        assert c.ttl("k0") == -1 and c.ttl("k1") in (999, 1000)
    for i in range(0, 2000, 97):
        a, b = run(cairn, "TTL", "k%d" % i), run(redis_ref, "TTL", "k%d" % i)
        if i % 2 == 0:
            assert a == b == -1
        else:
            assert a in (999, 1000) and b in (999, 1000)


def test_watch_expire_invalidates(cairn_server, redis_server):
    out = []
    for srv in (cairn_server, redis_server):
        w, o = srv.client(), srv.client()
        w.execute_command(b"FLUSHALL")
        w.set("k", "v")
        w.execute_command(b"WATCH", "k")
        o.execute_command(b"EXPIRE", "k", "100")
        w.execute_command(b"MULTI")
        w.execute_command(b"GET", "k")
        out.append(w.execute_command(b"EXEC"))
        w.close()
        o.close()
    assert out[0] is None and out[1] is None
