"""Guard: network. Small tests get none, not even loopback; medium tests get this machine only.

Audit events see every route whatever the caller's name for it: ``socket.socket``, a subclass,
the C module ``_socket``, a socket created before the test, ``http.client``, ``urllib``,
httpx, asyncio's connections, servers and datagram endpoints all end in ``socket.connect``
(``connect`` and ``connect_ex``), ``socket.bind``, ``socket.sendto``, ``socket.sendmsg`` or a
name lookup. ``listen`` raises no audit event, so :meth:`socket.socket.listen` is wrapped;
asyncio resolves names on a worker thread, so its loop's ``getaddrinfo`` is wrapped to refuse
the lookup as network before the thread guard would refuse the thread.

Allowed everywhere: ``socket.socketpair()`` (asyncio's event loop needs it), sending on an
already connected socket, looking up a literal address (no I/O), ``gethostname()``.

Medium tests may use loopback: ``127.0.0.0/8``, ``::1``, IPv4-mapped loopback
(``::ffff:127.0.0.1``), ``localhost`` names, and AF_UNIX sockets. A name lookup of anything
but a ``localhost`` name is network (it asks a DNS server), so medium tests may not do it.

Not closed: ``sock.connect(("example.com", 80))`` on a raw socket resolves the name inside C
before the audit event, so that DNS query can go out (the connection cannot); ``listen`` on a
raw ``_socket.socket`` without ``bind`` (it binds nothing itself, and ``bind`` is guarded).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

from pytest_test_categories import isolation
from pytest_test_categories.isolation import Check, Denied, Guard, Patch
from pytest_test_categories.sizes import Size
from pytest_test_categories.violations import Kind

_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_AF_UNIX = getattr(socket, "AF_UNIX", None)
_INET = (socket.AF_INET, socket.AF_INET6)


def _text(host: Any) -> str:
    if isinstance(host, bytes | bytearray):
        return bytes(host).decode(errors="replace")
    return str(host)


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def _local_name(host: str) -> bool:
    host = host.lower().rstrip(".")
    return host in _LOCAL_NAMES or host.endswith(".localhost")


def _loopback(host: str) -> bool:
    address = _literal(host)
    if address is None:
        return _local_name(host)
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def _where(address: Any) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        host = _text(address[0])
        return f"[{host}]:{address[1]}" if ":" in host else f"{host}:{address[1]}"
    if isinstance(address, bytes | bytearray | str):
        path = _text(address)
        return "@" + path[1:] if path.startswith("\0") else path  # "@": abstract namespace
    return repr(address)


def _may_reach(sock: Any, address: Any, size: Size) -> bool:
    """May a test of ``size`` reach ``address`` through ``sock``? (Small: never.)"""
    if size is Size.SMALL:
        return False
    family = getattr(sock, "family", None)
    if family == _AF_UNIX:
        return True
    if family in _INET and isinstance(address, tuple) and address:
        return _loopback(_text(address[0]))
    return False


def _address_check(operation: str) -> Check:
    def check(args: tuple[Any, ...], size: Size) -> Denied:
        sock, address = args[0], args[1]
        if address is None or _may_reach(sock, address, size):
            return None
        if operation == "socket.connect" and isolation.refusing():
            # socket.create_connection closes its socket only on OSError: close it here, or
            # the refused socket leaks (a ResourceWarning at shutdown).
            sock.close()
        return operation, _where(address)

    return check


def _lookup(args: tuple[Any, ...], size: Size) -> Denied:
    """A forward lookup: a literal address needs no DNS; medium may resolve localhost names."""
    host = args[0]
    if host is None:
        return None
    name = _text(host)
    if name in ("", "<broadcast>") or _literal(name) is not None:
        return None
    if size is Size.MEDIUM and _local_name(name):
        return None
    port = f":{args[1]}" if len(args) > 1 and args[1] is not None else ""
    return "socket.getaddrinfo", f"{name}{port}"


def _named_lookup(operation: str) -> Check:
    def check(args: tuple[Any, ...], size: Size) -> Denied:
        denied = _lookup(args[:1], size)
        return None if denied is None else (operation, denied[1])

    return check


def _reverse(operation: str) -> Check:
    """A reverse lookup (``gethostbyaddr``, ``getnameinfo``): medium may ask about loopback."""

    def check(args: tuple[Any, ...], size: Size) -> Denied:
        address = args[0]
        host = _text(address[0] if isinstance(address, tuple) and address else address)
        if size is Size.MEDIUM and _loopback(host):
            return None
        return operation, host

    return check


def _loop_lookup(args: tuple[Any, ...], kwargs: dict[str, Any], size: Size) -> Denied:
    """asyncio resolves names on a worker thread: refuse the lookup before the thread starts."""
    host = args[1] if len(args) > 1 else kwargs.get("host")
    port = args[2] if len(args) > 2 else kwargs.get("port")
    return _lookup((host, port), size)


def _listen(args: tuple[Any, ...], kwargs: dict[str, Any], size: Size) -> Denied:
    sock = args[0]
    try:
        bound = sock.getsockname()
    except OSError:
        bound = "(unbound)"
    if _may_reach(sock, bound, size):
        return None
    return "socket.listen", _where(bound)


GUARD = Guard(
    Kind.NETWORK,
    sizes=frozenset({Size.SMALL, Size.MEDIUM}),
    events={
        "socket.connect": _address_check("socket.connect"),
        "socket.bind": _address_check("socket.bind"),
        "socket.sendto": _address_check("socket.sendto"),
        "socket.sendmsg": _address_check("socket.sendmsg"),
        "socket.getaddrinfo": _lookup,
        "socket.gethostbyname": _named_lookup("socket.gethostbyname"),
        "socket.gethostbyaddr": _reverse("socket.gethostbyaddr"),
        "socket.getnameinfo": _reverse("socket.getnameinfo"),
    },
    patches=(
        Patch("socket", "socket.listen", _listen),
        Patch("asyncio.base_events", "BaseEventLoop.getaddrinfo", _loop_lookup),
    ),
)
