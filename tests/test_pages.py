"""The facts of a page, read by :func:`pytest_test_categories.pages.read` without pytest: its
examples (kinds, lines, groups, outputs), the tests they define, skips, directives, problems."""

from __future__ import annotations

import textwrap

import pytest

from pytest_test_categories import pages
from pytest_test_categories.pages import Skip
from pytest_test_categories.pages import Test as Defined

pytestmark = pytest.mark.small


def read(text: str) -> pages.Page:
    return pages.read(textwrap.dedent(text), "docs/page.md")


def kinds(page: pages.Page) -> list[tuple[str, int]]:
    return [(example.kind, example.line) for example in page.examples]


def test_every_kind_of_example_in_page_order_named_after_its_opening_line() -> None:
    page = read(
        """\
        ```python
        x = 1
        ```

        ~~~py3
        y = 2
        ~~~

        ```{code-block} python
        :caption: options

        z = 3
        ```

        :::{sourcecode} pyi
        w = 4
        :::

        <!-- invisible-code-block: python
        hidden = 5
        -->

        ```pycon
        >>> 1
        1
        ```

        ```python
        >>> 2
        2
        ```

        ```
        >>> 3
        3
        ```

        ```{doctest}
        >>> 4
        4
        ```

        ```{testsetup}
        a = 1
        ```

        ```{testcode}
        print(a)
        ```

        ```{testcleanup}
        del a
        ```

        ```text
        not an example
        ```
        """
    )
    assert kinds(page) == [
        ("code", 1),
        ("code", 5),
        ("code", 9),
        ("code", 15),
        ("code", 19),
        ("session", 23),
        ("session", 28),
        ("session", 33),
        ("session", 38),
        ("testsetup", 43),
        ("testcode", 47),
        ("testcleanup", 51),
    ]
    assert [example.name for example in page.examples][:2] == ["line-1", "line-5"]
    assert [example.hidden for example in page.examples][3:6] == [False, True, False]
    assert page.problems == []


def test_an_examples_source_keeps_its_page_lines() -> None:
    page = read(
        """\
        # Title

        ```{code-block} python
        :caption: two option lines
        :emphasize-lines: 1

        first = 1
        second = 2
        ```
        """
    )
    (example,) = page.examples
    assert (example.line, example.end) == (3, 9)
    # Compiled as it is, its code is at the page's lines.
    lines = example.source.splitlines()
    assert lines.index("first = 1") + 1 == 7
    assert compile(example.source, "page", "exec").co_lines() is not None
    assert example.options == {"caption": "two option lines", "emphasize-lines": "1"}


def test_doctest_groups_and_a_testoutput_belongs_to_the_testcode_before_it() -> None:
    page = read(
        """\
        ```{testcode} one, two
        print(1)
        ```

        ```{testoutput} one, two
        :options: +ELLIPSIS

        1
        ```

        ```{doctest}
        >>> 1
        1
        ```
        """
    )
    code, session = page.examples
    assert code.groups == ("one", "two")
    assert session.groups == ("default",)
    assert code.output is not None
    assert code.output.line == 5
    assert code.output.source.strip() == "1"
    assert code.output.options == {"options": "+ELLIPSIS"}
    assert page.problems == []


def test_a_testoutput_of_another_group_is_a_problem() -> None:
    page = read("```{testcode} one\nprint(1)\n```\n\n```{testoutput} two\n1\n```\n")
    assert page.examples[0].output is None
    assert page.problems == [(5, "a testoutput block must follow the testcode block of its group.")]


def test_the_tests_a_code_block_defines_and_their_node_names() -> None:
    page = read(
        """\
        ```python
        def test_one():
            def test_nested():
                pass

        class TestGroup:
            def test_method(self):
                pass

        def helper():
            pass

        async def test_async():
            pass
        ```

        ```pycon
        >>> def test_in_a_session():
        ...     pass
        ```

        ```python
        def test_one():
            pass

        class TestGroup:
            pass
        ```
        """
    )
    assert list(page.tests()) == [
        (page.examples[0], Defined("test_one", "test_one", 2, False)),
        (page.examples[0], Defined("TestGroup", "TestGroup", 6, True)),
        (page.examples[0], Defined("test_async", "test_async", 13, False)),
        (page.examples[2], Defined("test_one", "test_one@23", 23, False)),
        (page.examples[2], Defined("TestGroup", "TestGroup@26", 26, True)),
    ]


def test_skips_cover_the_examples_they_name() -> None:
    page = read(
        """\
        <!-- skip: next -->

        ```python
        a = 1
        ```

        <!-- skip: start -->

        ```python
        b = 2
        ```

        ```pycon
        >>> c = 3
        ```

        <!-- skip: end -->

        % skip: next if(sys.platform == "win32", reason="not on Windows")

        ```python
        d = 4
        ```

        ```python
        e = 5
        ```
        """
    )
    assert [example.skips for example in page.examples] == [
        [Skip(1, "next", None)],
        [Skip(7, "start", None)],
        [Skip(7, "start", None)],
        [Skip(19, "next", 'if(sys.platform == "win32", reason="not on Windows")')],
        [],
    ]
    assert page.problems == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param(
            "<!-- skip: end -->\n", (1, "skip: end without a skip: start before it."), id="end"
        ),
        pytest.param(
            "<!-- skip: next -->\n", (1, "skip: next with no example after it."), id="next"
        ),
        pytest.param(
            "<!-- skip: sometimes -->\n",
            (1, "skip: 'sometimes': write skip: next, skip: start or skip: end"),
            id="action",
        ),
    ],
)
def test_a_malformed_skip_is_a_problem_at_its_line(text: str, problem: tuple[int, str]) -> None:
    assert problem in read(text).problems


