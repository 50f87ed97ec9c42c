"""Every touch of another project's private API, in one place, with the versions it was
checked on (CPython 3.11, pytest 9.2, pytest-asyncio 1.5, anyio 4.16, trio 0.35: what the
test suite runs; older releases where said). When one of them changes, this is the file to read.

Nothing here imports the package; a module that is not loaded yet (asyncio, trio) is looked
up in :data:`sys.modules`, never imported: a run that does not use it never pays for it.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # doctest costs 10 ms to import: only the Markdown collector needs it
    import ast
    import doctest

# -- names of other projects' private modules, for the guards' exemptions -------------------

#: pytest's modules whose file access is reading code or its own capture (pytest 9.2).
PYTEST_READERS = ("_pytest.assertion.rewrite", "_pytest.capture", "_pytest.debugging")
#: Where an event loop starts a thread for its own machinery: asyncio's default executor
#: shutting down (CPython 3.11) and trio's guest mode waiting for I/O (trio 0.35); and trio's
#: cache of worker threads, which only hands a thread on.
LOOP_THREADS = ("asyncio.base_events:shutdown_default_executor", "trio._core._run:guest_tick")
TRIO_THREAD_CACHE = "trio._core._thread_cache"
#: Routes no audit event reports, wrapped where they live: asyncio's name lookup on the loop
#: (``asyncio.base_events``, CPython 3.11), and the fork-and-exec of ``subprocess`` and
#: ``multiprocessing`` (``_posixsubprocess.fork_exec``, CPython 3.11).
LOOP_LOOKUP = ("asyncio.base_events", "BaseEventLoop.getaddrinfo")
FORK_EXEC = ("_posixsubprocess", "fork_exec")


# -- pytest ----------------------------------------------------------------------------------


def ini_overridden(config: pytest.Config, name: str) -> bool:
    """Was ini option ``name`` given with ``-o name=value``?

    pytest 9.2 keeps each value's origin in ``Config._inicfg`` (``ConfigValue.origin``);
    pytest 8 kept the raw ``-o`` strings in ``Config._override_ini`` (not checked here: no
    pytest 8 was at hand).
    """
    value = getattr(config, "_inicfg", {}).get(name)
    if value is not None and hasattr(value, "origin"):
        return bool(value.origin == "override")
    overrides = getattr(config, "_override_ini", None) or ()
    return any(str(o).partition("=")[0].strip() == name for o in overrides)


def cache_failure(fixturedef: Any, request: Any, error: BaseException) -> None:
    """Cache a fixture's failure as pytest caches an Exception's (``FixtureDef.cached_result``
    and ``cache_key``, pytest 9.2).

    pytest caches only Exceptions; without this, a fixture stopped by a time limit would keep
    its finalizers and break the next test that uses it.
    """
    if fixturedef.cached_result is None:
        key = fixturedef.cache_key(request)
        fixturedef.cached_result = (None, key, (error, error.__traceback__))


# -- threading -------------------------------------------------------------------------------


def threads_by_ident() -> dict[int, threading.Thread]:
    """The live :class:`threading.Thread` objects by ident (``threading._active``, CPython
    3.11): one dict lookup, where ``threading.enumerate()`` copies them all."""
    return threading._active  # type: ignore[attr-defined,no-any-return]


# -- asyncio ---------------------------------------------------------------------------------


def asyncio_test_task() -> Any:
    """The task an idle event loop of this thread waits for in ``run_until_complete``: the test
    (or its async fixture), or ``None``.

    Uses ``asyncio.events._get_running_loop`` (which does not raise) and a task's
    ``_callbacks``, looking for ``run_until_complete``'s ``_run_until_complete_cb`` (CPython
    3.11, pytest-asyncio 1.5).
    """
    asyncio = sys.modules.get("asyncio")
    if asyncio is None:
        return None
    loop = asyncio.events._get_running_loop()
    if loop is None or asyncio.current_task(loop) is not None:
        return None
    for task in asyncio.all_tasks(loop):
        for callback, _ in getattr(task, "_callbacks", None) or ():
            if getattr(callback, "__name__", "") == "_run_until_complete_cb":
                return task
    return None


# -- trio ------------------------------------------------------------------------------------


def abort_trio_task(code: Any, error: Callable[[], BaseException]) -> bool:
    """Raise ``error()`` inside the trio task that awaits ``code`` (the test's), if trio is
    between steps; say whether there was one.

    anyio runs trio in guest mode: the test's thread waits on a queue between trio's steps, and
    the tests after this one run in the same trio run. An exception raised in that wait would
    leave the run behind, half closed. Trio aborts the task's blocking call instead, as it does
    for a cancellation (``Task._abort_func`` and ``Task._attempt_abort``, trio 0.35).
    """
    trio = sys.modules.get("trio")
    if trio is None or trio.lowlevel.in_trio_task():
        return False  # no trio, or the test's own code runs: raising there is right
    try:
        token = trio.lowlevel.current_trio_token()
        root = trio.lowlevel.current_root_task()
    except RuntimeError:  # no trio run in this thread
        return False
    tasks = [root] if root is not None else []
    while tasks:
        task = tasks.pop()
        tasks.extend(child for nursery in task.child_nurseries for child in nursery.child_tasks)
        awaiting = task.coro
        while awaiting is not None and getattr(awaiting, "cr_code", None) is not code:
            awaiting = getattr(awaiting, "cr_await", None)
        if awaiting is not None:
            token.run_sync_soon(_abort, task, error)
            return True
    return False


def _abort(task: Any, error: Callable[[], BaseException]) -> None:
    """In trio: abort the task's blocking call with ``error()``, as trio does to cancel."""

    def raise_error() -> Any:
        raise error()

    if task._abort_func is not None:  # else it runs: the next interrupt raises in its code
        task._attempt_abort(raise_error)


# -- pytest, for the Markdown collector (checked on pytest 9.2) ------------------------------------


def rewrite_asserts(tree: ast.Module, source: bytes, path: str, config: pytest.Config) -> None:
    """pytest's assertion rewriting of a tree (``_pytest.assertion.rewrite``; pytest 9.2)."""
    from _pytest.assertion.rewrite import rewrite_asserts as rewrite

    rewrite(tree, source, path, config)


def doctest_optionflags(config: pytest.Config) -> int:
    """pytest's ``doctest_optionflags`` ini, its own flags included ."""
    try:
        from _pytest.doctest import get_optionflags

        return get_optionflags(config)
    except (ImportError, ValueError):  # the doctest plugin is disabled
        return 0


def doctest_checker() -> doctest.OutputChecker:
    """pytest's output checker, which knows NUMBER, ALLOW_UNICODE and ALLOW_BYTES."""
    try:
        from _pytest.doctest import _get_checker

        return _get_checker()
    except ImportError:
        import doctest

        return doctest.OutputChecker()


def fixture_function(obj: Any) -> Any:
    """The function a ``@pytest.fixture`` definition wraps ."""
    getter = getattr(obj, "_get_wrapped_function", None)
    if getter is not None:
        return getter()
    wrapped = getattr(obj, "__pytest_wrapped__", None)
    return wrapped.obj if wrapped is not None else obj


def short_repr(item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:
    """pytest's failure report in the short style (``Node._repr_failure_py``; pytest 9.2)."""
    return item._repr_failure_py(excinfo, style="short")


def set_instance(item: pytest.Item, instance: Any, method: Any) -> None:
    """Give a test method its real instance (``Function._instance``; pytest 9.2)."""
    item._instance = instance  # type: ignore[attr-defined]
    item.obj = method  # type: ignore[attr-defined]


def skip_at_item(reason: str) -> BaseException:
    """A skip reported at the item's own location, as a skip marker's is, not at the line that
    raised it (``Skipped(_use_item_location=True)``; pytest 9.2)."""
    return pytest.skip.Exception(reason, _use_item_location=True)


# -- pytest-xdist (checked on 3.8) -------------------------------------------------------------


def pages_together(config: pytest.Config, log: Any, is_page: Callable[[str], bool]) -> Any:
    """The scheduler ``--dist`` names, with every item of a page in one unit of work.

    xdist's scope schedulers send a scope's tests to one worker, and ``_split_scope`` is the
    method their documentation offers for overriding. ``load`` and ``worksteal`` become scope
    scheduling with one test per scope, but a page's; ``loadscope`` and ``loadgroup`` keep their
    scopes. ``loadfile`` keeps a file together already, and ``each`` and ``no`` need nothing.
    """
    from xdist import scheduler  # type: ignore[import-untyped]

    dist = config.getoption("dist", "no")
    bases = {"load": "LoadScopeScheduling", "worksteal": "LoadScopeScheduling"}
    name = bases.get(dist) or {
        "loadscope": "LoadScopeScheduling",
        "loadgroup": "LoadGroupScheduling",
    }.get(dist)
    if name is None:
        return None
    base = getattr(scheduler, name)
    per_test = dist in bases

    class PagesTogether(base):  # type: ignore[misc, valid-type]
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            if is_page(path):
                return path
            return nodeid if per_test else str(super()._split_scope(nodeid))

    return PagesTogether(config, log)
