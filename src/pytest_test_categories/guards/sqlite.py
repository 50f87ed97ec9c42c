"""Guard: sqlite. Small tests may use in-memory databases only.

The audit event ``sqlite3.connect`` names the database: ``:memory:`` and in-memory URIs
(``file::memory:``, ``file:name?mode=memory``) are allowed; a file is refused, and so is the
empty name (a private temporary database, kept on disk).

Not closed: SQL that opens a file through an in-memory connection (``ATTACH DATABASE 'x.db'``,
``VACUUM INTO 'x.db'``) raises no audit event, and the connection cannot be given an
authorizer from the audit hook (it is not initialised yet when ``sqlite3.connect/handle``
fires).
"""

from __future__ import annotations

import os
from typing import Any

from pytest_test_categories.violations import Kind

from .shape import Denied, Guard, Rules


def _in_memory(database: str) -> bool:
    if database == ":memory:":
        return True
    if database.startswith("file:"):
        return database.startswith("file::memory:") or "mode=memory" in database
    return False


def _connect(args: tuple[Any, ...], rules: Rules) -> Denied:
    try:
        database = os.fsdecode(args[0])
    except TypeError:
        database = repr(args[0])
    if _in_memory(database):
        return None
    return "sqlite3.connect", database or "'' (a temporary database on disk)"


GUARD = Guard(Kind.SQLITE, events={"sqlite3.connect": _connect})
