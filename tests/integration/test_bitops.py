"""Bit commands: SETBIT, GETBIT, BITCOUNT, BITPOS (BYTE/BIT ranges), BITOP AND/OR/XOR/NOT,
BITFIELD and BITFIELD_RO with every overflow mode.

Differential: `d` sends the same command to Cairn and to the reference redis-server
(7.0.15) over raw RESP2 sockets and asserts identical replies (types and error texts
included); `diff3` does the same over RESP3. Randomised sequences (fixed seeds)
compare long runs of operations. Where Redis 7.2 differs from 7.0.15 (BITCOUNT and
BITPOS check their arguments before looking at a missing key) the test follows 7.2
and says so.
"""
import random

import pytest

from conftest import LLONG_MAX, LLONG_MIN, NOT_INT, SYNTAX, WRONGTYPE

BAD_OFFSET = ("error", b"ERR bit offset is not an integer or out of range")
BAD_BIT = ("error", b"ERR bit is not an integer or out of range")
BAD_TYPE = ("error", b"ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but "
                     b"i64 is.")


def is_err(reply, text=None):
    """True for an error reply (containing `text` when given)."""
    if isinstance(text, str):
        text = text.encode()
    return isinstance(reply, tuple) and reply[0] == "error" and (text is None or text in reply[1])


ARITY = [
    ("SETBIT", "k", "0"), ("SETBIT", "k", "0", "1", "2"), ("GETBIT", "k"), ("GETBIT", "k", "0", "1"), ("BITCOUNT",),
    ("BITPOS", "k"), ("BITPOS",), ("BITOP", "AND", "d"), ("BITOP", "AND"), ("BITFIELD",), ("BITFIELD_RO",),
]


@pytest.mark.parametrize("args", ARITY, ids=lambda a: " ".join(a))
def test_wrong_arity(d, args):
    assert is_err(d(*args), "wrong number of arguments")


# ---- SETBIT / GETBIT ----------------------------------------------------------------------------

def test_setbit_getbit_basic(d):
    assert d("SETBIT", "k", "7", "1") == 0
    assert d("GET", "k") == b"\x01"
    assert d("SETBIT", "k", "7", "1") == 1
    assert d("SETBIT", "k", "0", "1") == 0
    assert d("GET", "k") == b"\x81"
    assert d("SETBIT", "k", "7", "0") == 1
    assert d("GET", "k") == b"\x80"
    assert d("SETBIT", "k", "100", "1") == 0
    assert d("STRLEN", "k") == 13
    assert d("GETBIT", "k", "100") == 1
    assert d("GETBIT", "k", "101") == 0
    assert d("GETBIT", "k", "0") == 1
    assert d("GETBIT", "k", "1000000") == 0
    assert d("GETBIT", "nosuch", "5") == 0
    assert d("OBJECT", "ENCODING", "k") == b"raw"
    assert d("SETBIT", "z", "15", "0") == 0
    assert d("GET", "z") == b"\x00\x00"
    assert d("OBJECT", "ENCODING", "z") == b"raw"


def test_setbit_on_int_and_embstr(d):
    d("SET", "i", "1")  # "1" is 0x31
    assert d("GETBIT", "i", "2") == 1
    assert d("GETBIT", "i", "3") == 1
    assert d("GETBIT", "i", "4") == 0
    assert d("GETBIT", "i", "8") == 0
    assert d("SETBIT", "i", "6", "1") == 0
    assert d("GET", "i") == b"3"
    assert d("OBJECT", "ENCODING", "i") == b"raw"
    d("SET", "e", "abc")
    assert d("SETBIT", "e", "1", "1") == 1  # unchanged bit: the value still becomes raw
    assert d("OBJECT", "ENCODING", "e") == b"raw"
    d("SET", "neg", "-123")
    for i in range(40):
        d("GETBIT", "neg", str(i))


def test_setbit_keeps_ttl(d):
    for client in (d.cairn, d.ref):
        client.call("SET", "t", "a", "EX", "100")
        assert client.call("SETBIT", "t", "100", "1") == 0
        assert 99 <= client.call("TTL", "t") <= 100


@pytest.mark.parametrize("offset", ["-1", "abc", "", "1.5", " 1", "+1", "4294967296", "9223372036854775807",
                                    "9223372036854775808", "#1", "0x10"])
