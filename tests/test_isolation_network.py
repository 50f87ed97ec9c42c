"""Network isolation: small tests get no network at all, medium tests loopback only.

One generated module holds every route three times (small, medium, large) against servers a
session fixture starts on loopback; the outer tests assert each one's outcome by name. Nothing
here sends a packet off this machine: "remote" addresses are TEST-NET and documentation
addresses, refused before any packet is sent, and large tests use loopback.
"""

from __future__ import annotations

import re

import pytest

from conftest import outcome_of

pytestmark = pytest.mark.plugins("respx")

ROUTES = """
import asyncio
import http.client
import socket
import threading
import urllib.request
import uuid

import _socket
import httpx
import pytest

socket.setdefaulttimeout(5)
SIZES = [pytest.param(s, marks=getattr(pytest.mark, s), id=s) for s in ("small", "medium", "large")]


def serve(server):
    def loop():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(4096)
                    conn.sendall(b"HTTP/1.0 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok")
                except OSError:
                    pass

    threading.Thread(target=loop, daemon=True).start()


@pytest.fixture(scope="session")
def servers():
    tcp4 = socket.create_server(("127.0.0.1", 0))
    tcp6 = socket.create_server(("::1", 0), family=socket.AF_INET6)
    unix = socket.socket(socket.AF_UNIX)
    unix.bind("\\0ptc-" + uuid.uuid4().hex)
    unix.listen()
    udp4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp4.bind(("127.0.0.1", 0))
    udp6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    udp6.bind(("::1", 0))
    for server in (tcp4, tcp6, unix):
        serve(server)
    return {
        "tcp4": tcp4.getsockname(),
        "tcp6": tcp6.getsockname()[:2],
        "unix": unix.getsockname(),
        "udp4": udp4.getsockname(),
        "udp6": udp6.getsockname()[:2],
    }


@pytest.fixture
def made_in_fixture():
    with socket.socket() as sock:
        yield sock


def tcp4_connect(s, fixture_sock):
    with socket.socket() as sock:
        sock.connect(s["tcp4"])


def tcp4_connect_ex(s, fixture_sock):
    with socket.socket() as sock:
        assert sock.connect_ex(s["tcp4"]) == 0


def tcp6_connect(s, fixture_sock):
    with socket.socket(socket.AF_INET6) as sock:
        sock.connect(s["tcp6"])


def tcp6_mapped_loopback(s, fixture_sock):
    with socket.socket(socket.AF_INET6) as sock:
        sock.connect(("::ffff:127.0.0.1", s["tcp4"][1]))


def tcp_localhost_name(s, fixture_sock):
    socket.create_connection(("localhost", s["tcp4"][1])).close()


def udp4_sendto(s, fixture_sock):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(b"x", s["udp4"])


def udp6_sendto(s, fixture_sock):
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
        sock.sendto(b"x", s["udp6"])


def udp4_sendmsg(s, fixture_sock):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendmsg([b"x"], [], 0, s["udp4"])


def udp6_connect(s, fixture_sock):
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
        sock.connect(s["udp6"])
        sock.send(b"x")


def tcp4_bind(s, fixture_sock):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))


def tcp6_bind(s, fixture_sock):
    with socket.socket(socket.AF_INET6) as sock:
        sock.bind(("::1", 0))


def create_server(s, fixture_sock):
    socket.create_server(("127.0.0.1", 0)).close()


def unix_connect(s, fixture_sock):
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(s["unix"])


def c_module_socket(s, fixture_sock):
    sock = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
    try:
        sock.connect(s["tcp4"])
    finally:
        sock.close()


def socket_subclass(s, fixture_sock):
    class Mine(socket.socket):
        pass

    with Mine() as sock:
        sock.connect(s["tcp4"])


def socket_from_fixture(s, fixture_sock):
    fixture_sock.connect(s["tcp4"])


def bound_before_the_test(s, fixture_sock):
    CONNECT(fixture_sock, s["tcp4"])


CONNECT = socket.socket.connect


def dns_getaddrinfo(s, fixture_sock):
    assert socket.getaddrinfo("localhost", 80)


def dns_gethostbyname(s, fixture_sock):
    assert socket.gethostbyname("localhost")


def http_client(s, fixture_sock):
    conn = http.client.HTTPConnection(*s["tcp4"], timeout=5)
    conn.request("GET", "/")
    assert conn.getresponse().read() == b"ok"
    conn.close()


def urllib_urlopen(s, fixture_sock):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    host, port = s["tcp4"]
    with opener.open(f"http://{host}:{port}/", timeout=5) as response:
        assert response.read() == b"ok"


def httpx_unmocked(s, fixture_sock):
    host, port = s["tcp4"]
    assert httpx.get(f"http://{host}:{port}/", trust_env=False).text == "ok"


async def asyncio_open_connection(s, fixture_sock):
    reader, writer = await asyncio.open_connection(*s["tcp4"])
    writer.write(b"GET / HTTP/1.0\\r\\n\\r\\n")
    assert (await reader.read()).endswith(b"ok")
    writer.close()
    await writer.wait_closed()


async def asyncio_start_server(s, fixture_sock):
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    server.close()
    await server.wait_closed()


async def asyncio_datagram_endpoint(s, fixture_sock):
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        asyncio.DatagramProtocol, remote_addr=s["udp4"]
    )
    transport.sendto(b"x")
    transport.close()


async def asyncio_unix_connection(s, fixture_sock):
    reader, writer = await asyncio.open_unix_connection(s["unix"])
    writer.close()
    await writer.wait_closed()


ROUTES = {f.__name__: f for f in list(globals().values()) if getattr(f, "__code__", None)
          and f.__code__.co_varnames[:2] == ("s", "fixture_sock")}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("route", sorted(ROUTES))
async def test_route(route, size, servers, made_in_fixture):
    result = ROUTES[route](servers, made_in_fixture)
    if asyncio.iscoroutine(result):
        await result


@pytest.mark.parametrize("size", SIZES[:2])
@pytest.mark.parametrize(
    "operation",
    ["connect", "connect_ex", "udp_sendto", "tcp6_connect", "bind_any", "bind_wildcard_v6",
     "dns_name", "reverse_dns"],
)
def test_remote(operation, size):
    with socket.socket(socket.AF_INET6 if "6" in operation else socket.AF_INET,
                       socket.SOCK_DGRAM if "udp" in operation else socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        if operation == "connect":
            sock.connect(("192.0.2.1", 9))
        elif operation == "connect_ex":
            sock.connect_ex(("192.0.2.1", 9))
        elif operation == "udp_sendto":
            sock.sendto(b"x", ("192.0.2.1", 9))
        elif operation == "tcp6_connect":
            sock.connect(("2001:db8::1", 9))
        elif operation == "bind_any":
            sock.bind(("0.0.0.0", 0))
        elif operation == "bind_wildcard_v6":
            sock.bind(("::", 0))
        elif operation == "dns_name":
            socket.getaddrinfo("example.invalid", 80)
        elif operation == "reverse_dns":
            socket.gethostbyaddr("192.0.2.1")


@pytest.mark.parametrize("size", SIZES)
def test_listen_unbound(size):
    with socket.socket() as sock:
        sock.listen()


@pytest.mark.parametrize("size", SIZES[1:])
def test_listen_loopback(size):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()


@pytest.mark.parametrize("size", SIZES)
def test_unix_bind_abstract(size):
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind("\\0ptc-" + uuid.uuid4().hex)


@pytest.mark.small
def test_small_may_use_socketpair_and_literals():
    a, b = socket.socketpair()
    with a, b:
        a.sendall(b"ping")
        assert b.recv(4) == b"ping"
    assert socket.getaddrinfo("127.0.0.1", 80, type=socket.SOCK_STREAM)
    assert socket.gethostname()
"""

