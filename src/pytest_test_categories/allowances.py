"""Allowances: read-only paths a small test may read, extra hosts a medium test may reach.

They come from the ini options ``test_categories_allow_read`` and ``test_categories_allow_hosts``
and from a size marker's keywords (``@pytest.mark.small(allow_read=[...])``,
``@pytest.mark.medium(allow_hosts=[...])``); a test gets the ini's and its markers' together.
Each value is parsed once, when the options are read or the test is collected: a bad one is a
``ValueError`` saying why, which the caller turns into a usage error naming where it was set.

Read patterns are globs relative to the rootdir (or absolute), with ``*``, ``?``, ``[...]``
within one path segment and ``**`` for any number of folders; ``data/**`` also lets the test
list ``data`` itself. Hosts are names, IP addresses or CIDR networks, each with an optional
``:PORT`` (``[v6]:PORT`` for IPv6), or ``*`` for every host. The same globs choose the
Markdown pages to collect (:func:`glob_regex`).
"""

from __future__ import annotations

import functools
import ipaddress
import os
import posixpath
import re
from typing import NamedTuple

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?")
HOST_FORMS = (
    "a host name, an IP address or a CIDR network, optionally with :PORT "
    "(api.example.com:443, 10.0.0.0/8, [2001:db8::1]:8080), or * for every host"
)


class Host(NamedTuple):
    """One allowed host: a name (lower case, ``*`` for any) or a network, and maybe a port."""

    name: str | None
    network: _Network | None
    port: int | None


class Allowances(NamedTuple):
    """What a test may use beyond its size's rules."""

    #: Patterns over absolute paths (see :func:`read_patterns`).
    read: tuple[re.Pattern[str], ...] = ()
    hosts: tuple[Host, ...] = ()

    def __add__(self, other: Allowances) -> Allowances:  # type: ignore[override]
        return Allowances(self.read + other.read, self.hosts + other.hosts)

    def __bool__(self) -> bool:
        return bool(self.read or self.hosts)

    def may_read(self, path: str) -> bool:
        """May ``path`` (absolute and normalised) be read, listed and stat'ed?"""
        folder = path + "/"
        return any(pattern.match(path) or pattern.match(folder) for pattern in self.read)


#: No allowances.
NOTHING = Allowances()


def strings(value: object) -> list[str]:
    """A marker's or option's value as a list of strings: one string, or a list or tuple."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise ValueError(f"{value!r} is not a string or a list of strings")
    return [item.strip() for item in items]


@functools.cache
def read_patterns(root: str, patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """Compile read globs relative to ``root`` into patterns over absolute paths."""
    prefix = root.rstrip("/") + "/"
    compiled = []
    for pattern in patterns:
        if not pattern:
            raise ValueError("an empty pattern would allow nothing; remove it")
        full = posixpath.normpath(posixpath.join(root, pattern.replace(os.sep, "/")))
        if full.startswith(prefix):
            rest = glob_regex(full[len(prefix) :]).pattern
            compiled.append(re.compile(re.escape(prefix) + rest))
        else:  # absolute, or reaching out of the rootdir with ..
            compiled.append(glob_regex(full))
    return tuple(compiled)


@functools.cache
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A path glob as a regular expression over ``/``-separated paths: ``*``, ``?`` and
    ``[...]`` (``[!...]`` negated) within one segment, ``**`` for any number of folders."""
    segments = pattern.strip().removeprefix("./").split("/")
    parts: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            parts.append(".*" if last else "(?:[^/]+/)*")
        else:
            parts.append(re.sub(r"\[(.[^]]*)\]|.", _translate, segment, flags=re.DOTALL))
            parts.append("" if last else "/")
    return re.compile("".join(parts) + r"\Z")


def _translate(match: re.Match[str]) -> str:
    body = match.group(1)
    if body is None:
        return {"*": "[^/]*", "?": "[^/]"}.get(match.group()) or re.escape(match.group())
    negate = body.startswith("!")
    body = re.escape(body[1:] if negate else body).replace(r"\-", "-")
    return f"[{'^/' if negate else ''}{body}]"


@functools.cache
def hosts(entries: tuple[str, ...]) -> tuple[Host, ...]:
    """Parse host entries; raise ``ValueError`` for one that is not a host."""
    return tuple(_host(entry) for entry in entries)


def _host(entry: str) -> Host:
    if "://" in entry:
        raise ValueError(f"{entry!r} is a URL, not a host; give {HOST_FORMS}")
    host, port = entry, None
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        if rest:
            port = _port(entry, rest.removeprefix(":") if rest.startswith(":") else "")
    elif entry.count(":") == 1:
        host, text = entry.split(":")
        port = _port(entry, text)
    if host == "*":
        return Host("*", None, port)
    try:
        return Host(None, ipaddress.ip_network(host, strict=False), port)
    except ValueError:
        pass
    name = host.lower()
    if not _NAME.fullmatch(name) or name.replace(".", "").isdigit():
        raise ValueError(f"{entry!r} is not a host; give {HOST_FORMS}")
    return Host(name.rstrip("."), None, port)


def _port(entry: str, text: str) -> int:
    if text.isdigit() and 0 < int(text) < 65536:
        return int(text)
    raise ValueError(f"{entry!r} has no valid port after the colon; a port is 1 to 65535")
