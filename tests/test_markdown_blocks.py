"""Which blocks of a page are examples: every Python alias, every fence and code directive,
hidden blocks; and which are text.

Each test writes pages, runs pytest on them in a subprocess, and asserts on what a page's author
would see.
"""

from __future__ import annotations

import pytest
from pygments.lexers.python import PythonConsoleLexer, PythonLexer

from pytest_test_categories.pages import CONSOLE, PYTHON
from test_markdown import Pages, line_of, make_pages, outcomes

pages = pytest.fixture(make_pages, name="pages")
#: Their pages hit no time limit and end no process: the runs share this process.
PAGES_IN_PROCESS = True


def test_the_alias_lists_are_pygments_own() -> None:
    # The page reader keeps its own copy, so that it does not import Pygments.
    assert set(PythonLexer.aliases) == PYTHON
    assert set(PythonConsoleLexer.aliases) == CONSOLE


def test_a_failing_test_in_every_python_alias_fails_the_run(pages: Pages) -> None:
    aliases = [*sorted(PYTHON), "Python", "PY3"]
    pages.write(
        **{
            f"docs/{index}": f"```{alias}\ndef test_alias():\n    assert False, {alias!r}\n```\n"
            for index, alias in enumerate(aliases)
        }
    )
    result = pages.run("-rA")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    # Each block is an example that passes (it defines the test), then its test fails.
    result.assert_outcomes(passed=len(aliases), failed=len(aliases))
    for index, alias in enumerate(aliases):
        result.stdout.fnmatch_lines(
            [
                f"PASSED docs/{index}.md::line-1",
                f"FAILED docs/{index}.md::test_alias - AssertionError: {alias}",
            ],
            consecutive=False,
        )


FENCES = """\
# Every way to write a block

~~~python
def test_tilde():
    assert False
~~~

```{code-block} py
:caption: a caption
:emphasize-lines: 2

def test_code_block():
    assert False
```

```{code} python3
def test_code():
    assert False
```

```{sourcecode} Python
def test_sourcecode():
    assert False
```

:::{code-block} python
:caption: colon fences are on in the guide's Sphinx configuration

def test_colon_code_block():
    assert False
:::

::::{code} py
def test_colon_code():
    assert False
::::

:::{note}
A note renders its content, so the block in it runs:

```python
def test_in_a_colon_note():
    assert False
```
:::
"""


def test_a_failing_test_fails_in_every_fence_and_code_directive(pages: Pages) -> None:
    result = pages(FENCES, "-v")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    found = outcomes(result)
    # Seven blocks, each an example named after the line its fence opens on, and seven tests.
    examples = {node: word for node, word in found.items() if "::line-" in node}
    assert set(examples.values()) == {"PASSED"}
    assert len(examples) == 7
    result.assert_outcomes(passed=7, failed=7)
    for name in (
        "tilde",
        "code_block",
        "code",
        "sourcecode",
        "colon_code_block",
        "colon_code",
        "in_a_colon_note",
    ):
        # The failure points at the page's own line, whatever the fence.
        line = line_of(FENCES, f"def test_{name}():") + 1
        result.stdout.fnmatch_lines([f"docs/page.md:{line}: AssertionError"], consecutive=False)
        assert found[f"docs/page.md::test_{name}"] == "FAILED"


def test_code_shown_in_a_colon_fenced_code_block_is_text(pages: Pages) -> None:
    result = pages(
        """\
        ::::{code-block} markdown
        How a page shows Python:

        ```python
        raise RuntimeError("shown, never run")
        ```
        ::::

        ```python
        def test_runs():
            pass
        ```
        """,
        "-v",
    )
    assert outcomes(result) == {
        "docs/page.md::line-9": "PASSED",
        "docs/page.md::test_runs": "PASSED",
    }


def test_fence_and_directive_lines_name_the_examples(pages: Pages) -> None:
    page = """\
    ~~~python
    ONE = 1
    ~~~

    <!-- invisible-code-block: python
    TWO = ONE + 1
    -->

    % invisible-code-block: python
    % THREE = TWO + 1

    ```{code-block} python
    :caption: options take lines

    assert THREE == 3
    ```

    :::{code} py
    assert THREE == 3
    :::
    """
    result = pages(page, "-v")
    expected = [
        line_of(page, "~~~python"),
        line_of(page, "<!-- invisible"),
        line_of(page, "% invisible"),
        line_of(page, "{code-block}"),
        line_of(page, ":::{code}"),
    ]
    assert outcomes(result) == {f"docs/page.md::line-{line}": "PASSED" for line in expected}


def test_hidden_code_runs_but_a_shown_non_python_block_does_not(pages: Pages) -> None:
    result = pages(
        """\
        ```text
        raise RuntimeError("text")
        ```

        ```bash
        rm -rf /
        ```

        ```json
        {"a": 1}
        ```

        <!-- invisible-code-block: python
        import sys
        sys.modules[__name__].HIDDEN = "ran"
        -->

        ```python
        def test_hidden_ran():
            assert HIDDEN == "ran"
        ```
        """,
        "-v",
    )
    assert outcomes(result) == {
        "docs/page.md::line-13": "PASSED",
        "docs/page.md::line-18": "PASSED",
        "docs/page.md::test_hidden_ran": "PASSED",
    }
