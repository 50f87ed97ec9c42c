"""Misspelled directives are errors with a suggestion; ordinary comments are left alone."""

from __future__ import annotations

import pytest

from test_markdown import SIMPLE, Pages, make_pages

pages = pytest.fixture(make_pages, name="pages")

SUGGESTION = (
    "A comment that starts with a near miss of a directive's name is taken for a misspelled "
    "directive: fix the name, or reword the comment."
)

#: name: (the comment, its first word, the directive suggested, the line of the word)
MISSPELLED = {
    "prefix": ("<!-- test-category: module x -->", "test-category", "test-categories", 3),
    "underscore": ("<!-- test_categories: module x -->", "test_categories", "test-categories", 3),
    "invisible": (
        "<!-- invisble-code-block: python\nx = 1\n-->",
        "invisble-code-block",
        "invisible-code-block",
        3,
    ),
    "skip": ("<!-- skp: next -->", "skp", "skip", 3),
    "capital": ("<!-- Skip: next -->", "Skip", "skip", 3),
    "percent": ("% skp: next", "skp", "skip", 3),
    "next-line": (
        "<!--\ntest-categoris:\n    module x\n-->",
        "test-categoris",
        "test-categories",
        4,
    ),
}


def test_each_misspelled_directive_is_an_error_at_its_line_with_a_suggestion(
    pages: Pages,
) -> None:
    pages.write(
        **{
            f"docs/{name}": f"# A page\n\n{comment}\n\n{SIMPLE}"
            for name, (comment, *_) in MISSPELLED.items()
        }
    )
    result = pages.run("--continue-on-collection-errors")
    result.assert_outcomes(errors=len(MISSPELLED))
    for name, (_, word, meant, line) in MISSPELLED.items():
        result.stdout.fnmatch_lines(
            [
                f"docs/{name}.md:{line}: {word!r} is not a directive; did you mean {meant!r}? "
                + SUGGESTION
            ],
            consecutive=False,
        )


def test_a_near_miss_of_a_test_categories_directive_gets_a_suggestion(pages: Pages) -> None:
    result = pages(
        "<!-- test-categories: expect-violaton test_it network -->\n\n" + SIMPLE,
    )
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        [
            "docs/page.md:1: cannot read test-categories: 'expect-violaton test_it network'; "
            "*. Did you mean 'expect-violation'?"
        ]
    )


def test_comments_that_are_no_near_miss_and_shown_source_are_left_alone(pages: Pages) -> None:
    result = pages(
        """\
        <!-- TODO: a section on fixtures -->
        <!-- note: keep this page short -->
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
    result.assert_outcomes(passed=1)