def test_bit_offset_errors(d, offset):
    d("SET", "k", "v")
    d("RPUSH", "l", "a")
    assert d("SETBIT", "k", offset, "1") == BAD_OFFSET
    assert d("GETBIT", "k", offset) == BAD_OFFSET
    assert d("GETBIT", "nosuch", offset) == BAD_OFFSET
    assert d("GETBIT", "l", offset) == BAD_OFFSET
    assert d("SETBIT", "l", offset, "1") == BAD_OFFSET
    assert d("GET", "k") == b"v"


def test_bit_offset_limit(d):
    assert d("GETBIT", "k", "4294967295") == 0  # last bit of a 512 MB string
    assert d("GETBIT", "k", "4294967296") == BAD_OFFSET
    d("CONFIG", "SET", "proto-max-bulk-len", "1048576")
    try:
        assert d("SETBIT", "k", "8388608", "1") == BAD_OFFSET
        assert d("GETBIT", "k", "8388608") == BAD_OFFSET
        assert d("SETBIT", "k", "8388607", "1") == 0
        assert d("STRLEN", "k") == 1048576
        assert d("BITFIELD", "k", "GET", "u8", "8388607") == [128]  # last bit set, then zero padding
        assert d("BITFIELD", "k", "GET", "u8", "8388608") == BAD_OFFSET
        assert d("BITFIELD", "k", "GET", "u8", "#1048575") == [1]
        assert d("BITFIELD", "k", "GET", "u8", "#1048576") == BAD_OFFSET
    finally:
        d("CONFIG", "SET", "proto-max-bulk-len", "536870912")


@pytest.mark.parametrize("value", ["2", "-1", "abc", "", "1.0", "01", " 1", "10", "9223372036854775808"])
def test_setbit_bad_value(d, value):
    assert d("SETBIT", "k", "0", value) == BAD_BIT
    assert d("EXISTS", "k") == 0
    d("RPUSH", "l", "a")
    assert d("SETBIT", "l", "0", value) == BAD_BIT


def test_bit_wrongtype(d):
    d("RPUSH", "l", "a")
    assert d("SETBIT", "l", "0", "1") == WRONGTYPE
    assert d("GETBIT", "l", "0") == WRONGTYPE
    assert d("BITCOUNT", "l") == WRONGTYPE
    assert d("BITCOUNT", "l", "0", "1") == WRONGTYPE
    assert d("BITPOS", "l", "1") == WRONGTYPE
    assert d("BITPOS", "l", "0", "1", "2", "BIT") == WRONGTYPE
    assert d("BITFIELD", "l", "GET", "u8", "0") == WRONGTYPE
    assert d("BITFIELD", "l", "SET", "u8", "0", "1") == WRONGTYPE
    assert d("BITFIELD", "l") == WRONGTYPE
    assert d("BITFIELD_RO", "l", "GET", "u8", "0") == WRONGTYPE
    assert d("BITOP", "OR", "dest", "l") == WRONGTYPE
    assert d("BITOP", "NOT", "dest", "l") == WRONGTYPE
    assert d("EXISTS", "dest") == 0


def test_setbit_random(d):
    rnd = random.Random(1)
    for _ in range(400):
        d("SETBIT", "k", str(rnd.randrange(0, 300)), str(rnd.randrange(2)))
    assert d("GET", "k") is not None
    for i in range(310):
        d("GETBIT", "k", str(i))


# ---- BITCOUNT -----------------------------------------------------------------------------------

def test_bitcount_basic(d):
    d("SET", "k", "foobar")
    assert d("BITCOUNT", "k") == 26
    assert d("BITCOUNT", "k", "0", "0") == 4
    assert d("BITCOUNT", "k", "1", "1") == 6
    assert d("BITCOUNT", "k", "1", "1", "BYTE") == 6
    assert d("BITCOUNT", "k", "5", "30", "BIT") == 17
    assert d("BITCOUNT", "k", "5", "30", "bit") == 17
    assert d("BITCOUNT", "k", "0", "-1", "byte") == 26
    assert d("BITCOUNT", "nosuch") == 0
    assert d("BITCOUNT", "nosuch", "0", "-1") == 0
    d("SET", "e", "")
    assert d("BITCOUNT", "e") == 0
    assert d("BITCOUNT", "e", "0", "-1", "BIT") == 0
    d("SET", "i", "12345")
    assert d("BITCOUNT", "i") == 17  # the decimal text "12345"
    assert d("BITCOUNT", "i", "1", "2") == 7


