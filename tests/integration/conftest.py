"""Shared fixtures: start the real Cairn binary (and Debian's redis-server as the
reference for differential tests) on free loopback ports.

Fixtures:
  cairn_server  -- a running Cairn process for the whole module (ServerProc)
  redis_server  -- a running redis-server 7.0.15 for the whole module
  cairn         -- redis-py client (RESP2, bytes) to a flushed Cairn
  redis_ref     -- redis-py client to a flushed redis-server
  cairn_resp3 / redis_ref_resp3 -- the same over RESP3 (redis-py 4.3 lacks RESP3,
                   so these are raw-socket clients: see RawClient)
  diff          -- diff(*args): run a command on both through redis-py, assert
                   identical replies (values and error strings), return the reply.
                   The command name is sent as bytes so redis-py applies no reply
                   callbacks: raw replies are compared.
  d             -- the same over raw RESP2 sockets (reply types kept: status vs
                   bulk...); d.cairn / d.ref are the two RawClients
  diff3         -- the same over RESP3 raw connections
The binary under test is $CAIRN_SERVER (default src/cairn-server).
"""
import os
import socket
import subprocess
import time

import pytest
import redis

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CAIRN_BIN = os.path.join(ROOT, os.environ.get("CAIRN_SERVER", "src/cairn-server"))
REDIS_BIN = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")
VECTORS = os.path.abspath(os.path.join(ROOT, "..", "shared", "vectors"))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class ServerProc:
    """A server process on a loopback port; stop() checks it exited cleanly."""

    def __init__(self, binary, extra_args=(), tmpdir=None):
        self.port = free_port()
        self.binary = binary
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no"] + list(extra_args)
        if binary == REDIS_BIN:
            args += ["--daemonize", "no", "--enable-debug-command", "yes"]
        self.logpath = os.path.join(tmpdir or "/tmp", "srv-%d.log" % self.port)
        self.log = open(self.logpath, "wb")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, cwd=tmpdir or "/tmp")
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.02)
        raise RuntimeError("server %s did not start: %s" % (binary, open(self.logpath).read()))

    def client(self, **kw):
        return redis.Redis(host="127.0.0.1", port=self.port, decode_responses=False,
                           socket_timeout=30, **kw)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


class RawClient:
    """A minimal RESP2/RESP3 client over a socket that keeps reply types:
    status -> ('status', b'OK'), error -> ('error', b'ERR ..'), double -> ('double', b'1.5'),
    map -> ('map', [k, v, ...]), set -> ('set', [...]), bool -> ('bool', True),
    bignum -> ('big', b'..'), verbatim -> ('verbatim', b'txt', b'..'), null -> None,
    push -> ('push', [...]); integers, bulk strings and arrays are plain ints, bytes, lists."""

    def __init__(self, port, resp=2):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""
        if resp == 3:
            r = self.call("HELLO", "3")
            assert isinstance(r, tuple) and r[0] == "map", r

    def close(self):
        self.sock.close()

    def send(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if isinstance(a, int):
                a = str(a).encode()
            elif isinstance(a, str):
                a = a.encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))

    def call(self, *args):
        self.send(*args)
        return self.read()

    def _fill(self):
        d = self.sock.recv(65536)
        if not d:
            raise ConnectionError("connection closed")
        self.buf += d

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return ("status", rest)
        if t == b"-":
            return ("error", rest)
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if t in (b"*", b"~", b">"):
            n = int(rest)
            if n < 0:
                return None
            items = [self.read() for _ in range(n)]
            return items if t == b"*" else ("set" if t == b"~" else "push", items)
        if t == b"%":
            n = int(rest)
            return ("map", [self.read() for _ in range(2 * n)])
        if t == b"_":
            return None
        if t == b",":
            return ("double", rest)
        if t == b"#":
            return ("bool", rest == b"t")
        if t == b"(":
            return ("big", rest)
        if t == b"=":
            data = self._exact(int(rest))
            return ("verbatim", data[:3], data[4:])
        raise ValueError("bad reply type %r" % line)


