"""Which pages are collected, what their items are called and in which order they run, and that
collection runs none of a page's code."""

from __future__ import annotations

import textwrap

import pytest

from test_markdown import PAGE, PAGE_ITEMS, SIMPLE, TRAP, Pages, make_pages, outcomes

pages = pytest.fixture(make_pages, name="pages")
#: Their pages hit no time limit and end no process: the runs share this process.
PAGES_IN_PROCESS = True


# --- Which pages are collected ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("patterns", "collected"),
    [
        pytest.param(
            "docs/**/*.md", ["docs/index.md", "docs/how-to/deep/page.md"], id="docs-double-star"
        ),
        pytest.param("docs/*.md", ["docs/index.md"], id="one-level"),
        pytest.param("*.md", ["index.md"], id="top-level-only"),
        pytest.param(
            "**/*.md",
            ["index.md", "docs/index.md", "docs/how-to/deep/page.md", "guide/page.md"],
            id="everywhere",
        ),
        pytest.param(
            "\n    docs/index.md\n    guide/*.md",
            ["docs/index.md", "guide/page.md"],
            id="several-lines",
        ),
        pytest.param("docs/how-to/**", ["docs/how-to/deep/page.md"], id="trailing-double-star"),
        pytest.param("docs/[!h]*.md", ["docs/index.md"], id="negated-set"),
    ],
)
def test_only_pages_matching_a_pattern_relative_to_the_rootdir_are_collected(
    pages: Pages, patterns: str, collected: list[str]
) -> None:
    names = ["index", "docs/index", "docs/how-to/deep/page", "guide/page"]
    pages.write(**dict.fromkeys(names, SIMPLE))
    result = pages.run("--collect-only", "-q", patterns=patterns)
    # Each page has two items: its block, and the test the block defines.
    assert sorted(line for line in result.outlines if "::" in line) == sorted(
        f"{path}::{name}" for path in collected for name in ("line-1", "test_it")
    )


def test_a_readme_or_changelog_that_no_pattern_matches_is_never_executed(pages: Pages) -> None:
    pages.write(README=TRAP, CHANGELOG=TRAP, **{"docs/page": SIMPLE, "notes/todo": TRAP})
    result = pages.run("-v")
    assert outcomes(result) == {"docs/page.md::line-1": "PASSED", "docs/page.md::test_it": "PASSED"}
    assert "must never run" not in result.stdout.str()
    # The same pages with the option unset: no page is collected at all.
    assert pages.run(patterns=None).ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_a_missing_sybil_is_an_error_that_says_what_to_install(
    pages: Pages, pytester: pytest.Pytester
) -> None:
    pytester.makepyfile(sybil="raise ModuleNotFoundError('No module named sybil', name='sybil')")
    result = pages(SIMPLE, inprocess=False)  # a fresh interpreter, where Sybil is not imported
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        ["*ERROR collecting docs/page.md*", "*install pytest-test-categories[[]markdown[]]*"]
    )


# --- Items: names and order --------------------------------------------------------------------


def test_every_example_and_every_test_is_an_item_in_page_order(pages: Pages) -> None:
    pages.write(**{"docs/how-to/recipe": PAGE})
    result = pages.run("-v")
    # line-N: the line the block's fence, directive or comment opens on.
    assert list(outcomes(result).items()) == [
        (f"docs/how-to/recipe.md::{name}", "PASSED") for name in PAGE_ITEMS
    ]
    result.assert_outcomes(passed=5)


def test_each_test_runs_right_after_its_block_with_the_blocks_own_objects(pages: Pages) -> None:
    result = pages(
        """\
        ```python
        events = ["first block"]

        def test_after_the_first():
            assert events == ["first block"]
        ```

        ```python
        events.append("second block")

        def test_after_the_second():
            assert events == ["first block", "second block"]
            assert test_after_the_second.__module__ == "docs_page_md"
        ```
        """,
        "-v",
    )
    assert list(outcomes(result)) == [
        "docs/page.md::line-1",
        "docs/page.md::test_after_the_first",
        "docs/page.md::line-8",
        "docs/page.md::test_after_the_second",
    ]
    result.assert_outcomes(passed=4)


@pytest.mark.parametrize(
    ("first", "second", "nodes"),
    [
        pytest.param(
            "def test_twice():\n    assert VALUE == 1",
            "def test_twice():\n    assert VALUE == 2",
            ["test_twice", "test_twice@{line}"],
            id="function",
        ),
        pytest.param(
            "class TestTwice:\n    def test_x(self):\n        assert VALUE == 1",
            "class TestTwice:\n    def test_x(self):\n        assert VALUE == 2",
            ["TestTwice::test_x", "TestTwice@{line}::test_x"],
            id="class",
        ),
    ],
)
def test_a_name_a_later_block_reuses_is_a_new_test_named_after_its_line(
    pages: Pages, first: str, second: str, nodes: list[str]
) -> None:
    # Self-contained examples reuse names; each block's test is its own, at its own line.
    page = f"```python\nVALUE = 1\n{first}\n```\n\nProse.\n\n```python\nVALUE = 2\n{second}\n```\n"
    line = page.count("\n", 0, page.rindex(second.splitlines()[0])) + 1
    result = pages(page, "-v")
    found = outcomes(result)
    expected = [f"docs/page.md::{node.format(line=line)}" for node in nodes]
    assert [node for node in found if "line-" not in node] == expected
    assert set(found.values()) == {"PASSED"}
    assert result.ret == pytest.ExitCode.OK