BC_RANGES = [(0, -1), (0, 0), (-1, -1), (-2, -1), (1, -2), (5, 3), (-3, -5), (-5, -3), (-100, 100), (100, 200),
             (0, 100), (-100, -50), (3, 3), (LLONG_MIN, LLONG_MAX), (LLONG_MAX, LLONG_MAX), (LLONG_MIN, LLONG_MIN),
             (7, 8), (9, 22), (-9, -2), (0, 7), (8, 15), (1, 1)]


@pytest.mark.parametrize("unit", [None, "BYTE", "BIT"])
def test_bitcount_ranges(d, unit):
    d("SET", "k", b"\xff\x0f\xf0\xaa\x55\x01\x80\xff\x00\x7e\xe7")
    d("SET", "i", "-98765")
    d("SET", "e", "")
    extra = (unit,) if unit else ()
    for key in ("k", "i", "e"):
        for s, e in BC_RANGES:
            d("BITCOUNT", key, str(s), str(e), *extra)


def test_bitcount_errors(d):
    d("SET", "k", "foobar")
    assert d("BITCOUNT", "k", "0") == SYNTAX
    assert d("BITCOUNT", "k", "0", "1", "BITS") == SYNTAX
    assert d("BITCOUNT", "k", "0", "1", "BIT", "x") == SYNTAX
    assert d("BITCOUNT", "k", "a", "1") == NOT_INT
    assert d("BITCOUNT", "k", "0", "1.5") == NOT_INT
    assert d("BITCOUNT", "k", "0", "9223372036854775808") == NOT_INT


def test_bitcount_missing_key_checks_arguments(d):
    """Redis 7.2 checks the arguments before looking at the key; 7.0.15 replied 0."""
    c = d.cairn
    assert c.call("BITCOUNT", "nosuch", "0") == SYNTAX
    assert c.call("BITCOUNT", "nosuch", "a", "1") == NOT_INT
    assert c.call("BITCOUNT", "nosuch", "0", "1", "FOO") == SYNTAX
    assert c.call("BITCOUNT", "nosuch", "0", "1", "BIT", "x") == SYNTAX
    assert c.call("BITCOUNT", "nosuch", "0", "1", "BIT") == 0
    # 7.2 also reads the unit before the "both negative and inverted" shortcut (7.0.15: 0)
    c.call("SET", "k", "abc")
    assert c.call("BITCOUNT", "k", "-1", "-5", "FOO") == SYNTAX
    assert c.call("BITCOUNT", "k", "-1", "-5", "BIT") == 0


