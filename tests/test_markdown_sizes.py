"""A page's top-level code (what runs outside its tests) runs as a strict small test: no network,
no files, no subprocesses or threads, no blocking sleep, one second; a violation is a collection
error at the page's line, and the operation does not happen."""

from __future__ import annotations

import socket
import time

import pytest

from pytest_test_categories.markdown import TOP_LEVEL_RULES
from test_markdown import Pages, line_of, make_pages

pages = pytest.fixture(make_pages, name="pages")

#: name: (the page's top-level code, the line that breaks the rule, the violation it makes)
BREAKERS = {
    "open": (
        'with open("created.txt", "w") as out:\n    out.write("no")',
        "with open",
        "[[]TC102[]] docs/open.md (small test) used the filesystem: open created.txt.*",
    ),
    "pathlib": (
        'from pathlib import Path\nPath("written.txt").write_text("no")',
        "write_text",
        "[[]TC102[]] docs/pathlib.md (small test) used the filesystem: open written.txt.*",
    ),
    "sqlite": (
        'import sqlite3\nsqlite3.connect("orders.db")',
        "sqlite3.connect(",
        "[[]TC106[]] docs/sqlite.md (small test) used an sqlite database file: *orders.db.*",
    ),
    "subprocess": (
        "import subprocess, sys\n"
        "subprocess.run([sys.executable, '-c', 'open(\"spawned.txt\", \"w\")'])",
        "subprocess.run(",
        "[[]TC103[]] docs/subprocess.md (small test) used a subprocess: *",
    ),
    "thread": (
        "import threading\nthreading.Thread(target=print).start()",
        ".start()",
        "[[]TC105[]] docs/thread.md (small test) used a thread: *",
    ),
    "sleep": (
        "import time\ntime.sleep(0.5)",
        "time.sleep(",
        "[[]TC104[]] docs/sleep.md (small test) used a blocking sleep: time.sleep 0.5 s.*",
    ),
}


def _page(code: str) -> str:
    return (
        f"# A page\n\n```python\nimport json\n\n{code}\n\ndef test_never_runs():\n    pass\n```\n"
    )


def test_each_rule_broken_at_top_level_is_an_error_at_its_line_and_nothing_happens(
    pages: Pages, pytester: pytest.Pytester
) -> None:
    pages.write(**{f"docs/{name}": _page(code) for name, (code, _, _) in BREAKERS.items()})
    result = pages.run("--continue-on-collection-errors")
    result.assert_outcomes(errors=len(BREAKERS))
    for name, (code, breaking, violation) in BREAKERS.items():
        line = line_of(_page(code), breaking)
        result.stdout.fnmatch_lines(
            [f"docs/{name}.md:{line}: {violation}", TOP_LEVEL_RULES], consecutive=False
        )
    assert "test_never_runs" not in result.stdout.str()
    assert not {"created.txt", "written.txt", "orders.db", "spawned.txt"} & {
        path.name for path in pytester.path.iterdir()
    }


def test_a_loopback_connection_is_refused_before_it_is_made(pages: Pages) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.setblocking(False)
        port = server.getsockname()[1]
        page = _page(f'import socket\nsocket.create_connection(("127.0.0.1", {port}), timeout=2)')
        result = pages(page)
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody connected
    assert result.ret == pytest.ExitCode.INTERRUPTED
    line = line_of(page, "create_connection")
    result.stdout.fnmatch_lines(
        [
            f"docs/page.md:{line}: [[]TC101[]] docs/page.md (small test) used the network: "
            f"socket.connect 127.0.0.1:{port}. *"
        ]
    )


@pytest.mark.parametrize("enforcement", ["strict", None])
def test_an_endless_loop_is_stopped_after_a_second_at_its_line(
    pages: Pages, enforcement: str | None
) -> None:
    # With enforcement off (no option given), nothing is isolated, but time limits still apply.
    page = _page("while True:\n    pass")
    start = time.monotonic()
    result = pages(page, enforcement=enforcement)
    assert time.monotonic() - start < 30  # bounded: the run ends, it does not hang
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        [
            f"docs/page.md:{line_of(page, 'while True')}: [[]TC001[]] docs/page.md (small test) "
            "exceeded its time limit of 1 s: stopped after 1.* s.*"
        ]
    )


def test_a_swallowed_violation_is_an_error_at_its_block(pages: Pages) -> None:
    page = "Text.\n\n" + _page('try:\n    open("created.txt", "w")\nexcept Exception:\n    pass')
    result = pages(page)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        [f"docs/page.md:{line_of(page, '```python')}: [[]TC102[]] docs/page.md (small test)*"]
    )


def test_honest_top_level_code_runs_and_its_time_is_its_own(pages: Pages) -> None:
    result = pages(
        """\
        Imports, definitions, fixtures and doctests are what top-level code is for:

        ```python
        import asyncio
        import json

        import httpx
        import pytest

        @pytest.fixture
        def payload():
            return json.dumps({"a": 1})
        ```

        ```pycon
        >>> json.loads('{"a": 1}')
        {'a': 1}
        ```

        A test that does what top-level code may not is judged by its own size:

        ```python
        @pytest.mark.medium
        def test_writes(tmp_path, payload):
            (tmp_path / "out.json").write_text(payload)
            assert (tmp_path / "out.json").read_text() == payload

        @pytest.mark.small
        def test_small(payload):
            assert json.loads(payload) == {"a": 1}
        ```
        """,
        "-v",
    )
    result.assert_outcomes(passed=2)