#: For each route, the operation and the start of the target a small test is stopped at.
SMALL_STOPS = {
    "asyncio_datagram_endpoint": "socket.connect 127.0.0.1:",
    "asyncio_open_connection": "socket.connect 127.0.0.1:",
    "asyncio_start_server": "socket.bind 127.0.0.1:0",
    "asyncio_unix_connection": "socket.connect @ptc-",
    "bound_before_the_test": "socket.connect 127.0.0.1:",
    "c_module_socket": "socket.connect 127.0.0.1:",
    "create_server": "socket.bind 127.0.0.1:0",
    "dns_getaddrinfo": "socket.getaddrinfo localhost:80",
    "dns_gethostbyname": "socket.gethostbyname localhost",
    "http_client": "socket.connect 127.0.0.1:",
    "httpx_unmocked": "socket.connect 127.0.0.1:",
    "socket_from_fixture": "socket.connect 127.0.0.1:",
    "socket_subclass": "socket.connect 127.0.0.1:",
    "tcp4_bind": "socket.bind 127.0.0.1:0",
    "tcp4_connect": "socket.connect 127.0.0.1:",
    "tcp4_connect_ex": "socket.connect 127.0.0.1:",
    "tcp6_bind": "socket.bind [::1]:0",
    "tcp6_connect": "socket.connect [::1]:",
    "tcp6_mapped_loopback": "socket.connect [::ffff:127.0.0.1]:",
    "tcp_localhost_name": "socket.getaddrinfo localhost:",
    "udp4_sendmsg": "socket.sendmsg 127.0.0.1:",
    "udp4_sendto": "socket.sendto 127.0.0.1:",
    "udp6_connect": "socket.connect [::1]:",
    "udp6_sendto": "socket.sendto [::1]:",
    "unix_connect": "socket.connect @ptc-",
    "urllib_urlopen": "socket.connect 127.0.0.1:",
}

REMOTE_STOPS = {
    "connect": "socket.connect 192.0.2.1:9",
    "connect_ex": "socket.connect 192.0.2.1:9",
    "udp_sendto": "socket.sendto 192.0.2.1:9",
    "tcp6_connect": "socket.connect [2001:db8::1]:9",
    "bind_any": "socket.bind 0.0.0.0:0",
    "bind_wildcard_v6": "socket.bind [::]:0",
    "dns_name": "socket.getaddrinfo example.invalid:80",
    "reverse_dns": "socket.gethostbyaddr 192.0.2.1",
}


