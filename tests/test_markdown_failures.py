"""A failing example fails its own item, at the page's lines; the rest of the page (and every
other page) still runs."""

from __future__ import annotations

import pytest

from test_markdown import Pages, line_of, make_pages, outcomes

pages = pytest.fixture(make_pages, name="pages")
#: Their pages hit no time limit and end no process: the runs share this process.
PAGES_IN_PROCESS = True


def _opening(page: str, text: str) -> int:
    """The line of the fence that opens the block whose first line holds ``text``."""
    return line_of(page, text) - 1


FAILING = """\
# Failures

<!-- invisible-code-block: python
def lookup(table, key):
    return table[key]
-->

Prose between the blocks, then a directive with options (they take lines of their own):

```{code-block} python
:caption: two failing tests
:emphasize-lines: 3

def test_assertion():
    left = 3
    assert left + 1 == 5

def test_exception():
    lookup({}, "missing")
```
"""


def test_tracebacks_point_at_the_pages_own_lines(pages: Pages) -> None:
    result = pages(FAILING, "-v")
    assert outcomes(result) == {
        "docs/page.md::line-3": "PASSED",
        "docs/page.md::line-10": "PASSED",
        "docs/page.md::test_assertion": "FAILED",
        "docs/page.md::test_exception": "FAILED",
    }
    assert_line = line_of(FAILING, "assert left + 1 == 5")
    lookup_line = line_of(FAILING, "return table[key]")
    call_line = line_of(FAILING, 'lookup({}, "missing")')
    result.stdout.fnmatch_lines(
        [
            ">       assert left + 1 == 5",
            "E       assert (3 + 1) == 5",  # pytest's assertion rewriting at work
            f"docs/page.md:{assert_line}: AssertionError",
            f"docs/page.md:{call_line}: *",
            f"docs/page.md:{lookup_line}: KeyError",
        ],
        consecutive=False,
    )


def test_assertions_in_a_block_are_rewritten_too(pages: Pages) -> None:
    result = pages("```python\nleft = 3\nassert left + 1 == 5\n```\n", "-v")
    assert outcomes(result) == {"docs/page.md::line-1": "FAILED"}
    result.stdout.fnmatch_lines(["E   assert (3 + 1) == 5"], consecutive=False)


ERROR_AT_TOP_LEVEL = """\
```python
def load():
    return {}["settings"]
```

```python
SETTINGS = load()

def test_in_the_failing_block():
    pass
```

```python
def test_uses_the_missing_name():
    assert SETTINGS
```

```python
def test_unaffected():
    pass
```
"""


def test_an_error_in_a_block_fails_its_own_item_at_the_page_line_and_the_page_goes_on(
    pages: Pages,
) -> None:
    page = ERROR_AT_TOP_LEVEL
    result = pages(page, "-v")
    found = outcomes(result)
    assert found["docs/page.md::line-1"] == "PASSED"
    assert found[f"docs/page.md::line-{_opening(page, 'SETTINGS = load()')}"] == "FAILED"
    # Later blocks still run; a test that uses what failed fails with the NameError.
    assert found[f"docs/page.md::line-{_opening(page, 'def test_uses')}"] == "PASSED"
    assert found["docs/page.md::test_uses_the_missing_name"] == "FAILED"
    assert found["docs/page.md::test_unaffected"] == "PASSED"
    result.stdout.fnmatch_lines(
        [
            f"docs/page.md:{line_of(page, 'SETTINGS = load()')}: in <module>",
            f"docs/page.md:{line_of(page, 'return {}')}: in load",
            "E   KeyError: 'settings'",
            "E       NameError: name 'SETTINGS' is not defined",
        ],
        consecutive=False,
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_a_test_whose_block_failed_says_so_at_the_page(pages: Pages) -> None:
    result = pages(ERROR_AT_TOP_LEVEL, "-v")
    assert outcomes(result)["docs/page.md::test_in_the_failing_block"] in ("FAILED", "ERROR")
    line = _opening(ERROR_AT_TOP_LEVEL, "SETTINGS = load()")
    result.stdout.fnmatch_lines(
        [
            f"*docs/page.md:{line}: test_in_the_failing_block was not defined: the block at line "
            f"{line} that defines it failed (see docs/page.md::line-{line})."
        ]
    )
    # The report points at the page, not at the collector's own source.
    assert "pytest_test_categories" not in result.stdout.str()


def test_a_syntax_error_fails_its_block_at_the_page_line(pages: Pages) -> None:
    page = """\
    ```python
    x = 1
    ```

    ```python
    def test_broken(:
        pass
    ```

    ```python
    def test_after():
        assert x == 1
    ```
    """
    result = pages(page, "-v")
    assert outcomes(result) == {
        "docs/page.md::line-1": "PASSED",
        "docs/page.md::line-5": "FAILED",
        "docs/page.md::line-10": "PASSED",
        "docs/page.md::test_after": "PASSED",
    }
    line = line_of(page, "def test_broken(")
    result.stdout.fnmatch_lines(
        [f"docs/page.md:{line}: SyntaxError: *", "    def test_broken(:"], consecutive=False
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("raise SystemExit(3)", id="system-exit"),
        pytest.param("raise KeyboardInterrupt", id="keyboard-interrupt"),
        pytest.param("import pytest\npytest.exit('bye', returncode=0)", id="pytest-exit"),
    ],
)
def test_nothing_a_block_does_ends_the_run_or_fails_another_page(pages: Pages, code: str) -> None:
    pages.write(
        **{
            "docs/a": f"```python\n{code}\n```\n\n"
            "```python\ndef test_same_page():\n    pass\n```\n",
            "docs/b": "```python\ndef test_other_page():\n    pass\n```\n",
        }
    )
    # A KeyboardInterrupt is told from a real Ctrl-C by a SIGINT handler: a process of its own.
    result = pages.run("-v", inprocess="KeyboardInterrupt" not in code)
    second = code.count("\n") + 5  # the line the page's second block opens on
    assert outcomes(result) == {
        "docs/a.md::line-1": "FAILED",
        f"docs/a.md::line-{second}": "PASSED",
        "docs/a.md::test_same_page": "PASSED",
        "docs/b.md::line-1": "PASSED",
        "docs/b.md::test_other_page": "PASSED",
    }
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_a_failing_page_does_not_fail_another(pages: Pages) -> None:
    pages.write(
        **{
            "docs/broken": '```python\nraise RuntimeError("broken page")\n```\n\n'
            "<!-- skip: end -->\n",
            "docs/fine": "```python\ndef test_fine():\n    pass\n```\n",
        }
    )
    result = pages.run("-v")
    found = outcomes(result)
    assert found["docs/fine.md::test_fine"] == "PASSED"
    assert found["docs/broken.md::line-1"] == "FAILED"
    assert found["docs/broken.md::line-5"] == "FAILED"  # the skip: end without a start
    assert "Interrupted" not in result.stdout.str()
