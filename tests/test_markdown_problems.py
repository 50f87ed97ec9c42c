"""Problems of the page itself (a misspelled directive, a fence language or directive one typo
from a Python one, a Python-looking block that cannot run) are failing items named ``line-N``:
never collection errors, never silent, and the rest of the page still runs."""

from __future__ import annotations

import textwrap

import pytest

from test_markdown import SIMPLE, Pages, line_of, make_pages, outcomes

pages = pytest.fixture(make_pages, name="pages")
#: Their pages hit no time limit and end no process: the runs share this process.
PAGES_IN_PROCESS = True

SUGGESTION = (
    "A comment shaped like a directive with a near miss of its name is taken for a misspelled "
    "one: fix the name, or reword the comment."
)

#: name: (the comment, its first word, the directive suggested, the line of the word, the note)
MISSPELLED = {
    "prefix": ("<!-- test-category: module x -->", "test-category", "test-categories", 3, ""),
    "underscore": (
        "<!-- test_categories: module x -->",
        "test_categories",
        "test-categories",
        3,
        "",
    ),
    "invisible": (
        "<!-- invisble-code-block: python\nx = 1\n-->",
        "invisble-code-block",
        "invisible-code-block",
        3,
        "",
    ),
    "skip": ("<!-- skp: next -->", "skp", "skip", 3, ""),
    "capital": ("<!-- Skip: next -->", "Skip", "skip", 3, " (directives are lower case)"),
    "percent": ("% skp: next", "skp", "skip", 3, ""),
    "next-line": (
        "<!--\ntest-categoris:\n    module x\n-->",
        "test-categoris",
        "test-categories",
        4,
        "",
    ),
}


def test_each_misspelled_directive_is_a_failing_item_at_its_line_with_a_suggestion(
    pages: Pages,
) -> None:
    pages.write(
        **{
            f"docs/{name}": f"# A page\n\n{comment}\n\n{SIMPLE}"
            for name, (comment, *_) in MISSPELLED.items()
        }
    )
    result = pages.run("-v")
    found = outcomes(result)
    for name, (_, word, meant, line, note) in MISSPELLED.items():
        assert found[f"docs/{name}.md::line-{line}"] == "FAILED", name
        # The page's own examples still run.
        assert found[f"docs/{name}.md::test_it"] == "PASSED", name
        result.stdout.fnmatch_lines(
            [
                f"docs/{name}.md:{line}: {word!r} is not a directive; did you mean {meant!r}?"
                f"{note} " + SUGGESTION
            ],
            consecutive=False,
        )
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_comments_that_are_no_near_miss_and_shown_source_are_left_alone(pages: Pages) -> None:
    result = pages(
        """\
        <!-- TODO: a section on fixtures -->
        <!-- note: keep this page short -->
        <!-- Skip this section -->
        <!-- Skip this section if you know pytest -->
        % This page is a draft.

        How to write a skip:

        ````markdown
        <!-- skp: next -->
        ````

        :::{code-block} markdown
        <!-- test-category: module shown -->
        :::

        <!-- code-block: python
        HIDDEN = 1
        -->

        ```python
        def test_it():
            assert HIDDEN == 1
        ```
        """,
        "-v",
    )
    # Directives are case-sensitive and need "word:": prose comments are no near miss.
    assert set(outcomes(result).values()) == {"PASSED"}
    result.assert_outcomes(passed=3)


# --- Fence languages and directive names one typo from Python's ---------------------------

LOST = "as it is, this block is shown as text and its test is lost. Fix the language name."


@pytest.mark.parametrize(
    ("language", "meant"),
    [
        pytest.param("pyhton", "python", id="swap"),
        pytest.param("pyton", "python", id="deletion"),
        pytest.param("pythonn", "python", id="insertion"),
        pytest.param("pycn", "pycon", id="console"),
    ],
)
def test_a_fence_language_one_edit_from_python_is_a_failing_item(
    pages: Pages, language: str, meant: str
) -> None:
    page = f"Text.\n\n```{language}\ndef test_lost():\n    pass\n```\n\n{SIMPLE}"
    result = pages(page, "-v")
    assert outcomes(result) == {
        "docs/page.md::line-3": "FAILED",
        "docs/page.md::line-8": "PASSED",
        "docs/page.md::test_it": "PASSED",
    }
    result.stdout.fnmatch_lines(
        [
            f"docs/page.md:3: {language!r} is no language Pygments knows, and one edit from "
            f"{meant!r}: {LOST}"
        ],
        consecutive=False,
    )


