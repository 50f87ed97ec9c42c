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
(``::ffff:127.0.0.1``), ``localhost`` names, and AF_UNIX sockets, plus the hosts they were
allowed (``test_categories_allow_hosts``, ``allow_hosts=``), which count like loopback for
every check here. A name lookup of anything but a ``localhost`` name or an allowed name is
network (it asks a DNS server), so medium tests may not do it otherwise. An allowed name is
resolved (once per session) when a connection goes to an address no other entry allows.

Not closed: ``sock.connect(("example.com", 80))`` on a raw socket resolves the name inside C
before the audit event, so that DNS query can go out (the connection cannot); ``listen`` on a
raw ``_socket.socket`` without ``bind`` (it binds nothing itself, and ``bind`` is guarded).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

from pytest_test_categories._compat import LOOP_LOOKUP
from pytest_test_categories.allowances import Allowances
from pytest_test_categories.sizes import Size
from pytest_test_categories.violations import Kind

from .shape import Check, Denied, Guard, Patch, Rules

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


_resolved: dict[str, set[str]] = {}


def _addresses(name: str) -> set[str]:
    """The addresses an allowed name resolves to (asked once per session)."""
    if name not in _resolved:
        try:
            _resolved[name] = {str(info[4][0]) for info in socket.getaddrinfo(name, None)}
        except OSError:
            _resolved[name] = set()
    return _resolved[name]


def _allowed(host: str, port: Any, allowed: Allowances) -> bool:
    """Is ``host`` (a name or an address), at ``port``, one of the allowed hosts?"""
    address = _literal(host)
    if address is not None and getattr(address, "ipv4_mapped", None) is not None:
        address = address.ipv4_mapped  # type: ignore[union-attr]
    name = host.lower().rstrip(".")
    for entry in allowed.hosts:
        if entry.port is not None and port is not None and entry.port != port:
            continue
        if entry.name in ("*", name):
            return True
        if entry.network is not None and address is not None and address in entry.network:
            return True
        if entry.name is not None and address is not None and host in _addresses(entry.name):
            return True
    return False


def _may_reach(sock: Any, address: Any, rules: Rules) -> bool:
    """May the test reach ``address`` through ``sock``? (Small: never.)"""
    if rules.size is Size.SMALL:
        return False
    family = getattr(sock, "family", None)
    if family == _AF_UNIX:
        return True
    if family in _INET and isinstance(address, tuple) and address:
        host = _text(address[0])
        return _loopback(host) or _allowed(host, address[1], rules.allowed)
    return False


def _address_check(operation: str) -> Check:
    def check(args: tuple[Any, ...], rules: Rules) -> Denied:
        sock, address = args[0], args[1]
        if address is None or _may_reach(sock, address, rules):
            return None
        if operation == "socket.connect" and rules.strict:
            # socket.create_connection closes its socket only on OSError: close it here, or
            # the refused socket leaks (a ResourceWarning at shutdown).
            sock.close()
        return operation, _where(address)

    return check


def _lookup(args: tuple[Any, ...], rules: Rules) -> Denied:
    """A forward lookup: a literal address needs no DNS; medium may resolve localhost names
    and the names it was allowed."""
    host = args[0]
    if host is None:
        return None
    name = _text(host)
    if name in ("", "<broadcast>") or _literal(name) is not None:
        return None
    if rules.size is Size.MEDIUM and (_local_name(name) or _allowed(name, None, rules.allowed)):
        return None
    port = f":{args[1]}" if len(args) > 1 and args[1] is not None else ""
    return "socket.getaddrinfo", f"{name}{port}"


def _named_lookup(operation: str) -> Check:
    def check(args: tuple[Any, ...], rules: Rules) -> Denied:
        denied = _lookup(args[:1], rules)
        return None if denied is None else (operation, denied[1])

    return check


def _reverse(operation: str) -> Check:
    """A reverse lookup (``gethostbyaddr``, ``getnameinfo``): medium may ask about loopback
    and the hosts it was allowed."""

    def check(args: tuple[Any, ...], rules: Rules) -> Denied:
        address = args[0]
        host = _text(address[0] if isinstance(address, tuple) and address else address)
        if rules.size is Size.MEDIUM and (_loopback(host) or _allowed(host, None, rules.allowed)):
            return None
        return operation, host

    return check


def _loop_lookup(args: tuple[Any, ...], kwargs: dict[str, Any], rules: Rules) -> Denied:
    """asyncio resolves names on a worker thread: refuse the lookup before the thread starts."""
    host = args[1] if len(args) > 1 else kwargs.get("host")
    port = args[2] if len(args) > 2 else kwargs.get("port")
    return _lookup((host, port), rules)


def _listen(args: tuple[Any, ...], kwargs: dict[str, Any], rules: Rules) -> Denied:
    sock = args[0]
    try:
        bound = sock.getsockname()
    except OSError:
        bound = "(unbound)"
    if _may_reach(sock, bound, rules):
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
        Patch(*LOOP_LOOKUP, _loop_lookup),
    ),
)
