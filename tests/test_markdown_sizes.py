"""The size of a page's own code (its examples): unsized by default; chosen for all pages or by
glob in the ini, by the page's size directive, or by its ``pytestmark``. Each example has its
own limit and isolation; a violation fails that example's item at the page's line, and the
operation does not happen. Test functions keep their own markers."""

from __future__ import annotations

import socket
import time

import pytest

from pytest_test_categories.violations import PAGE_CODE_FIX
from test_markdown import Pages, line_of, make_pages, outcomes

pages = pytest.fixture(make_pages, name="pages")

SMALL = "test_categories_markdown_size = small"

#: name: (the page's top-level code, the line that breaks the rule, the violation it makes)
BREAKERS = {
    "open": (
        'with open("created.txt", "w") as out:\n    out.write("no")',
        "with open",
        "[[]TC102[]] docs/open.md::line-3 (small test) used the filesystem: open created.txt.*",
    ),
    "pathlib": (
        'from pathlib import Path\nPath("written.txt").write_text("no")',
        "write_text",
        "[[]TC102[]] docs/pathlib.md::line-3 (small test) used the filesystem: open written.txt.*",
    ),
    "sqlite": (
        'import sqlite3\nsqlite3.connect("orders.db")',
        "sqlite3.connect(",
        "[[]TC106[]] docs/sqlite.md::line-3 (small test) used an sqlite database file: "
        "*orders.db.*",
    ),
    "subprocess": (
        "import subprocess, sys\n"
        "subprocess.run([sys.executable, '-c', 'open(\"spawned.txt\", \"w\")'])",
        "subprocess.run(",
        "[[]TC103[]] docs/subprocess.md::line-3 (small test) used a subprocess: *",
    ),
    "thread": (
        "import threading\nthreading.Thread(target=print).start()",
        ".start()",
        "[[]TC105[]] docs/thread.md::line-3 (small test) used a thread: *",
    ),
    "sleep": (
        "import time\ntime.sleep(0.5)",
        "time.sleep(",
        "[[]TC104[]] docs/sleep.md::line-3 (small test) used a blocking sleep: time.sleep 0.5 s.*",
    ),
}


def _page(code: str) -> str:
    return f"# A page\n\n```python\nimport json\n\n{code}\n\ndef test_after():\n    pass\n```\n"


def test_each_rule_broken_by_a_small_example_fails_it_at_its_line_and_nothing_happens(
    pages: Pages, pytester: pytest.Pytester
) -> None:
    pages.write(**{f"docs/{name}": _page(code) for name, (code, _, _) in BREAKERS.items()})
    result = pages.run("-v", ini=SMALL)
    found = outcomes(result)
    for name, (code, breaking, violation) in BREAKERS.items():
        assert found[f"docs/{name}.md::line-3"] == "FAILED", name
        line = line_of(_page(code), breaking)
        result.stdout.fnmatch_lines(
            [f"docs/{name}.md:{line}: in <module>", f"E   *{violation}"], consecutive=False
        )
    assert not {"created.txt", "written.txt", "orders.db", "spawned.txt"} & {
        path.name for path in pytester.path.iterdir()
    }
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_a_violation_of_page_code_offers_only_fixes_that_exist_for_page_code(
    pages: Pages,
) -> None:
    result = pages(_page('open("created.txt", "w")'), ini=SMALL)
    result.stdout.fnmatch_lines([f"*{PAGE_CODE_FIX}*"], consecutive=False)
    # A page's example has no marker to change.
    assert "mark the test medium" not in result.stdout.str()


def test_a_loopback_connection_is_refused_before_it_is_made(pages: Pages) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.setblocking(False)
        port = server.getsockname()[1]
        page = _page(f'import socket\nsocket.create_connection(("127.0.0.1", {port}), timeout=2)')
        result = pages(page, "-v", ini=SMALL)
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody connected
    assert outcomes(result)["docs/page.md::line-3"] == "FAILED"
    result.stdout.fnmatch_lines(
        [
            f"docs/page.md:{line_of(page, 'create_connection')}: in <module>",
            f"E   *[[]TC101[]] docs/page.md::line-3 (small test) used the network: "
            f"socket.connect 127.0.0.1:{port}. *",
        ],
        consecutive=False,
    )