def test_a_reused_name_is_a_stable_node_id_that_selects_its_test(pages: Pages) -> None:
    pages.write(
        **{
            "docs/page": """\
            ```python
            def test_again():
                assert False, "the first definition"
            ```

            ```python
            def test_again():
                pass
            ```
            """
        }
    )
    result = pages.run("-v", "docs/page.md::test_again@7")
    assert outcomes(result) == {"docs/page.md::test_again@7": "PASSED"}


def test_a_name_defined_twice_within_one_block_is_the_later_definition(pages: Pages) -> None:
    # As in a .py file, the second def replaces the first.
    result = pages(
        "```python\ndef test_a():\n    assert False\n\ndef test_a():\n    pass\n```\n", "-v"
    )
    assert result.ret == pytest.ExitCode.OK
    assert "FAILED" not in result.stdout.str()


def test_a_helper_may_be_redefined_like_in_python(pages: Pages) -> None:
    result = pages(
        "```python\ndef helper():\n    return 1\n```\n\n"
        "```python\ndef helper():\n    return 2\n\ndef test_it():\n    assert helper() == 2\n```\n"
    )
    result.assert_outcomes(passed=3)


def test_future_imports_hold_for_the_rest_of_the_page(pages: Pages) -> None:
    result = pages(
        "```python\nfrom __future__ import annotations\n```\n\n"
        "```python\ndef test_annotations_stay_strings(x: Undefined = 1):\n"
        "    assert test_annotations_stay_strings.__annotations__ == {'x': 'Undefined'}\n```\n"
    )
    result.assert_outcomes(passed=3)


def test_code_shown_inside_a_literal_fence_is_text(pages: Pages) -> None:
    result = pages(
        """\
        How to write a page:

        ````markdown
        <!-- test-categories: module shown_only -->
        <!-- skip: next -->

        ```python
        def test_shown_not_run():
            assert False
        ```
        ````

        ````{note}
        Code in an admonition is rendered, so it runs:

        ```python
        def test_in_a_note():
            import sys
            assert "shown_only" not in sys.modules
        ```
        ````
        """,
        "-v",
    )
    assert outcomes(result) == {
        "docs/page.md::line-16": "PASSED",
        "docs/page.md::test_in_a_note": "PASSED",
    }


# --- Collection runs no page code; exit codes ----------------------------------------------------

NEVER_AT_COLLECTION = """\
<!-- skip: next if(open("condition.txt", "w"), reason="evaluated at run time only") -->

```python
open("block.txt", "w").write("written")
raise SystemExit("the page ran at collection")

def test_defined_after_a_raise():
    pass
```

```pycon
>>> open("session.txt", "w").write("x")
1
```

```python
import pytest

@pytest.mark.parametrize("n", [1, 2])
def test_read_without_running(n):
    pass
```
"""


def test_collection_runs_no_page_code(pages: Pages, pytester: pytest.Pytester) -> None:
    result = pages(NEVER_AT_COLLECTION, "--collect-only", "-q")
    assert result.ret == pytest.ExitCode.OK
    assert [line for line in result.outlines if "::" in line] == [
        "docs/page.md::line-3",
        "docs/page.md::test_defined_after_a_raise",
        "docs/page.md::line-11",
        "docs/page.md::line-16",
        "docs/page.md::test_read_without_running[1]",
        "docs/page.md::test_read_without_running[2]",
    ]
    assert "the page ran" not in result.stdout.str() + result.stderr.str()
    written = {"condition.txt", "block.txt", "session.txt"}
    assert not written & {path.name for path in pytester.path.iterdir()}


def test_a_page_whose_code_is_all_top_level_passes_with_exit_code_0(pages: Pages) -> None:
    # Its examples ran: "no tests ran" (exit code 5) would be false.
    result = pages(
        """\
        ```python
        import json
        data = json.loads('{"a": 1}')
        ```

        ```pycon
        >>> data["a"]
        1
        ```
        """
    )
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=2)


def test_a_page_of_skipped_examples_is_no_empty_run(pages: Pages) -> None:
    result = pages("<!-- skip: next -->\n\n```python\nraise RuntimeError\n```\n", "-rs")
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(skipped=1)


def test_a_page_with_no_example_collects_nothing(pages: Pages) -> None:
    # Nothing ran, so pytest's own exit code 5 is the truth.
    result = pages(textwrap.dedent("# Prose only\n\n```text\nnot python\n```\n"))
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