def test_a_skip_start_with_no_end_skips_the_rest_of_the_page_as_in_sybil() -> None:
    page = read("```python\nx = 1\n```\n\n<!-- skip: start -->\n\n```python\ny = 2\n```\n")
    assert [example.skips for example in page.examples] == [[], [Skip(5, "start", None)]]
    assert page.problems == []


def test_directives_with_their_lines_and_a_clear_namespace() -> None:
    page = read(
        """\
        <!-- test-categories: module guide.page -->

        <!--
        test-categories:
            size small
            expect-violation test_it network
        -->

        <!-- clear-namespace -->

        ```python
        x = 1
        ```
        """
    )
    assert page.directives == [
        (1, ["module", "guide.page"]),
        (5, ["size", "small"]),
        (6, ["expect-violation", "test_it", "network"]),
    ]
    assert page.examples[0].clears


@pytest.mark.parametrize(
    ("text", "line", "start"),
    [
        pytest.param("Text.\n\n<!-- skp: next -->\n", 3, "'skp' is not a directive", id="skip"),
        pytest.param(
            "<!-- Skip: next -->\n",
            1,
            "'Skip' is not a directive; did you mean 'skip'? (directives are lower case)",
            id="capital",
        ),
        pytest.param(
            "<!--\ntest-categoris:\n    module x\n-->\n",
            2,
            "'test-categoris' is not a directive",
            id="next-line",
        ),
        pytest.param(
            "```pyhton\nx = 1\n```\n", 1, "'pyhton' is no language Pygments knows", id="fence"
        ),
        pytest.param(
            "```{code-blok} python\nx = 1\n```\n",
            1,
            "{code-blok} is not a directive Sphinx knows",
            id="directive",
        ),
    ],
)
def test_near_misses_are_problems_at_their_line(text: str, line: int, start: str) -> None:
    page = read(text)
    found = [(n, message) for n, message in page.problems if message.startswith(start)]
    found += [(e.line, e.problem) for e in page.examples if (e.problem or "").startswith(start)]
    assert [n for n, _ in found] == [line]


@pytest.mark.parametrize(
    "comment",
    [
        "<!-- Skip this section -->",
        "<!-- TODO: write more -->",
        "<!-- note: a note -->",
        "% A draft.",
        "<!-- skipped: for now, by the reader -->",
    ],
)
def test_prose_comments_are_no_problem(comment: str) -> None:
    assert read(f"{comment}\n\n```python\nx = 1\n```\n").problems == []


@pytest.mark.parametrize(
    ("fence", "problem"),
    [
        pytest.param("```python2\nprint 'x'\n```", "a python2 block cannot run", id="python2"),
        pytest.param("```pycon\n42\n```", "a pycon block without a '>>> ' prompt", id="pycon"),
        pytest.param(
            "```\nimport json\nprint(json.dumps({}))\n```",
            "this block names no language, and its text is Python",
            id="unnamed",
        ),
        pytest.param(
            "<!-- invisible-code-block: text\nx = 1\n-->",
            "an invisible code block must be Python, not 'text'",
            id="hidden-not-python",
        ),
    ],
)
def test_a_python_looking_block_that_cannot_run_is_refused_saying_why(
    fence: str, problem: str
) -> None:
    (example,) = read(f"{fence}\n").examples
    assert example.kind == "refused"
    assert (example.problem or "").startswith(problem)
    assert example.line == 1


@pytest.mark.parametrize(
    "fence",
    [
        "```\n3 passed in 0.12s\n```",
        "```\npytest -v\n```",
        "```\nhello\n```",
        "```bash\npython -m pytest\n```",
        "```cython\ncdef int x = 1\n```",
    ],
)
def test_a_block_that_is_not_python_is_no_example(fence: str) -> None:
    page = read(f"{fence}\n")
    assert page.examples == []
    assert page.problems == []


def test_code_shown_in_a_literal_block_is_no_example_and_no_directive() -> None:
    page = read(
        """\
        ````markdown
        <!-- skp: next -->
        <!-- test-categories: module shown -->

        ```python
        x = 1
        ```
        ````

        ````{note}
        ```python
        y = 2
        ```
        ````
        """
    )
    assert kinds(page) == [("code", 11)]
    assert page.directives == []
    assert page.problems == []


def test_reading_runs_nothing() -> None:
    page = read('```python\nraise SystemExit("ran")\n\ndef test_after():\n    pass\n```\n')
    assert [test.name for _, test in page.tests()] == ["test_after"]
