"""The resource guards, one module each, and their registry (see :mod:`.shape`)."""

from . import filesystem, network, sleep, sqlite, subprocesses, threads
from .shape import Guard

#: Every guard, in the order its violations are listed.
GUARDS: tuple[Guard, ...] = (
    network.GUARD,
    filesystem.GUARD,
    subprocesses.GUARD,
    sleep.GUARD,
    threads.GUARD,
    sqlite.GUARD,
)
