"""A client's emptied reply block is kept for its next replies (clientWrite):
replies stay byte-exact across small, large (> 16 KB) and pipelined replies,
and CLIENT LIST still shows oll=0 / omem=0 once everything is sent, as Redis."""
import re
import socket

from conftest import RawClient


def test_replies_after_reuse(d):
    d("FLUSHALL")
    d("SET", "small", "v")
    d("SET", "big", "x" * 40000)
    for _ in range(3):
        d("GET", "small")
        d("GET", "big")
        d("PING")
        d("GET", "small")
    d("RPUSH", "l", *[str(i) * 50 for i in range(1000)])
    d("LRANGE", "l", "0", "-1")
    d("GET", "small")


def test_pipelined_replies_after_reuse(cairn_server, redis_server):
    req = b"".join(b"*2\r\n$3\r\nGET\r\n$5\r\nsmall\r\n" if i % 3 else b"*1\r\n$4\r\nPING\r\n" for i in range(500))
    out = []
    for port in (cairn_server.port, redis_server.port):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"*3\r\n$3\r\nSET\r\n$5\r\nsmall\r\n$3\r\nabc\r\n")
        assert s.recv(100) == b"+OK\r\n"
        for _ in range(2):
            s.sendall(req)
            want = b"".join(b"$3\r\nabc\r\n" if i % 3 else b"+PONG\r\n" for i in range(500))
            got = b""
            while len(got) < len(want):
                chunk = s.recv(65536)
                assert chunk
                got += chunk
            assert got == want
        out.append(got)
        s.close()
    assert out[0] == out[1]


def test_client_list_oll_after_reuse(cairn_server, redis_server):
    for port in (cairn_server.port, redis_server.port):
        c = RawClient(port)
        c.call("SET", "k", "v")
        c.call("GET", "k")
        info = c.call("CLIENT", "INFO")
        text = info.decode() if isinstance(info, bytes) else info
        assert re.search(r" oll=0 ", text), text
        assert re.search(r" omem=0 ", text), text
        c.close()


def test_large_pipelined_replies_partial_writes(cairn_server):
    """Many multi-block replies (40 KB values) queued while the client does not
    read: gathered writes resume mid-block after partial sends, bytes exact."""
    s = socket.create_connection(("127.0.0.1", cairn_server.port))
    val = bytes((i * 7) % 251 for i in range(40000))
    s.sendall(b"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$40000\r\n" + val + b"\r\n")
    assert s.recv(100) == b"+OK\r\n"
    n = 80
    s.sendall(b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n" * n + b"*1\r\n$4\r\nPING\r\n")
    want = (b"$40000\r\n" + val + b"\r\n") * n + b"+PONG\r\n"
    got = b""
    while len(got) < len(want):
        chunk = s.recv(7000)
        assert chunk
        got += chunk
    assert got == want
    s.close()