@pytest.mark.parametrize("enforcement", ["strict", None])
def test_an_endless_loop_is_stopped_after_a_second_at_its_line(
    pages: Pages, enforcement: str | None
) -> None:
    # With enforcement off (no option given), nothing is isolated, but time limits still apply.
    page = _page("while True:\n    pass") + "\n```python\nAFTER = 1\n```\n"
    start = time.monotonic()
    result = pages(page, "-v", enforcement=enforcement, ini=SMALL)
    assert time.monotonic() - start < 30  # bounded: the run ends, it does not hang
    found = outcomes(result)
    assert found["docs/page.md::line-3"] == "FAILED"
    assert found[f"docs/page.md::line-{line_of(page, 'AFTER = 1') - 1}"] == "PASSED"
    result.stdout.fnmatch_lines(
        [
            f"docs/page.md:{line_of(page, 'while True')}: in <module>",
            "E   *[[]TC001[]] docs/page.md::line-3 (small test) exceeded its time limit of 1 s: "
            "stopped after 1.* s.*",
        ],
        consecutive=False,
    )


def test_a_swallowed_violation_fails_its_example(pages: Pages) -> None:
    page = "Text.\n\n" + _page('try:\n    open("created.txt", "w")\nexcept Exception:\n    pass')
    result = pages(page, "-rA", ini=SMALL)
    line = line_of(page, "```python")
    result.stdout.fnmatch_lines(
        [
            f"FAILED docs/page.md::line-{line} - [[]TC102[]] filesystem: open created.txt: the "
            "test caught and swallowed a violation; it fails all the same*"
        ]
    )


