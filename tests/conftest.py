"""Shared helpers for the plugin's black-box tests.

Every test writes a small test module, runs pytest on it, and asserts on outcomes and output.
``pytester.runpytest()`` and the ``run`` fixture run it in a process of its own
(``--runpytest=subprocess`` in pyproject.toml): signals, audit hooks, patched modules and exit
codes must not touch this process. ``pytester.runpytest_inprocess()`` and
``run(..., inprocess=True)`` run it in this one, for a run that involves none of them.
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from support import RUN_TIMEOUT

#: The compatibility suite needs plugins of its own: ``nox -s compat`` runs it, by its path.
collect_ignore = ["compat"]

#: What every generated run loads: the plugin, and what the test's ``plugins`` marker names.
BASE_PLUGINS = ("test_categories",)

#: pytest-asyncio's settings for a run that loads it, unless its ini file sets them itself.
ASYNCIO_OPTIONS = {"asyncio_mode": "auto", "asyncio_default_fixture_loop_scope": "function"}

#: What a generated run prints when pytest-asyncio should have been loaded and was not.
_ASYNCIO_MISSING = (
    "async def functions are not natively supported",
    "requested an async fixture",
    "Unknown config option: asyncio",
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "plugins(*names): pytest plugins (entry-point names) the test's generated runs load"
        " besides the plugin (asyncio: for async tests or fixtures); a function's add to its"
        " module's",
    )


def _asyncio_settings(root: Path) -> list[str]:
    """``-o`` for each of pytest-asyncio's settings that the project's ini file leaves unset."""
    ini = "".join(p.read_text() for p in root.glob("*") if p.suffix in (".ini", ".cfg", ".toml"))
    settings = [f"{key}={value}" for key, value in ASYNCIO_OPTIONS.items() if key not in ini]
    return [arg for setting in settings for arg in ("-o", setting)]


@pytest.fixture(autouse=True)
def _generated_runs_load_only_what_they_use(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A generated run loads the plugin and what ``@pytest.mark.plugins(...)`` names, nothing
    else that is installed: importing every installed plugin (hypothesis, respx, trio and the
    rest) cost each run a second, and pytest-asyncio alone 0.06 s, which most runs don't use.

    A run without the plugin fails its test (it would pass vacuously), and so does a run that
    printed what pytest says without pytest-asyncio (an async test it cannot run, an
    ``asyncio_*`` ini key it does not know): nothing passes for want of it. A run in a
    subprocess that hangs is killed at ``RUN_TIMEOUT``, and fails its test."""
    marked = [name for marker in request.node.iter_markers("plugins") for name in marker.args]
    names = list(dict.fromkeys([*BASE_PLUGINS, *marked]))
    if "pytester" in request.fixturenames:
        # (pytester clears PYTEST_ADDOPTS: it is set below, afterwards)
        pytester: pytest.Pytester = request.getfixturevalue("pytester")
        for method in ("runpytest_inprocess", "runpytest_subprocess"):
            checked = _checked(pytester, getattr(pytester, method), "asyncio" in names)
            monkeypatch.setattr(pytester, method, checked)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("PYTEST_ADDOPTS", " ".join(f"-p {name}" for name in names))


def _checked(pytester: pytest.Pytester, real: Any, asyncio: bool) -> Any:
    """``real`` (a ``runpytest_*`` method of ``pytester``), with the checks described above."""
    subprocess = real.__name__ == "runpytest_subprocess"

    def run(*args: str | os.PathLike[str], **kwargs: Any) -> pytest.RunResult:
        # Only ``-p no:test_categories`` in the test's own arguments may leave the plugin out.
        assert "-p test_categories" in os.environ.get("PYTEST_ADDOPTS", ""), "no plugin"
        if asyncio and "no:asyncio" not in map(str, args):
            args = (*_asyncio_settings(pytester.path), *args)
        if subprocess:
            kwargs.setdefault("timeout", RUN_TIMEOUT)
        result: pytest.RunResult = real(*args, **kwargs)
        if not asyncio:
            output = "\n".join([*result.outlines, *result.errlines])
            missing = [text for text in _ASYNCIO_MISSING if text in output]
            assert not missing, (
                f"the run needs pytest-asyncio: mark the test @pytest.mark.plugins('asyncio')"
                f" ({missing})\n{output}"
            )
        return result

    return run


INI = """\
[pytest]
{extra}
"""


class Runner:
    """Write a test module and run pytest on it, with a chosen enforcement mode, in a process
    of its own (``inprocess=True``: in this one, for a run that touches no signal, no state of
    the interpreter and no exit code)."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester

    def __call__(
        self,
        source: str,
        *args: str,
        enforcement: str | None = "strict",
        ini: str = "",
        name: str = "test_subject",
        inprocess: bool = False,
    ) -> pytest.RunResult:
        self.pytester.makeini(INI.format(extra=ini))
        self.pytester.makepyfile(**{name: textwrap.dedent(source)})
        flags = [f"--test-categories-enforcement={enforcement}"] if enforcement else []
        args = ("-p", "no:cacheprovider", *flags, *args)
        if not inprocess:
            return self.pytester.runpytest_subprocess(*args)
        # As pytester.runpytest() does: the run's temporary folders away from this run's.
        basetemp = self.pytester.path.parent / "basetemp"
        return self.pytester.runpytest_inprocess(*args, f"--basetemp={basetemp}")


@pytest.fixture
def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Runner:
    """``run(source, *args, enforcement="strict", ini="", inprocess=False)`` ->
    ``pytest.RunResult``."""
    # A wide terminal, so that short test summary lines keep the violation text.
    monkeypatch.setenv("COLUMNS", "400")
    return Runner(pytester)


def outcome_of(result: pytest.RunResult, test_name: str) -> str:
    """The outcome word pytest printed for one test in ``-v`` or ``-rA`` output."""
    for line in result.outlines:
        for word in ("PASSED", "FAILED", "ERROR", "SKIPPED", "XFAIL", "XPASS"):
            if f"::{test_name} " in line + " " and word in line:
                return word
    raise AssertionError(f"no outcome for {test_name} in output:\n{result.stdout.str()}")


_SIZES = ("small", "medium", "large", "xlarge")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Dogfood: the plugin's own tests start pytest in subprocesses and write files, so by its
    own rules they are medium tests, unless a module says otherwise."""
    for item in items:
        if not any(item.get_closest_marker(size) for size in _SIZES):
            item.add_marker(pytest.mark.medium)


_ROUTE_RAN = re.compile(r"^test_subject\.py::test_route\[(\w+)-small\] ")


def assert_routes(result: pytest.RunResult, code: str, used: Mapping[str, str]) -> str:
    """A generated module's ``test_route[ROUTE-SIZE]`` tests: each route in ``used`` (and no
    other) is stopped in small with ``[code] ... (small test) used <used[route]>`` and passes
    in medium and large. Returns the output for further checks."""
    output = result.stdout.str()
    ran = {match.group(1) for match in map(_ROUTE_RAN.match, result.outlines) if match}
    assert ran == set(used)  # every route of the module has an expectation, and runs
    for route, what in used.items():
        test = f"test_route[{route}-small]"
        assert outcome_of(result, test) == "FAILED", route
        assert f"[{code}] test_subject.py::{test} (small test) used {what}" in output, route
        for size in ("medium", "large"):
            assert outcome_of(result, f"test_route[{route}-{size}]") == "PASSED", (route, size)
    return output
