"""Guard: blocking sleep. Small tests may not call ``time.sleep``, by any name.

Python 3.13 raises the audit event ``time.sleep``, which sees every name the function is known
by. Before 3.13, ``time.sleep`` is wrapped once per session, and every module-level name bound
to it before the plugin started (``from time import sleep`` in an already imported module) is
pointed at the wrapper; modules imported later bind the wrapper themselves. (Only a reference
kept elsewhere before the session began, such as a default argument value or a class
attribute, escapes it there.)

``time.sleep(0)`` is allowed: it blocks nothing, it only yields to other threads.
``asyncio.sleep`` is not touched: it blocks nothing, and its time counts toward the limit.
"""

from __future__ import annotations

import time
from typing import Any

from pytest_test_categories.violations import Kind

from .shape import Denied, Guard, Patch, Rules


def _denied(seconds: Any) -> Denied:
    try:
        if float(seconds) <= 0:
            return None
    except (TypeError, ValueError, OverflowError):
        pass  # time.sleep itself will refuse it
    return "time.sleep", f"{seconds!r} s"


def _event(args: tuple[Any, ...], rules: Rules) -> Denied:
    return _denied(args[0])


def _call(args: tuple[Any, ...], kwargs: dict[str, Any], rules: Rules) -> Denied:
    return _denied(args[0] if args else kwargs.get("secs"))


GUARD = Guard(
    Kind.SLEEP,
    events={"time.sleep": _event},
    patches=(Patch(time.__name__, "sleep", _call, python_below=(3, 13)),),
)