def test_honest_page_code_runs_and_its_time_is_its_own(pages: Pages) -> None:
    result = pages(
        """\
        Imports, definitions, fixtures and doctests are what page code is for:

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

        A test that does what page code may not is judged by its own size:

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
        ini=SMALL,
    )
    assert set(outcomes(result).values()) == {"PASSED"}
    result.assert_outcomes(passed=5)


# --- Where the size comes from -----------------------------------------------------------------

WRITES = """\
```python
with open("{name}.txt", "w") as out:
    out.write("written")
```
"""


def test_page_code_is_unsized_by_default_so_strict_enforcement_lets_it_be(
    pages: Pages, pytester: pytest.Pytester
) -> None:
    result = pages(WRITES.format(name="default"), "-v")
    assert outcomes(result) == {"docs/page.md::line-1": "PASSED"}
    result.stdout.fnmatch_lines(["sizes: 1 unsized"], consecutive=False)
    assert (pytester.path / "default.txt").read_text() == "written"


def test_the_ini_sizes_pages_by_glob_the_first_match_winning(
    pages: Pages, pytester: pytest.Pytester
) -> None:
    pages.write(
        **{
            "docs/how-to/a": WRITES.format(name="medium"),
            "docs/how-to/deep/b": WRITES.format(name="also_medium"),
            "docs/index": WRITES.format(name="small"),
            "guide/c": WRITES.format(name="unsized"),
        }
    )
    ini = "test_categories_markdown_size =\n    docs/how-to/** = medium\n    docs/** = small"
    result = pages.run("-v", "-rA", patterns="**/*.md", ini=ini)
    assert outcomes(result) == {
        "docs/how-to/a.md::line-1": "PASSED",
        "docs/how-to/deep/b.md::line-1": "PASSED",
        "docs/index.md::line-1": "FAILED",
        "guide/c.md::line-1": "PASSED",
    }
    result.stdout.fnmatch_lines(["sizes: 1 small · 2 medium · 1 unsized"], consecutive=False)
    written = {path.name for path in pytester.path.rglob("*.txt")}
    assert written == {"medium.txt", "also_medium.txt", "unsized.txt"}


def test_a_size_for_every_page(pages: Pages) -> None:
    result = pages(
        WRITES.format(name="x") + "\n```python\nimport time\ntime.sleep(0)\n```\n",
        ini="test_categories_markdown_size = medium",
    )
    result.stdout.fnmatch_lines(["sizes: 2 medium"], consecutive=False)
    assert result.ret == pytest.ExitCode.OK


@pytest.mark.parametrize(
    ("line", "value"),
    [
        pytest.param("docs/** = smal", "docs/** = smal", id="glob"),
        pytest.param("huge", "huge", id="alone"),
    ],
)
def test_a_bad_size_in_the_ini_is_a_usage_error_naming_the_value(
    pages: Pages, line: str, value: str
) -> None:
    result = pages(WRITES.format(name="x"), ini=f"test_categories_markdown_size = {line}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert f"ini option test_categories_markdown_size in tox.ini: {value!r} names no size" in (
        result.stderr.str()
    )


def test_the_page_directive_wins_over_the_ini(pages: Pages, pytester: pytest.Pytester) -> None:
    pages.write(
        **{
            "docs/small": "<!-- test-categories: size small -->\n\n" + WRITES.format(name="s"),
            "docs/medium": "% test-categories: size medium\n\n" + WRITES.format(name="m"),
        }
    )
    ini = "test_categories_markdown_size = large"
    result = pages.run("-v", ini=ini)
    assert outcomes(result) == {
        "docs/medium.md::line-3": "PASSED",
        "docs/small.md::line-3": "FAILED",
    }
    result.stdout.fnmatch_lines(["*[[]TC102[]] docs/small.md::line-3 (small test)*"])
    assert {path.name for path in pytester.path.glob("*.txt")} == {"m.txt"}


def test_a_pages_pytestmark_sizes_its_code_read_without_running_it(
    pages: Pages, pytester: pytest.Pytester
) -> None:
    page = """\
    ```python
    import pytest

    pytestmark = pytest.mark.small
    ```

    ```python
    with open("marked.txt", "w") as out:
        out.write("no")
    ```
    """
    result = pages(page, "-v", ini="test_categories_markdown_size = large")
    writes = f"line-{line_of(page, 'with open') - 1}"
    assert outcomes(result) == {
        "docs/page.md::line-1": "PASSED",
        f"docs/page.md::{writes}": "FAILED",
    }
    result.stdout.fnmatch_lines([f"*[[]TC102[]] docs/page.md::{writes} (small test)*"])
    assert not (pytester.path / "marked.txt").exists()
    # Collection only reads it: -m selects by it.
    collected = pages(page, "--collect-only", "-q", "-m", "small")
    assert [line for line in collected.outlines if "::" in line] == [
        "docs/page.md::line-1",
        f"docs/page.md::{writes}",
    ]


def test_the_size_goes_on_the_examples_and_tests_keep_their_own_markers(pages: Pages) -> None:
    page = """\
    <!-- test-categories: size small -->

    ```python
    import pytest

    @pytest.mark.medium
    def test_medium(tmp_path):
        (tmp_path / "out.txt").write_text("allowed")

    def test_unsized():
        pass
    ```
    """
    result = pages(page, "-v", "-m", "small")
    assert outcomes(result) == {"docs/page.md::line-3": "PASSED"}
    result = pages(page, "-v", "-m", "medium")
    assert outcomes(result) == {"docs/page.md::test_medium": "PASSED"}
    result = pages(page, "-v")
    result.stdout.fnmatch_lines(["sizes: 1 small · 1 medium · 1 unsized"], consecutive=False)


SPIN = """\
```python
import time

def spin(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
```

```python
spin(0.6)
```

```python
spin(0.6)
```

```python
spin({last})
```
"""


def test_each_example_has_its_own_time_limit(pages: Pages) -> None:
    result = pages(SPIN.format(last=0.6), "-v", ini=SMALL)
    # 1.8 s in all, but no example takes its whole second.
    assert set(outcomes(result).values()) == {"PASSED"}
    result.assert_outcomes(passed=4)


def test_an_example_over_its_limit_fails_at_its_own_item(pages: Pages) -> None:
    page = SPIN.format(last=1.5)
    result = pages(page, "-v", "-rA", ini=SMALL)
    last = f"line-{line_of(page, 'spin(1.5)') - 1}"
    found = outcomes(result)
    assert found.pop(f"docs/page.md::{last}") == "FAILED"
    assert set(found.values()) == {"PASSED"}
    result.stdout.fnmatch_lines(
        [f"FAILED docs/page.md::{last} - [[]TC001[]] exceeded its time limit of 1 s*"],
        consecutive=False,
    )