def stopped(output: str, result: pytest.RunResult, test: str, size: str, what: str) -> None:
    """``test`` failed, and its violation names the network, its size and ``what``."""
    assert outcome_of(result, test) == "FAILED", test
    assert f"[TC101] test_subject.py::{test} ({size} test) used the network: {what}" in output


@pytest.mark.plugins("asyncio")
def test_every_route_is_stopped_in_small_and_works_in_medium_and_large(run) -> None:
    result = run(ROUTES, "-v")
    output = result.stdout.str()
    routes = {
        match.group(1)
        for match in map(
            re.compile(r"^test_subject\.py::test_route\[(\w+)-small\] ").match, result.outlines
        )
        if match
    }
    assert routes == set(SMALL_STOPS)  # every route of the module has an expectation here

    for route, what in SMALL_STOPS.items():
        stopped(output, result, f"test_route[{route}-small]", "small", what)
        for size in ("medium", "large"):
            assert outcome_of(result, f"test_route[{route}-{size}]") == "PASSED", (route, size)

    for operation, what in REMOTE_STOPS.items():
        for size in ("small", "medium"):
            stopped(output, result, f"test_remote[{operation}-{size}]", size, what)

    for size in ("small", "medium"):
        stopped(output, result, f"test_listen_unbound[{size}]", size, "socket.listen 0.0.0.0:0")
    for test in ("listen_unbound[large]", "listen_loopback[medium]", "listen_loopback[large]"):
        assert outcome_of(result, f"test_{test}") == "PASSED"

    stopped(output, result, "test_unix_bind_abstract[small]", "small", "socket.bind @ptc-")
    assert outcome_of(result, "test_unix_bind_abstract[medium]") == "PASSED"
    assert outcome_of(result, "test_unix_bind_abstract[large]") == "PASSED"

    assert outcome_of(result, "test_small_may_use_socketpair_and_literals") == "PASSED"
    for code in ("TC102", "TC103", "TC104", "TC105", "TC106"):
        assert f"[{code}]" not in output  # no other kind of violation on the way


@pytest.mark.plugins("asyncio")
def test_asyncio_name_lookups_are_reported_as_network_not_threads(run) -> None:
    # asyncio resolves host names on a worker thread; the lookup itself is the violation.
    result = run(
        """
        import asyncio

        import pytest

        @pytest.mark.small
        async def test_small_resolves():
            await asyncio.open_connection("host.invalid", 80)

        @pytest.mark.medium
        async def test_medium_resolves():
            await asyncio.get_running_loop().getaddrinfo("host.invalid", 443)

        @pytest.mark.medium
        async def test_medium_resolves_localhost():
            assert await asyncio.get_running_loop().getaddrinfo("localhost", 80)
        """,
        "-rA",
    )
    result.stdout.fnmatch_lines(
        [
            "PASSED *::test_medium_resolves_localhost",
            "FAILED *::test_small_resolves - [[]TC101[]] network: socket.getaddrinfo "
            "host.invalid:80",
            "FAILED *::test_medium_resolves - [[]TC101[]] network: socket.getaddrinfo "
            "host.invalid:443",
        ]
    )
    result.stdout.fnmatch_lines(
        ["E * A medium test allows loopback only*or mark the test large. *"]
    )
    assert "TC105" not in result.stdout.str()


def test_asyncio_first_imported_by_the_tests_is_guarded_as_well(run) -> None:
    # Without pytest-asyncio nothing imports asyncio before the tests: its loop's lookup is
    # wrapped when the first test starts after the test module imported it.
    result = run(
        """
        import asyncio

        import pytest

        async def resolve(host):
            return await asyncio.get_running_loop().getaddrinfo(host, 443)

        @pytest.mark.small
        def test_small_resolves():
            asyncio.run(resolve("host.invalid"))

        @pytest.mark.medium
        def test_medium_resolves_localhost():
            assert asyncio.run(resolve("localhost"))
        """,
        "-rA",
        "-p",
        "no:asyncio",
    )
    result.stdout.fnmatch_lines(
        [
            "PASSED *::test_medium_resolves_localhost",
            "FAILED *::test_small_resolves - [[]TC101[]] network: socket.getaddrinfo "
            "host.invalid:443",
        ]
    )
    assert "TC105" not in result.stdout.str()


def test_a_refused_connection_leaks_no_socket(run) -> None:
    # socket.create_connection (http.client, urllib) closes its socket only on OSError.
    result = run(
        """
        import gc
        import http.client

        import pytest

        @pytest.mark.small
        def test_refused():
            http.client.HTTPConnection("127.0.0.1", 9).request("GET", "/")

        @pytest.mark.medium
        def test_later():
            gc.collect()
        """,
        "-rA",
        "-W",
        "error::ResourceWarning",
        ini="filterwarnings = error",
    )
    result.stdout.fnmatch_lines(["PASSED *::test_later", "FAILED *::test_refused - *TC101*"])
    assert "ResourceWarning" not in result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
