"""The reply path with large replies: bulk strings formatted in place in the
reply blocks, values that straddle two blocks, large replies sent while the
command still produces them (early flush), a socket that does not take
everything (the client reads late), a client that goes away in the middle,
deferred lengths in front of large output, MULTI/EXEC and CLIENT REPLY OFF.

Every reply is checked byte for byte against the RESP that the data must
give, and the same exchange is run on redis-server as the reference."""
import socket
import time

import pytest

from conftest import RawClient


def bulk(v):
    return b"$%d\r\n%s\r\n" % (len(v), v)


def array(items):
    return b"*%d\r\n" % len(items) + b"".join(bulk(v) for v in items)


def request(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(bulk(a))
    return b"".join(out)


def read_exact(sock, n, timeout=60):
    """n bytes from sock (all of them, or fail)."""
    sock.settimeout(timeout)
    chunks, got = [], 0
    while got < n:
        d = sock.recv(min(1 << 20, n - got))
        assert d, "connection closed after %d of %d bytes" % (got, n)
        chunks.append(d)
        got += len(d)
    return b"".join(chunks)


def values_for_blocks():
    """Element sizes that put bulk strings across every position of a 16 KB
    reply block: lengths 0..40, sizes around 1 KB, 4 KB, 16 KB and 20 KB, and
    integers (stored as numbers in the listpack)."""
    vals = []
    for i in range(41):
        vals.append(bytes([97 + i % 26]) * i)
    for n in (127, 128, 129, 1000, 1023, 1024, 1025, 4095, 4096, 4097, 16363, 16364, 16384, 16400, 20480, 65536):
        vals.append((b"%d-" % n) * (n // 4) + b"x" * (n - len(b"%d-" % n) * (n // 4)))
    for n in (0, 1, -1, 12, 255, 4095, 65535, 1 << 31, -(1 << 40), 9223372036854775807, -9223372036854775808):
        vals.append(str(n).encode())
    return vals


@pytest.fixture(params=["cairn", "redis"])
def server(request, cairn_server, redis_server, cairn, redis_ref):
    return cairn_server if request.param == "cairn" else redis_server


def fill(port, key, vals):
    c = RawClient(port)
    c.sock.sendall(b"".join(request("RPUSH", key, v) for v in vals))
    for i in range(len(vals)):
        assert c.read() == i + 1
    c.close()


def test_bulk_strings_across_block_boundaries(server):
    vals = values_for_blocks() * 3
    fill(server.port, "l", vals)
    s = socket.create_connection(("127.0.0.1", server.port))
    for start in (0, 1, 7, 41):
        s.sendall(request("LRANGE", "l", start, -1))
        want = array(vals[start:])
        assert read_exact(s, len(want)) == want
    # reversed order (LMPOP/RPOP COUNT walk from the tail) on a copy
    s.sendall(request("LMPOP", 1, "l", "RIGHT", "COUNT", len(vals)))
    want = b"*2\r\n" + bulk(b"l") + array(vals[::-1])
    assert read_exact(s, len(want)) == want
    s.close()


def test_large_replies_to_a_client_that_reads_late(server):
    """40 pipelined replies of ~300 KB each: far more than the socket buffers
    hold, so the server meets a full socket and must resume on writable."""
    vals = [(b"%04d" % i) * 256 for i in range(300)]  # 1 KB each
    fill(server.port, "big", vals)
    s = socket.create_connection(("127.0.0.1", server.port))
    s.sendall(b"".join(request("LRANGE", "big", 0, -1) for _ in range(40)) + request("PING"))
    time.sleep(0.3)  # let the server hit the full socket before anything is read
    want = array(vals) * 40 + b"+PONG\r\n"
    assert read_exact(s, len(want)) == want
    s.close()


def test_client_closes_while_a_large_reply_is_written(server):
    vals = [b"v" * 4096] * 200
    fill(server.port, "big", vals)
    for _ in range(3):
        s = socket.create_connection(("127.0.0.1", server.port))
        s.sendall(b"".join(request("LRANGE", "big", 0, -1) for _ in range(30)))
        s.recv(1000)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()  # reset: the server's next write fails
    c = RawClient(server.port)
    assert c.call("PING") == ("status", b"PONG")
    assert c.call("LLEN", "big") == 200
    c.close()


def test_deferred_length_before_large_output(server):
    """KEYS writes its count after the keys: the output behind the unfilled
    length must wait for it, however large it grows."""
    names = [b"key:%05d:" % i + b"k" * 200 for i in range(1500)]
    c = RawClient(server.port)
    c.sock.sendall(b"".join(request("SET", k, "1") for k in names))
    for _ in names:
        assert c.read() == ("status", b"OK")
    got = c.call("KEYS", "key:*")
    assert sorted(got) == sorted(names)
    # and a reply queued behind it arrives intact
    c.send("KEYS", "key:0*")
    c.send("ECHO", b"e" * 70000)
    assert sorted(c.read()) == sorted(n for n in names if n.startswith(b"key:0"))
    assert c.read() == b"e" * 70000
    c.close()


def test_multi_exec_with_large_replies(server):
    vals = [(b"%03d" % i) * 300 for i in range(250)]
    fill(server.port, "big", vals)
    s = socket.create_connection(("127.0.0.1", server.port))
    s.sendall(request("MULTI") + b"".join(request("LRANGE", "big", 0, -1) for _ in range(4)) +
              request("LLEN", "big") + request("EXEC"))
    want = b"+OK\r\n" + b"+QUEUED\r\n" * 5 + b"*5\r\n" + array(vals) * 4 + b":250\r\n"
    assert read_exact(s, len(want)) == want
    s.close()


def test_client_reply_off_drops_large_replies(server):
    vals = [b"z" * 2000] * 200
    fill(server.port, "big", vals)
    s = socket.create_connection(("127.0.0.1", server.port))
    s.sendall(request("CLIENT", "REPLY", "OFF") + request("LRANGE", "big", 0, -1) * 3 +
              request("CLIENT", "REPLY", "SKIP") + request("LRANGE", "big", 0, -1) +
              request("CLIENT", "REPLY", "ON") + request("PING"))
    want = b"+OK\r\n+PONG\r\n"
    assert read_exact(s, len(want)) == want
    s.settimeout(0.3)
    with pytest.raises(socket.timeout):
        s.recv(1)
    s.close()


def test_resp3_large_reply(cairn_server, redis_server, cairn, redis_ref):
    vals = [(b"%d" % i) * (i % 700) for i in range(400)]
    fill(cairn_server.port, "l", vals)
    fill(redis_server.port, "l", vals)
    a = RawClient(cairn_server.port, resp=3)
    b = RawClient(redis_server.port, resp=3)
    for args in (("LRANGE", "l", 0, -1), ("LRANGE", "l", -150, -2), ("LPOP", "l", 300)):
        x, y = a.call(*args), b.call(*args)
        assert x == y
    assert x == vals[:300]
    a.close()
    b.close()


def test_integer_and_length_formatting(server):
    """Integers at every digit count and sign, as integer replies, bulk
    strings of listpack integers, and aggregate lengths."""
    nums = [0, 1, -1, 9223372036854775807, -9223372036854775808]
    for k in range(1, 19):
        nums += [10 ** k - 1, 10 ** k, -(10 ** k - 1), -(10 ** k)]
    s = socket.create_connection(("127.0.0.1", server.port))
    for n in nums:
        s.sendall(request("SET", "n", n) + request("INCRBY", "n", 0) + request("DEL", "l") +
                  request("RPUSH", "l", n) + request("LRANGE", "l", 0, -1))
        w = b"+OK\r\n:%d\r\n" % n
        got = read_exact(s, len(w) + 4)
        assert got[:len(w)] == w and got[len(w):] in (b":0\r\n", b":1\r\n")
        w = b":1\r\n*1\r\n$%d\r\n%d\r\n" % (len(str(n)), n)
        assert read_exact(s, len(w)) == w
    # array lengths at digit boundaries
    for n in (9, 10, 99, 100, 999, 1000, 10000):
        s.sendall(request("DEL", "l") + request("RPUSH", "l", *([b"x"] * n)) + request("LRANGE", "l", 0, -1))
        w = b":1\r\n:%d\r\n*%d\r\n" % (n, n) + b"$1\r\nx\r\n" * n
        assert read_exact(s, len(w)) == w
    s.close()