@pytest.fixture(scope="module")
def cairn_server(tmp_path_factory):
    s = ServerProc(CAIRN_BIN, tmpdir=str(tmp_path_factory.mktemp("cairn")))
    yield s
    alive = s.alive()
    rc = s.stop()
    log = open(s.logpath, "rb").read().decode(errors="replace")
    assert alive, "Cairn died during the tests:\n" + log[-4000:]
    assert "ERROR: AddressSanitizer" not in log and "runtime error:" not in log, log[-6000:]
    assert rc == 0, "Cairn exited with %r:\n%s" % (rc, log[-4000:])


@pytest.fixture
def raw(cairn_server, cairn):
    """A raw RESP2 connection to the module's Cairn (suites may override it)."""
    c = RawClient(cairn_server.port)
    yield c
    c.close()


@pytest.fixture
def raw_ref(redis_server, redis_ref):
    """A raw RESP2 connection to the module's redis-server."""
    c = RawClient(redis_server.port)
    yield c
    c.close()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    s = ServerProc(REDIS_BIN, tmpdir=str(tmp_path_factory.mktemp("redis")))
    yield s
    s.stop()


@pytest.fixture
def cairn(cairn_server):
    c = cairn_server.client()
    c.execute_command("FLUSHALL")
    yield c
    c.close()


@pytest.fixture
def redis_ref(redis_server):
    c = redis_server.client()
    c.execute_command("FLUSHALL")
    yield c
    c.close()


@pytest.fixture
def cairn_resp3(cairn_server, cairn):
    c = RawClient(cairn_server.port, resp=3)
    yield c
    c.close()


@pytest.fixture
def redis_ref_resp3(redis_server, redis_ref):
    c = RawClient(redis_server.port, resp=3)
    yield c
    c.close()


# Replies as RawClient returns them, shared by the suites.
WRONGTYPE = ("error", b"WRONGTYPE Operation against a key holding the wrong kind of value")
NOT_INT = ("error", b"ERR value is not an integer or out of range")
NOT_FLOAT = ("error", b"ERR value is not a valid float")
SYNTAX = ("error", b"ERR syntax error")
OK = ("status", b"OK")
LLONG_MAX = 9223372036854775807
LLONG_MIN = -9223372036854775808


def raw_args(args):
    """Command name as bytes: redis-py then skips its reply callbacks (which
    turn OK into True, parse SCAN, need extra arguments for OBJECT...), so the
    raw replies are compared."""
    return tuple(a.encode() if i == 0 and isinstance(a, str) else a for i, a in enumerate(args))


def run_raw(client, *args):
    """Run a command with redis-py and return the raw reply, or ("error", text) for errors."""
    try:
        return client.execute_command(*raw_args(args))
    except redis.exceptions.ResponseError as e:
        return ("error", str(e))


@pytest.fixture
def diff(cairn, redis_ref):
    def _diff(*args):
        a = run_raw(cairn, *args)
        b = run_raw(redis_ref, *args)
        assert a == b, "command %r: cairn=%r redis=%r" % (args, a, b)
        return a
    return _diff


@pytest.fixture
def d(cairn_server, redis_server, cairn, redis_ref):
    """diff over raw RESP2 sockets (types kept). d.cairn / d.ref are the raw clients."""
    a = RawClient(cairn_server.port)
    b = RawClient(redis_server.port)

    def run(*args):
        x = a.call(*args)
        y = b.call(*args)
        assert x == y, "command %r: cairn=%r redis=%r" % (args, x, y)
        return x

    run.cairn = a
    run.ref = b
    yield run
    a.close()
    b.close()


@pytest.fixture
def diff3(cairn_resp3, redis_ref_resp3):
    """Like diff, over RESP3 raw connections (types compared too)."""
    def _diff(*args):
        a = cairn_resp3.call(*args)
        b = redis_ref_resp3.call(*args)
        assert a == b, "command %r: cairn=%r redis=%r" % (args, a, b)
        return a
    return _diff
