"""Shared helpers for the plugin's black-box tests.

Every test writes a small test module, runs pytest on it in a process of its own
(``--runpytest=subprocess`` is set in pyproject.toml: signals, audit hooks and patched modules
must not touch this process), and asserts on outcomes and output. The process is forked from
one that has already imported pytest (prefork.py).
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

import prefork
from support import RUN_TIMEOUT

#: The compatibility suite needs plugins of its own: ``nox -s compat`` runs it, by its path.
collect_ignore = ["compat"]

#: What every generated run loads: the plugin. pytest-asyncio only where the run has async code.
BASE_PLUGINS = ("test_categories",)

#: pytest-asyncio's settings for a run that loads it, unless its ini file sets them itself.
ASYNCIO_OPTIONS = {"asyncio_mode": "auto", "asyncio_default_fixture_loop_scope": "function"}

#: What a generated run prints when pytest-asyncio should have been loaded and was not.
_ASYNCIO_MISSING = (
    "async def functions are not natively supported",
    "Unknown config option: asyncio",
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "plugins(*names): pytest plugins (entry-point names) the test's generated runs load,"
        " besides the plugin (and pytest-asyncio, where a run has async code)",
    )


def _has_async_code(root: Path) -> bool:
    """Does a module, conftest or page of the generated project define an ``async def``?
    (The runs' own temporary folders, ``runpytest-N``, are not the project.)"""
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith("runpytest-")]
        for name in files:
            path = Path(folder, name)
            if path.suffix in (".py", ".md") and "async def" in path.read_text(errors="replace"):
                return True
    return False


def _asyncio_args(root: Path, args: Sequence[str | os.PathLike[str]]) -> list[str]:
    """``-p asyncio`` and its settings, for a run of a project with async code (unless the
    run blocks it, ``-p no:asyncio``); nothing otherwise: importing it costs each run 0.1 s."""
    if "no:asyncio" in map(str, args) or not _has_async_code(root):
        return []
    ini = "".join(p.read_text() for p in root.glob("*") if p.suffix in (".ini", ".cfg", ".toml"))
    settings = [f"{key}={value}" for key, value in ASYNCIO_OPTIONS.items() if key not in ini]
    return ["-p", "asyncio", *(arg for setting in settings for arg in ("-o", setting))]


@pytest.fixture(autouse=True)
def _generated_runs_load_only_what_they_use(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A generated run loads the plugin, what ``@pytest.mark.plugins(...)`` names, and
    pytest-asyncio if the project has async code; nothing else that is installed. Importing
    every installed plugin (hypothesis, respx, trio and the rest) cost each run a second.

    A run that printed what pytest says without pytest-asyncio (an async test it cannot run, an
    ``asyncio_*`` ini key it does not know) fails the test: nothing passes for want of it."""
    marker = request.node.get_closest_marker("plugins")
    names = [*BASE_PLUGINS, *(marker.args if marker else ())]
    if "pytester" in request.fixturenames:
        # (pytester clears PYTEST_ADDOPTS: it is set below, afterwards)
        pytester: pytest.Pytester = request.getfixturevalue("pytester")
        real = pytester.runpytest_subprocess

        def runpytest_subprocess(*args: str | os.PathLike[str], **kwargs: Any) -> pytest.RunResult:
            # A run without the plugin would pass vacuously: only ``-p no:test_categories`` in
            # the test's own arguments may leave it out.
            assert "-p test_categories" in os.environ.get("PYTEST_ADDOPTS", ""), "no plugin"
            extra = [] if "asyncio" in names else _asyncio_args(pytester.path, args)
            # A run that hangs is killed (and fails the test), not left running after it.
            kwargs.setdefault("timeout", RUN_TIMEOUT)
            result = real(*extra, *args, **kwargs)
            if extra or "asyncio" in names:
                return result
            output = "\n".join([*result.outlines, *result.errlines])
            missing = [text for text in _ASYNCIO_MISSING if text in output]
            assert not missing, f"the run needs pytest-asyncio and had none: {missing}\n{output}"
            return result

        monkeypatch.setattr(pytester, "runpytest_subprocess", runpytest_subprocess)
        prefork.fork_runs(pytester, monkeypatch)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("PYTEST_ADDOPTS", " ".join(f"-p {name}" for name in names))


def pytest_unconfigure(config: pytest.Config) -> None:
    prefork.stop()


INI = """\
[pytest]
{extra}
"""


class Runner:
    """Write a test module and run pytest on it, with a chosen enforcement mode."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester

    def __call__(
        self,
        source: str,
        *args: str,
        enforcement: str | None = "strict",
        ini: str = "",
        name: str = "test_subject",
    ) -> pytest.RunResult:
        self.pytester.makeini(INI.format(extra=ini))
        self.pytester.makepyfile(**{name: textwrap.dedent(source)})
        flags = [f"--test-categories-enforcement={enforcement}"] if enforcement else []
        return self.pytester.runpytest("-p", "no:cacheprovider", *flags, *args)


@pytest.fixture
def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Runner:
    """``run(source, *args, enforcement="strict", ini="")`` -> ``pytest.RunResult``."""
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
