"""Start-up: what the plugin costs before the first test runs. Each run is a process of its own:
what it checks is the state of a fresh interpreter (modules loaded, audit hooks)."""

from __future__ import annotations

import json

import pytest

CONFTEST = """
import json
import sys

def pytest_sessionstart(session):
    loaders = {
        name: type(module.__spec__.loader).__name__
        for name, module in list(sys.modules.items())
        if name.split(".")[0] == "pytest_test_categories"
    }
    with open("loaders.json", "w") as file:
        json.dump(loaders, file)
"""


def test_pytest_does_not_rewrite_the_plugins_modules(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pytest rewrites the asserts of every module of an installed plugin, and loads each one
    several times slower than a normal import. The package takes itself off that list: only its
    ``__init__`` (which does it) goes through the rewriter."""
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD")  # the plugin as installed: found by
    # its entry point, which is what puts its modules on the rewriter's list
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile("import pytest\n\n@pytest.mark.small\ndef test_a():\n    assert True\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    loaders = json.loads((pytester.path / "loaders.json").read_text(encoding="utf-8"))
    # The rewriter was there, and had the package on its list: the test is not vacuous.
    assert loaders.pop("pytest_test_categories") == "AssertionRewritingHook"
    assert "pytest_test_categories.plugin" in loaders
    assert set(loaders.values()) == {"SourceFileLoader"}, loaders


def test_a_synchronous_suite_does_not_load_asyncio_even_strictly_isolated(
    pytester: pytest.Pytester,
) -> None:
    """The network guard wraps asyncio's name lookup, but importing asyncio (and ssl) for it
    would cost every run about 11 ms: the wrap waits until something else imports asyncio."""
    pytester.makeconftest(
        "import sys\n\n"
        "def pytest_sessionfinish(session):\n"
        "    with open('loaded.txt', 'w') as file:\n"
        "        file.write(' '.join(sorted(sys.modules)))\n"
    )
    pytester.makepyfile(
        "import socket\n\nimport pytest\n\n"
        "@pytest.mark.small\ndef test_a():\n"
        "    socket.getaddrinfo('host.invalid', 80)\n"
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--test-categories-enforcement=strict"
    )
    result.assert_outcomes(failed=1)  # isolated: the lookup was refused
    result.stdout.fnmatch_lines(
        ["*[[]TC101[]] *used the network: socket.getaddrinfo host.invalid:80*"]
    )
    loaded = (pytester.path / "loaded.txt").read_text(encoding="utf-8").split()
    assert "pytest_test_categories.isolation" in loaded
    assert "asyncio" not in loaded


REFUSE_REMOTE = """
import sys

def _refuse_remote(event, args):
    if event == "socket.connect" and not str(args[1][0]).startswith("127."):
        raise PermissionError("no remote hosts in this suite")

def pytest_configure(config):
    sys.addaudithook(_refuse_remote)
"""


def test_the_audit_hook_waits_for_the_first_test_yet_sees_before_the_suites_own(
    pytester: pytest.Pytester,
) -> None:
    """Collection raises half of a run's audit events, so the plugin adds its hook when the
    first isolated test starts. A hook the suite adds before that (here in its conftest's
    ``pytest_configure``, after the plugin's) must still come after the plugin's: otherwise
    its refusal would hide the violation, and the test would fail with the suite's error."""
    pytester.makeconftest(REFUSE_REMOTE)
    pytester.makepyfile(
        "import socket, sys\n\nimport pytest\n\n"
        "def test_unsized_first():\n"
        "    assert sys.addaudithook.__module__ == 'pytest_test_categories.isolation'\n\n"
        "@pytest.mark.small\ndef test_remote():\n"
        "    socket.create_connection(('192.0.2.1', 80), timeout=1)\n\n"
        "@pytest.mark.large\ndef test_large_remote():\n"
        "    with pytest.raises(PermissionError, match='no remote hosts'):\n"
        "        socket.create_connection(('192.0.2.1', 80), timeout=1)\n"
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--test-categories-enforcement=strict"
    )
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*[[]TC101[]] *used the network: socket.connect 192.0.2.1:80*"])
    result.stdout.no_fnmatch_line("*no remote hosts*")