def test_bitcount_random(d):
    rnd = random.Random(2)
    for _ in range(40):
        value = bytes(rnd.choice([0, 255, rnd.randrange(256)]) for _ in range(rnd.randrange(1, 70)))
        d("SET", "k", value)
        n = len(value)
        for _ in range(10):
            s = rnd.randrange(-n * 9, n * 9)
            e = rnd.randrange(-n * 9, n * 9)
            d("BITCOUNT", "k", str(s), str(e), rnd.choice(["BIT", "BYTE"]))
            d("BITCOUNT", "k", str(s // 8), str(e // 8))


# ---- BITPOS ----------------------------------------------------------------------------------------

def test_bitpos_basic(d):
    d("SET", "k", b"\xff\xf0\x00")
    assert d("BITPOS", "k", "0") == 12
    assert d("BITPOS", "k", "1") == 0
    assert d("BITPOS", "k", "1", "2") == -1
    assert d("BITPOS", "k", "0", "2") == 16
    d("SET", "k", b"\x00\xff\xf0")
    assert d("BITPOS", "k", "1", "0") == 8
    assert d("BITPOS", "k", "1", "2") == 16
    assert d("BITPOS", "k", "1", "2", "-1", "BYTE") == 16
    assert d("BITPOS", "k", "1", "7", "15", "BIT") == 8
    assert d("BITPOS", "k", "1", "7", "-3", "bit") == 8
    d("SET", "ones", b"\xff\xff\xff")
    assert d("BITPOS", "ones", "0") == 24  # no explicit end: the string is zero-padded
    assert d("BITPOS", "ones", "0", "0") == 24
    assert d("BITPOS", "ones", "0", "0", "-1") == -1  # explicit end: not found
    assert d("BITPOS", "ones", "0", "3", "BIT") == NOT_INT  # 5 arguments: "BIT" is the end
    assert d("BITPOS", "ones", "0", "3", "-1", "BIT") == -1
    assert d("BITPOS", "ones", "0", "3") == -1  # start past the end
    assert d("BITPOS", "ones", "0", "2") == 24
    assert d("BITPOS", "nosuch", "1") == -1
    assert d("BITPOS", "nosuch", "0") == 0
    assert d("BITPOS", "nosuch", "0", "5", "10", "BIT") == 0
    d("SET", "e", "")
    assert d("BITPOS", "e", "0") == -1
    assert d("BITPOS", "e", "1") == -1
    d("SET", "z", b"\x00\x00")
    assert d("BITPOS", "z", "1") == -1
    assert d("BITPOS", "z", "0") == 0
    d("SET", "i", "100")
    assert d("BITPOS", "i", "0") == 0
    assert d("BITPOS", "i", "1", "1") == 10


def test_bitpos_errors(d):
    d("SET", "k", "abc")
    for bit in ("2", "-1", "10"):
        assert d("BITPOS", "k", bit) == ("error", b"ERR The bit argument must be 1 or 0.")
    assert d("BITPOS", "k", "a") == NOT_INT
    assert d("BITPOS", "k", "") == NOT_INT
    assert d("BITPOS", "k", "1", "a") == NOT_INT
    assert d("BITPOS", "k", "1", "0", "a") == NOT_INT
    assert d("BITPOS", "k", "1", "0", "1", "BITS") == SYNTAX
    assert d("BITPOS", "k", "1", "0", "a", "FOO") == SYNTAX  # the unit is checked before the end
    assert d("BITPOS", "k", "1", "0", "1", "BIT", "x") == SYNTAX
    assert d("BITPOS", "nosuch", "2") == ("error", b"ERR The bit argument must be 1 or 0.")


def test_bitpos_missing_key_checks_arguments(d):
    """Redis 7.2 checks the range arguments before looking at the key; 7.0.15 replied -1 / 0."""
    c = d.cairn
    assert c.call("BITPOS", "nosuch", "1", "a") == NOT_INT
    assert c.call("BITPOS", "nosuch", "0", "0", "a") == NOT_INT
    assert c.call("BITPOS", "nosuch", "1", "0", "1", "FOO") == SYNTAX
    assert c.call("BITPOS", "nosuch", "1", "0", "1", "BIT", "x") == SYNTAX
    assert c.call("BITPOS", "nosuch", "1", "0", "1", "BIT") == -1


def bitpos_model(value, bit, start=None, end=None, unit="BYTE"):
    """Plain Python statement of BITPOS, used to cross-check the randomised runs."""
    nbits = len(value) * 8
    bits = [(value[i // 8] >> (7 - i % 8)) & 1 for i in range(nbits)]
    total = nbits if unit == "BIT" else len(value)
    s = 0 if start is None else start
    e = total - 1 if end is None else end
    if s < 0:
        s += total
    if e < 0:
        e += total
    s, e = max(s, 0), max(e, 0)
    e = min(e, total - 1)
    if s > e:
        return -1
    if unit == "BYTE":
        s, e = s * 8, e * 8 + 7
    for i in range(s, e + 1):
        if bits[i] == bit:
            return i
    if bit == 0 and end is None:
        return e + 1
    return -1


def test_bitpos_random(d):
    rnd = random.Random(4)
    for _ in range(60):
        n = rnd.randrange(1, 40)
        fill = rnd.choice([0, 255])
        value = bytearray([fill] * n)
        for _ in range(rnd.randrange(0, 3)):
            value[rnd.randrange(n)] = rnd.randrange(256)
        value = bytes(value)
        d("SET", "k", value)
        for _ in range(12):
            bit = rnd.randrange(2)
            form = rnd.randrange(4)
            unit = rnd.choice(["BYTE", "BIT"])
            lim = n * 9 if unit == "BIT" else n + 3
            s, e = rnd.randrange(-lim, lim), rnd.randrange(-lim, lim)
            if form == 0:
                r = d("BITPOS", "k", str(bit))
                assert r == bitpos_model(value, bit)
            elif form == 1:
                r = d("BITPOS", "k", str(bit), str(s // 8))
                assert r == bitpos_model(value, bit, s // 8)
            elif form == 2:
                r = d("BITPOS", "k", str(bit), str(s), str(e), unit)
                assert r == bitpos_model(value, bit, s, e, unit)
            else:
                r = d("BITPOS", "k", str(bit), str(s // 8), str(e // 8))
                assert r == bitpos_model(value, bit, s // 8, e // 8)


def test_bitpos_long_runs(d):
    for fill, bit in ((b"\x00", 1), (b"\xff", 0)):
        for pos in (0, 7, 8, 63, 64, 65, 511, 4000, 8191):
            value = bytearray(fill * 1024)
            value[pos // 8] ^= 0x80 >> (pos % 8)
            d("SET", "k", bytes(value))
            assert d("BITPOS", "k", str(bit)) == pos
            assert d("BITPOS", "k", str(bit), "0", "-1", "BIT") == pos
            assert d("BITPOS", "k", str(bit), str(pos // 8)) == pos
            assert d("BITPOS", "k", str(bit), str(pos + 1), "-1", "BIT") == -1


# ---- BITOP ---------------------------------------------------------------------------------------------

def test_bitop_basic(d):
    d("SET", "a", b"\xff\x0f\x33")
    d("SET", "b", b"\x0f\xf0")
    d("SET", "c", b"\x01")
    assert d("BITOP", "AND", "dest", "a", "b") == 3
    assert d("GET", "dest") == b"\x0f\x00\x00"
    assert d("BITOP", "OR", "dest", "a", "b", "c") == 3
    assert d("GET", "dest") == b"\xff\xff\x33"
    assert d("BITOP", "XOR", "dest", "a", "b", "c") == 3
    assert d("GET", "dest") == b"\xf1\xff\x33"
    assert d("BITOP", "NOT", "dest", "a") == 3
    assert d("GET", "dest") == b"\x00\xf0\xcc"
    assert d("OBJECT", "ENCODING", "dest") == b"raw"
    assert d("BITOP", "and", "dest", "a") == 3
    assert d("GET", "dest") == b"\xff\x0f\x33"
    assert d("BITOP", "Or", "dest", "c") == 1
    assert d("OBJECT", "ENCODING", "dest") == b"raw"


def test_bitop_missing_and_empty(d):
    d("SET", "a", b"\xff\xff")
    assert d("BITOP", "AND", "dest", "a", "nosuch") == 2
    assert d("GET", "dest") == b"\x00\x00"
    assert d("BITOP", "OR", "dest", "nosuch", "a") == 2
    assert d("GET", "dest") == b"\xff\xff"
    assert d("BITOP", "XOR", "dest", "nosuch", "nosuch2") == 0
    assert d("EXISTS", "dest") == 0
    d("SET", "dest", "x")
    assert d("BITOP", "NOT", "dest", "nosuch") == 0
    assert d("EXISTS", "dest") == 0
    d("SET", "e", "")
    d("SET", "dest", "x")
    assert d("BITOP", "OR", "dest", "e", "e") == 0
    assert d("EXISTS", "dest") == 0
    d("RPUSH", "dl", "x")
    assert d("BITOP", "AND", "dl", "nosuch") == 0
    assert d("EXISTS", "dl") == 0


def test_bitop_dest_replaced(d):
    d("SET", "a", "abc")
    d("RPUSH", "dest", "x")
    assert d("BITOP", "OR", "dest", "a") == 3
    assert d("TYPE", "dest") == ("status", b"string")
    d("SET", "t", "v", "EX", "100")
    assert d("BITOP", "OR", "t", "a") == 3
    assert d("TTL", "t") == -1
    assert d("BITOP", "XOR", "a", "a", "a") == 3
    assert d("GET", "a") == b"\x00\x00\x00"
    d("SET", "s", "abc")
    assert d("BITOP", "NOT", "s", "s") == 3
    assert d("GET", "s") == bytes(255 - x for x in b"abc")


def test_bitop_int_sources(d):
    d("SET", "i", "12345")
    d("SET", "j", "-7")
    assert d("BITOP", "OR", "dest", "i", "j") == 5
    d("GET", "dest")
    assert d("BITOP", "NOT", "dest", "i") == 5
    d("GET", "dest")


def test_bitop_errors(d):
    d("SET", "a", "x")
    assert d("BITOP", "NAND", "dest", "a") == SYNTAX
    assert d("BITOP", "", "dest", "a") == SYNTAX
    assert d("BITOP", "ANDX", "dest", "a") == SYNTAX
    assert d("BITOP", "NOT", "dest", "a", "b") == ("error", b"ERR BITOP NOT must be called with a single source key.")
    assert d("BITOP", "not", "dest", "a", "a") == ("error", b"ERR BITOP NOT must be called with a single source key.")
    d("RPUSH", "l", "x")
    assert d("BITOP", "AND", "dest", "a", "l") == WRONGTYPE
    assert d("BITOP", "AND", "dest", "l", "nosuch") == WRONGTYPE
    assert d("EXISTS", "dest") == 0


def test_bitop_random(d):
    rnd = random.Random(6)
    for _ in range(60):
        keys = []
        for j in range(rnd.randrange(1, 5)):
            k = "s%d" % j
            keys.append(k)
            if rnd.randrange(5):
                d("SET", k, bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 40))))
            else:
                d("DEL", k)
        op = rnd.choice(["AND", "OR", "XOR", "NOT"])
        if op == "NOT":
            keys = keys[:1]
        d("BITOP", op, "dest", *keys)
        d("GET", "dest")


def test_bitop_long_strings(d):
    rnd = random.Random(8)
    a = bytes(rnd.randrange(256) for _ in range(5000))
    b = bytes(rnd.randrange(256) for _ in range(3333))
    d("SET", "a", a)
    d("SET", "b", b)
    for op in ("AND", "OR", "XOR"):
        assert d("BITOP", op, "dest", "a", "b") == 5000
        d("GET", "dest")
    assert d("BITOP", "NOT", "dest", "a") == 5000
    assert d("GET", "dest") == bytes(255 - x for x in a)


# ---- BITFIELD -----------------------------------------------------------------------------------------

def test_bitfield_basic(d):
    assert d("BITFIELD", "k", "SET", "i5", "100", "1", "GET", "u4", "0") == [0, 0]
    assert d("BITFIELD", "k", "INCRBY", "i5", "100", "1", "GET", "u4", "0") == [2, 0]
    assert d("BITFIELD", "k", "GET", "i5", "100") == [2]
    assert d("BITFIELD", "k") == []
    assert d("BITFIELD", "nosuch") == []
    assert d("EXISTS", "nosuch") == 0
    assert d("BITFIELD", "nosuch", "GET", "u8", "0", "GET", "i64", "1000") == [0, 0]
    assert d("EXISTS", "nosuch") == 0
    assert d("BITFIELD", "n", "set", "u8", "0", "255", "get", "u8", "0", "get", "i8", "0") == [0, 255, -1]
    assert d("GET", "n") == b"\xff"
    assert d("OBJECT", "ENCODING", "n") == b"raw"


def test_bitfield_hash_offsets(d):
    assert d("BITFIELD", "k", "SET", "u8", "#0", "1", "SET", "u8", "#1", "2", "SET", "u8", "#2", "3") == [0, 0, 0]
    assert d("GET", "k") == b"\x01\x02\x03"
    assert d("BITFIELD", "k", "GET", "u16", "#1", "GET", "u4", "#3", "INCRBY", "u8", "#2", "10") == [0x0300, 2, 13]
    assert d("BITFIELD", "k", "GET", "u8", "#") == BAD_OFFSET
    assert d("BITFIELD", "k", "GET", "u8", "#-1") == BAD_OFFSET
    assert d("BITFIELD", "k", "GET", "u8", "##1") == BAD_OFFSET
    assert d("BITFIELD", "k", "GET", "u8", "#a") == BAD_OFFSET
    assert d("BITFIELD", "k", "GET", "i64", "#9223372036854775807") == BAD_OFFSET
    assert d("BITFIELD", "k", "GET", "u8", "#536870912") == BAD_OFFSET


def test_bitfield_int_value(d):
    d("SET", "i", "255")
    assert d("BITFIELD", "i", "GET", "u8", "0", "GET", "u24", "0", "GET", "i32", "4") == \
        d.ref.call("BITFIELD", "i", "GET", "u8", "0", "GET", "u24", "0", "GET", "i32", "4")
    assert d("OBJECT", "ENCODING", "i") == b"int"
    assert d("BITFIELD", "i", "INCRBY", "u8", "0", "1") == [0x33]
    assert d("GET", "i") == b"355"
    assert d("OBJECT", "ENCODING", "i") == b"raw"


@pytest.mark.parametrize("mode", ["WRAP", "SAT", "FAIL"])
def test_bitfield_overflow_unsigned(d, mode):
    d("DEL", "k")
    for bits in (1, 2, 7, 8, 13, 32, 63):
        top = 2 ** bits - 1
        for value in ("0", "1", str(top), str(top + 1), "-1", str(LLONG_MAX), str(LLONG_MIN)):
            d("BITFIELD", "k", "OVERFLOW", mode, "SET", "u%d" % bits, "3", value, "GET", "u%d" % bits, "3")
        for start, incr in ((0, -1), (top, 1), (top, -top), (1, top), (5, -6), (0, LLONG_MAX), (top, LLONG_MIN),
                            (3, 2 ** 62), (top - 1, 1)):
            d("BITFIELD", "k", "SET", "u%d" % bits, "3", str(start % (top + 1)))
            d("BITFIELD", "k", "OVERFLOW", mode, "INCRBY", "u%d" % bits, "3", str(incr), "GET", "u%d" % bits, "3")
    d("GET", "k")


@pytest.mark.parametrize("mode", ["WRAP", "SAT", "FAIL"])
def test_bitfield_overflow_signed(d, mode):
    d("DEL", "k")
    for bits in (1, 2, 5, 8, 16, 33, 63, 64):
        hi = 2 ** (bits - 1) - 1
        lo = -hi - 1
        for value in ("0", "1", "-1", str(hi), str(lo), str(hi + 1), str(lo - 1), str(LLONG_MAX), str(LLONG_MIN),
                      str(LLONG_MIN + 5), str(-(2 ** 62))):
            d("BITFIELD", "k", "OVERFLOW", mode, "SET", "i%d" % bits, "5", value, "GET", "i%d" % bits, "5")
        for start, incr in ((hi, 1), (lo, -1), (0, hi), (0, lo), (-1, lo), (1, hi), (hi, LLONG_MIN), (lo, LLONG_MAX),
                            (hi, LLONG_MAX), (lo, LLONG_MIN), (0, LLONG_MAX), (0, LLONG_MIN), (-1, 2), (1, -2)):
            d("BITFIELD", "k", "SET", "i%d" % bits, "5", str(start))
            d("BITFIELD", "k", "OVERFLOW", mode, "INCRBY", "i%d" % bits, "5", str(incr), "GET", "i%d" % bits, "5")
    d("GET", "k")


def test_bitfield_overflow_examples(d):
    assert d("BITFIELD", "k", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT", "INCRBY", "u2", "102", "1") == [1, 1]
    for _ in range(4):
        d("BITFIELD", "k", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT", "INCRBY", "u2", "102", "1")
    assert d("BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "102", "1") == [None]
    assert d("BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "102", "-1", "INCRBY", "u2", "102", "-5",
             "OVERFLOW", "WRAP", "INCRBY", "u2", "102", "-5") == [2, None, 1]
    # SET far below the range of a narrow signed field counts as too high (Redis's arithmetic)
    assert d("BITFIELD", "s", "OVERFLOW", "SAT", "SET", "i8", "0", str(LLONG_MIN), "GET", "i8", "0") == [0, 127]
    assert d("BITFIELD", "s", "OVERFLOW", "SAT", "SET", "i8", "0", "-129", "GET", "i8", "0") == [127, -128]
    assert d("BITFIELD", "s", "OVERFLOW", "FAIL", "SET", "i8", "0", "128", "GET", "i8", "0") == [None, -128]


def test_bitfield_fail_still_creates_key(d):
    assert d("BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "10") == [None]
    assert d("GET", "k") == b"\x00" * 13
    assert d("BITFIELD", "k2", "OVERFLOW", "FAIL", "SET", "i4", "0", "100") == [None]
    assert d("STRLEN", "k2") == 1


def test_bitfield_errors(d):
    d("SET", "k", "abc")
    for t in ("i0", "u0", "i65", "u64", "x8", "", "i", "u", "8", "i8a", "i-1", "I100", "i 8", "u+8", "i08"):
        assert d("BITFIELD", "k", "GET", t, "0") == BAD_TYPE
        assert d("BITFIELD", "nosuch", "SET", t, "0", "1") == BAD_TYPE
    assert d("BITFIELD", "k", "GET", "I8", "0") == BAD_TYPE  # the letter is case-sensitive
    assert d("BITFIELD", "k", "GET", "U8", "0") == BAD_TYPE
    for off in ("-1", "a", "", "1.5", "4294967296"):
        assert d("BITFIELD", "k", "GET", "u8", off) == BAD_OFFSET
    assert d("BITFIELD", "k", "SET", "u8", "0", "a") == NOT_INT
    assert d("BITFIELD", "k", "INCRBY", "u8", "0", "1.5") == NOT_INT
    assert d("BITFIELD", "k", "SET", "u8", "0", "9223372036854775808") == NOT_INT
    assert d("BITFIELD", "k", "GET", "u8") == SYNTAX
    assert d("BITFIELD", "k", "SET", "u8", "0") == SYNTAX
    assert d("BITFIELD", "k", "INCRBY", "u8", "0") == SYNTAX
    assert d("BITFIELD", "k", "FOO", "u8", "0") == SYNTAX
    assert d("BITFIELD", "k", "OVERFLOW") == SYNTAX
    assert d("BITFIELD", "k", "GET", "u8", "0", "OVERFLOW") == SYNTAX
    assert d("BITFIELD", "k", "OVERFLOW", "FOO") == ("error", b"ERR Invalid OVERFLOW type specified")
    assert d("BITFIELD", "k", "OVERFLOW", "sat", "OVERFLOW", "fail", "OVERFLOW", "wrap") == []
    # every argument is checked before anything is written
    assert d("BITFIELD", "k", "SET", "u8", "0", "65", "GET", "x8", "0") == BAD_TYPE
    assert d("BITFIELD", "new", "SET", "u8", "0", "65", "SET", "u8", "8", "z") == NOT_INT
    assert d("GET", "k") == b"abc"
    assert d("EXISTS", "new") == 0


def test_bitfield_ro(d):
    d("SET", "k", b"\x12\x34")
    assert d("BITFIELD_RO", "k", "GET", "u8", "0", "GET", "i4", "4", "GET", "u16", "#0") == [0x12, 2, 0x1234]
    assert d("BITFIELD_RO", "k") == []
    assert d("BITFIELD_RO", "nosuch", "GET", "u8", "0") == [0]
    err = ("error", b"ERR BITFIELD_RO only supports the GET subcommand")
    assert d("BITFIELD_RO", "k", "SET", "u8", "0", "1") == err
    assert d("BITFIELD_RO", "k", "GET", "u8", "0", "INCRBY", "u8", "0", "1") == err
    assert d("BITFIELD_RO", "nosuch", "INCRBY", "u8", "0", "1") == err
    assert d("EXISTS", "nosuch") == 0
    assert d("BITFIELD_RO", "k", "SET", "u8", "0", "x") == NOT_INT
    assert d("BITFIELD_RO", "k", "OVERFLOW", "FAIL", "GET", "u8", "0") == [0x12]
    assert d("BITFIELD_RO", "k", "GET", "u99", "0") == BAD_TYPE
    assert d("BITFIELD_RO", "k", "FOO") == SYNTAX
    assert d("GET", "k") == b"\x12\x34"


def test_bitfield_keeps_ttl(d):
    for client in (d.cairn, d.ref):
        client.call("SET", "t", "a", "EX", "100")
        assert client.call("BITFIELD", "t", "SET", "u8", "16", "7") == [0]
        assert 99 <= client.call("TTL", "t") <= 100


def test_bitfield_random(d):
    rnd = random.Random(10)
    for _ in range(300):
        args = ["BITFIELD", "k"]
        for _ in range(rnd.randrange(1, 5)):
            sign = rnd.choice("iu")
            bits = rnd.randrange(1, 65 if sign == "i" else 64)
            offset = str(rnd.randrange(0, 200)) if rnd.randrange(4) else "#%d" % rnd.randrange(0, 6)
            op = rnd.randrange(4)
            if op == 0:
                args += ["GET", "%s%d" % (sign, bits), offset]
            elif op == 1:
                value = rnd.choice([rnd.randrange(-2 ** 63, 2 ** 63), rnd.randrange(-300, 300),
                                    rnd.randrange(-2 ** bits, 2 ** bits)])
                args += ["SET", "%s%d" % (sign, bits), offset, str(value)]
            elif op == 2:
                incr = rnd.choice([rnd.randrange(-2 ** 63, 2 ** 63), rnd.randrange(-300, 300),
                                   rnd.randrange(-2 ** bits, 2 ** bits)])
                args += ["INCRBY", "%s%d" % (sign, bits), offset, str(incr)]
            else:
                args += ["OVERFLOW", rnd.choice(["WRAP", "SAT", "FAIL"])]
        d(*args)
    d("GET", "k")


# ---- RESP3 -----------------------------------------------------------------------------------------------

def test_resp3(diff3):
    assert diff3("BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "7", "GET", "u2", "0") == [None, 0]
    assert diff3("SETBIT", "b", "3", "1") == 0
    assert diff3("GETBIT", "b", "3") == 1
    assert diff3("BITCOUNT", "b") == 1
    assert diff3("BITPOS", "b", "1") == 3
    assert diff3("BITOP", "NOT", "n", "b") == 1
    assert diff3("BITFIELD_RO", "n", "GET", "u8", "0") == [0xef]
