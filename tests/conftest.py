"""Shared helpers for the plugin's black-box tests.

Every test writes a small test module, runs pytest on it in a subprocess (``--runpytest=subprocess``
is set in pyproject.toml: signals, audit hooks and patched modules must not touch this process),
and asserts on outcomes and output.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping

import pytest

#: The compatibility suite needs plugins of its own: ``nox -s compat`` runs it, by its path.
collect_ignore = ["compat"]

#: What every generated run loads: the plugin, and pytest-asyncio (``INI`` turns on its auto mode).
BASE_PLUGINS = ("test_categories", "asyncio")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "plugins(*names): pytest plugins (entry-point names) the test's generated runs load,"
        " besides the plugin and pytest-asyncio",
    )


@pytest.fixture(autouse=True)
def _generated_runs_load_only_what_they_use(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A generated run loads the plugin, pytest-asyncio, and what ``@pytest.mark.plugins(...)``
    names; nothing else that is installed. Importing every installed plugin (hypothesis, respx,
    trio and the rest) cost each run a second, most of the suite's time."""
    if "pytester" in request.fixturenames:
        request.getfixturevalue("pytester")  # it clears PYTEST_ADDOPTS: set it afterwards
    marker = request.node.get_closest_marker("plugins")
    names = [*BASE_PLUGINS, *(marker.args if marker else ())]
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("PYTEST_ADDOPTS", " ".join(f"-p {name}" for name in names))


INI = """\
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
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


#: Hypothesis loads its "ci" profile, which keeps no example database, when one of these is set
#: (CI sets CI=true). Tests of the example database unset them, as a developer's machine has.
HYPOTHESIS_CI_VARIABLES = (
    "CI",
    "__TOX_ENVIRONMENT_VARIABLE_ORIGINAL_CI",
    "TF_BUILD",
    "bamboo.buildKey",
    "BUILDKITE",
    "CIRCLECI",
    "CIRRUS_CI",
    "CODEBUILD_BUILD_ID",
    "GITHUB_ACTIONS",
    "GITLAB_CI",
    "HEROKU_TEST_RUN_ID",
    "TEAMCITY_VERSION",
)


def outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unset what tells Hypothesis it runs on CI, so it keeps its example database."""
    for name in HYPOTHESIS_CI_VARIABLES:
        monkeypatch.delenv(name, raising=False)
