"""The pieces of bench/run.py that turn server replies and redis-benchmark
output into figures: the redis-benchmark output parser, the pipelined loader
(reply counting and error detection), the raw RESP reader on large bulks, and
the probe that marks commands as unsupported. Fast: no benchmark is run."""

import importlib.util
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_spec = importlib.util.spec_from_file_location("bench_run", os.path.join(ROOT, "bench", "run.py"))
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

# Shape of redis-benchmark 7.0's default output for one test (progress lines
# end in \r; the numbers here are made up for the test).
RB_SAMPLE = (
    "SET: rps=0.0 (overall: 0.0) avg_msec=-nan (overall: -nan)\r"
    "SET: rps=35000.0 (overall: 35000.0) avg_msec=0.700 (overall: 0.700)\r"
    "====== SET ======\n"
    "  20000 requests completed in 0.50 seconds\n"
    "  50 parallel clients\n"
    "  3 bytes payload\n"
    "\n"
    "Latency by percentile distribution:\n"
    "0.000% <= 0.119 milliseconds (cumulative count 2)\n"
    "50.000% <= 0.599 milliseconds (cumulative count 10261)\n"
    "99.805% <= 10.375 milliseconds (cumulative count 19961)\n"
    "99.902% <= 11.631 milliseconds (cumulative count 19981)\n"
    "99.951% <= 11.807 milliseconds (cumulative count 19991)\n"
    "100.000% <= 13.919 milliseconds (cumulative count 20000)\n"
    "\n"
    "Cumulative distribution of latencies:\n"
    "99.825% <= 11.103 milliseconds (cumulative count 19965)\n"
    "99.990% <= 12.103 milliseconds (cumulative count 19998)\n"
    "100.000% <= 14.103 milliseconds (cumulative count 20000)\n"
    "\n"
    "Summary:\n"
    "  throughput summary: 33955.86 requests per second\n"
    "  latency summary (msec):\n"
    "          avg       min       p50       p95       p99       max\n"
    "        0.854     0.112     0.599     1.887     6.631    13.919\n"
    "LRANGE_100 (first 100 elements): rps=1.0\r"
    "====== LRANGE_100 (first 100 elements) ======\n"
    "Summary:\n"
    "  throughput summary: 1234.50 requests per second\n"
)


def test_parse_rb_figures():
    out = bench.parse_rb(RB_SAMPLE)
    assert set(out) == {"SET", "LRANGE_100 (first 100 elements)"}
    s = out["SET"]
    assert s["rps"] == pytest.approx(33955.86)
    assert s["p50"] == pytest.approx(0.599)
    assert s["p99"] == pytest.approx(6.631)
    # smallest latency printed at >= 99.9%: 11.631 (99.902%), not 11.103 (99.825%)
    assert s["p999"] == pytest.approx(11.631)
    assert out["LRANGE_100 (first 100 elements)"]["rps"] == pytest.approx(1234.5)
    assert "p999" not in out["LRANGE_100 (first 100 elements)"]


@pytest.fixture(params=["cairn", "redis"])
def server_port(request, cairn_server, redis_server):
    srv = cairn_server if request.param == "cairn" else redis_server
    c = bench.Conn(srv.port)
    c.call("FLUSHALL")
    c.close()
    return srv.port


def test_pipeline_counts_replies_and_loads(server_port):
    c = bench.Conn(server_port)
    try:
        cmds = b"".join(bench.enc("MSET", *[b"k:%d:%d" % (j, i) for i in range(50) for _ in (0, 1)])
                        for j in range(300))
        dt, err = bench.pipeline_lines(c, cmds, 300)
        assert err is None and dt > 0
        assert c.call("DBSIZE") == 300 * 50
        assert c.call("GET", "k:299:49") == b"k:299:49"
    finally:
        c.close()


def test_pipeline_reports_first_error(server_port):
    c = bench.Conn(server_port)
    try:
        cmds = bench.enc("SET", "a", "1") + bench.enc("NOSUCHCMD", "x") + bench.enc("INCR", "a")
        dt, err = bench.pipeline_lines(c, cmds, 3)
        assert err is not None and err.startswith("ERR unknown command 'NOSUCHCMD'")
        assert c.call("GET", "a") == b"2"
        # an error as the very first reply is found too
        dt, err = bench.pipeline_lines(c, bench.enc("INCR", "nan", "x"), 1)
        assert err.startswith("ERR wrong number of arguments")
    finally:
        c.close()


def test_conn_reads_large_bulk_and_types(server_port):
    c = bench.Conn(server_port)
    try:
        big = os.urandom(3 * 1024 * 1024 + 7)
        assert c.call("SET", "big", big) == b"OK"
        assert c.call("GET", "big") == big
        assert c.call("GET", "missing") is None
        assert c.call("INCRBY", "n", "-5") == -5
        assert bench.is_unknown(c.call("NOSUCHCMD"))
        assert c.call("MGET", "n", "missing") == [b"-5", None]
    finally:
        c.close()


class _Srv:
    def __init__(self, port):
        self.port = port

    def conn(self):
        return bench.Conn(self.port)


def test_probe_reference_knows_everything(redis_server):
    assert bench.probe(_Srv(redis_server.port)) == set()


def test_probe_cairn_string_commands(cairn_server):
    missing = bench.probe(_Srv(cairn_server.port))
    assert not missing & {"PING", "SET", "GET", "INCR", "MSET", "FLUSHALL"}
    assert missing <= set(bench.PROBES)
    # the probe leaves no keys behind
    c = bench.Conn(cairn_server.port)
    try:
        assert c.call("DBSIZE") == 0
    finally:
        c.close()