@pytest.mark.parametrize(
    ("directive", "meant"),
    [
        pytest.param("code-blok", "code-block", id="code-block"),
        pytest.param("codeblock", "code-block", id="no-hyphen"),
        pytest.param("doctset", "doctest", id="doctest"),
        pytest.param("testcod", "testcode", id="testcode"),
    ],
)
def test_a_directive_one_edit_from_a_code_directive_is_a_failing_item(
    pages: Pages, directive: str, meant: str
) -> None:
    page = f"Text.\n\n```{{{directive}}} python\ndef test_lost():\n    pass\n```\n\n{SIMPLE}"
    result = pages(page, "-v")
    assert outcomes(result) == {
        "docs/page.md::line-3": "FAILED",
        "docs/page.md::line-8": "PASSED",
        "docs/page.md::test_it": "PASSED",
    }
    result.stdout.fnmatch_lines(
        [
            f"docs/page.md:3: {{{directive}}} is not a directive Sphinx knows, and one edit "
            f"from {{{meant}}}: as it is, its code is not run and its test is lost. Fix the "
            "directive's name."
        ],
        consecutive=False,
    )


def test_known_languages_and_directives_near_python_are_no_problem(pages: Pages) -> None:
    result = pages(
        textwrap.dedent(
            """\
        ```cython
        cdef int x = 1
        ```

        ```pytb
        Traceback (most recent call last):
        ValueError
        ```

        ```{note}
        A note.
        ```

        ```{toctree}
        page
        ```

        ```{code-block} toml
        [tool.pytest.ini_options]
        ```
        """
        )
        + SIMPLE,
        "-v",
    )
    assert set(outcomes(result).values()) == {"PASSED"}
    result.assert_outcomes(passed=2)


@pytest.mark.parametrize("language", ["ipython", "ipython3", "jython"])
def test_a_real_language_that_pygments_may_lack_is_no_near_miss(
    pages: Pages, language: str
) -> None:
    # IPython registers its own lexers with Pygments; these blocks hold no test to lose.
    result = pages(f"```{language}\nIn [1]: 1 + 1\n```\n\n{SIMPLE}", "-v")
    assert outcomes(result) == {"docs/page.md::line-5": "PASSED", "docs/page.md::test_it": "PASSED"}


# --- Python-looking blocks that cannot run ------------------------------------------------


def test_a_block_without_a_language_that_is_python_is_a_failing_item(pages: Pages) -> None:
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
    result = pages(page, "-v")
    line = line_of(page, "This one is:") + 2
    assert outcomes(result) == {f"docs/page.md::line-{line}": "FAILED"}
    result.stdout.fnmatch_lines(
        [
            f"docs/page.md:{line}: this block names no language, and its text is Python, so the "
            "site highlights it as Python: name its language (python to run it, or text, "
            "console, ... if it is not Python). To show code that must not run, put "
            "<!-- skip: next --> above the block and say why in the text."
        ],
        consecutive=False,
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_a_block_that_cannot_run_is_a_failing_item_saying_why(pages: Pages) -> None:
    pages.write(
        **{
            "docs/two": "```python2\nprint 'hello'\n```\n",
            "docs/prompt": "Text.\n\n```pycon\n42\n```\n",
            "docs/hidden": "<!-- invisible-code-block: pyhton\nx = 1\n-->\n",
        }
    )
    result = pages.run("-v")
    assert outcomes(result) == {
        "docs/hidden.md::line-1": "FAILED",
        "docs/prompt.md::line-3": "FAILED",
        "docs/two.md::line-1": "FAILED",
    }
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
    # Problems are failures, not collection errors: the run is not interrupted.
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "Interrupted" not in result.stdout.str()


def test_a_skip_directive_keeps_any_python_looking_block_from_running(pages: Pages) -> None:
    page = textwrap.dedent(
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
    )
    result = pages(page, "-v")
    found = outcomes(result)
    assert found.pop("docs/page.md::test_runs") == "PASSED"
    assert found.pop(f"docs/page.md::line-{line_of(page, 'def test_runs') - 1}") == "PASSED"
    assert set(found.values()) == {"SKIPPED"}
    assert len(found) == 4
    assert "test_skipped" not in result.stdout.str()


def test_every_problem_of_a_page_is_reported_and_nothing_is_interrupted(pages: Pages) -> None:
    result = pages(
        """\
        <!-- skp: next -->

        ```pyhton
        x = 1
        ```

        <!-- skip: end -->

        <!-- test-categories: sise small -->

        ```python2
        print 'hello'
        ```

        ```python
        def test_runs():
            pass
        ```
        """,
        "-v",
    )
    assert outcomes(result) == {
        "docs/page.md::line-1": "FAILED",
        "docs/page.md::line-3": "FAILED",
        "docs/page.md::line-7": "FAILED",
        "docs/page.md::line-9": "FAILED",
        "docs/page.md::line-11": "FAILED",
        "docs/page.md::line-15": "PASSED",
        "docs/page.md::test_runs": "PASSED",
    }
    assert result.ret == pytest.ExitCode.TESTS_FAILED
