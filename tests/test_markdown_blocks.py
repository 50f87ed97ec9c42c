"""Which blocks of a page run: every Python alias and fence, doctests, and blocks that look like
Python but cannot run.

Each test writes pages, runs pytest on them in a subprocess, and asserts on what a page's author
would see.
"""

from __future__ import annotations

import textwrap

import pytest
from pygments.lexers.python import PythonConsoleLexer, PythonLexer

from pytest_test_categories import markdown
from test_markdown import Pages, line_of, make_pages

pages = pytest.fixture(make_pages, name="pages")


def test_the_alias_lists_are_pygments_own() -> None:
    # The collector keeps its own copy, so that it does not import Pygments.
    assert set(PythonLexer.aliases) == markdown.PYTHON
    assert set(PythonConsoleLexer.aliases) == markdown.CONSOLE


def test_a_failing_test_in_every_python_alias_fails_the_run(pages: Pages) -> None:
    aliases = [*sorted(markdown.PYTHON), "Python", "PY3"]
    pages.write(
        **{
            f"docs/{index}": f"```{alias}\ndef test_alias():\n    assert False, {alias!r}\n```\n"
            for index, alias in enumerate(aliases)
        }
    )
    result = pages.run("-rA")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(failed=len(aliases))
    for index, alias in enumerate(aliases):
        result.stdout.fnmatch_lines(
            [f"FAILED docs/{index}.md::test_alias - AssertionError: {alias}"]
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
    result = pages(FENCES)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(failed=7)
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
        """
    )
    result.assert_outcomes(passed=1)


DOCTESTS = """\
An interactive session runs as a doctest, in the page's namespace:

```pycon
>>> answer = 6 * 7
>>> answer
42
>>> print("two\\nlines")
two
lines
```

So does a Python block that starts with a prompt, and a block with no language:

```python
>>> answer + 1
43
```

```
>>> [answer] * 2
[42, 42]
```

```python
def test_sees_the_session():
    assert answer == 42
```
"""


def test_interactive_examples_run_as_doctests_in_the_pages_namespace(pages: Pages) -> None:
    pages(DOCTESTS, "-v").assert_outcomes(passed=1)


@pytest.mark.parametrize("language", ["pycon", "py", ""])
def test_output_that_differs_from_the_page_is_an_error_at_the_examples_line(
    pages: Pages, language: str
) -> None:
    page = f"Text.\n\n```{language}\n>>> 1 + 1\n2\n>>> 2 + 2\n5\n```\n"
    result = pages(page)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        [
            "*ERROR collecting docs/page.md*",
            "docs/page.md:6: this example's output is not the output shown:",
            "Expected:",
            "    5",
            "Got:",
            "    4",
        ]
    )


def test_a_block_without_a_language_that_is_python_is_an_error(pages: Pages) -> None:
    page = """\
    Output, commands and a bare word are not Python that does something:

    ```
    3 passed in 0.12s
    ```

    ```
    pytest -v
    ```

    ```
    hello
    ```

    This one is:

    ```
    import json
    print(json.dumps({}))
    ```
    """
    result = pages(page)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    line = line_of(page, "This one is:") + 2
    result.stdout.fnmatch_lines(
        [
            f"docs/page.md:{line}: this block names no language, and its text is Python, so the "
            "site highlights it as Python: name its language (python to run it, or text, "
            "console, ... if it is not Python). To show code that must not run, put "
            "<!-- skip: next --> above the block and say why in the text."
        ]
    )


def test_a_block_that_cannot_run_is_an_error_saying_why(pages: Pages) -> None:
    pages.write(
        **{
            "docs/two": "```python2\nprint 'hello'\n```\n",
            "docs/prompt": "Text.\n\n```pycon\n42\n```\n",
            "docs/hidden": "<!-- invisible-code-block: pyhton\nx = 1\n-->\n",
        }
    )
    result = pages.run("--continue-on-collection-errors")
    result.assert_outcomes(errors=3)
    result.stdout.fnmatch_lines(
        [
            "docs/hidden.md:1: an invisible code block must be Python, not 'pyhton'; "
            "did you mean 'python'?",
            "docs/prompt.md:3: a pycon block without a '>>> ' prompt checks nothing: *",
            "docs/two.md:1: a python2 block cannot run on Python 3. To show code that must "
            "not run, put <!-- skip: next --> above the block*",
        ],
        consecutive=False,
    )


def test_a_skip_directive_keeps_any_python_looking_block_from_running(pages: Pages) -> None:
    result = pages(
        textwrap.dedent(
            """\
            Not run, as the text says:

            <!-- skip: next -->

            ```
            import this_module_does_not_exist
            ```

            <!-- skip: next -->

            ```python2
            print 'hello'
            ```

            The whole session is skipped, not only its first prompt:

            <!-- skip: next -->

            ```pycon
            >>> 1 + 1
            3
            >>> 2 + 2
            5
            ```

            % skip: next

            :::{code-block} python
            def test_skipped():
                assert False
            :::

            ```python
            def test_runs():
                pass
            ```
            """
        ),
        "-v",
    )
    result.assert_outcomes(passed=1)
    assert "test_skipped" not in result.stdout.str()
