"""The page's invisible directives: Sybil's skips and this project's ``test-categories``
(``expect-violation``, ``module``); a bad one is a failing item at its line."""

from __future__ import annotations

import textwrap

import pytest

from conftest import outcome_of
from test_markdown import SIMPLE, Pages, line_of, make_pages, outcomes

pages = pytest.fixture(make_pages, name="pages")


# --- Skips ---------------------------------------------------------------------------------------

SKIPS = """\
<!-- skip: next -->

```python
this is pseudo-code, not Python
```

<!-- skip: start -->

```python
def test_skipped_by_start():
    assert False
```

```python
raise RuntimeError("skipped as well")
```

<!-- skip: end -->

<!-- skip: next "needs a real service" -->

```python
def test_skipped_with_a_reason():
    assert False
```

```python
def test_runs():
    pass
```
"""


def test_skip_directives_keep_blocks_from_running(pages: Pages) -> None:
    result = pages(SKIPS, "-v")
    skipped = [
        line_of(SKIPS, text) - 1
        for text in ("pseudo-code", "def test_skipped_by_start", "skipped as well")
    ] + [line_of(SKIPS, "def test_skipped_with_a_reason") - 1]
    assert outcomes(result) == {
        **{f"docs/page.md::line-{line}": "SKIPPED" for line in skipped},
        f"docs/page.md::line-{line_of(SKIPS, 'def test_runs') - 1}": "PASSED",
        "docs/page.md::test_runs": "PASSED",
    }
    # The tests of a block that never runs are not collected.
    assert "test_skipped" not in result.stdout.str()
    result.assert_outcomes(passed=2, skipped=4)


def test_a_skipped_example_is_reported_with_its_reason_at_the_page(pages: Pages) -> None:
    result = pages(SKIPS, "-rs")
    result.stdout.fnmatch_lines(
        [
            "SKIPPED [[]1[]] docs/page.md*: skip: next at line 1",
            "SKIPPED [[]2[]] docs/page.md*: skip: start at line 7",
            "SKIPPED [[]1[]] docs/page.md*: needs a real service",
        ],
        consecutive=False,
    )
    # Where a skip comes from is the page, never pytest's own source.
    assert "_pytest" not in result.stdout.str()


CONDITIONAL = """\
```python
import sys

ON_PURPOSE = True
```

<!-- skip: next if(ON_PURPOSE, reason="skipped on purpose") -->

```python
raise RuntimeError("never runs")

def test_in_a_conditionally_skipped_block():
    assert False
```

<!-- skip: next if(not ON_PURPOSE, reason="not skipped") -->

```python
def test_runs():
    pass
```
"""


def test_a_conditional_skip_is_evaluated_at_run_time_in_the_page_namespace(
    pages: Pages,
) -> None:
    result = pages(CONDITIONAL, "-v", "-rs")
    assert outcomes(result) == {
        "docs/page.md::line-1": "PASSED",
        "docs/page.md::line-9": "SKIPPED",
        "docs/page.md::test_in_a_conditionally_skipped_block": "SKIPPED",
        "docs/page.md::line-18": "PASSED",
        "docs/page.md::test_runs": "PASSED",
    }
    result.stdout.fnmatch_lines(["SKIPPED * skipped on purpose"], consecutive=False)
    assert "never runs" not in result.stdout.str()


def test_a_conditional_skip_reads_the_namespace_of_a_run_selected_with_minus_k(
    pages: Pages,
) -> None:
    result = pages(CONDITIONAL, "-v", "-k", "conditionally_skipped or test_runs")
    assert outcomes(result) == {
        "docs/page.md::test_in_a_conditionally_skipped_block": "SKIPPED",
        "docs/page.md::test_runs": "PASSED",
    }


@pytest.mark.parametrize(
    ("page", "line", "message"),
    [
        pytest.param(
            "Text.\n\n<!-- skip: end -->\n\n" + SIMPLE,
            3,
            "skip: end without a skip: start before it.",
            id="end-without-start",
        ),
        pytest.param(
            "<!-- skip: start -->\n\n<!-- skip: next -->\n\n" + SIMPLE + "\n<!-- skip: end -->\n",
            3,
            "skip: next inside the skip: start of line 1.",
            id="next-inside-start",
        ),
        pytest.param(
            "Text.\n\n<!-- skip: later -->\n\n" + SIMPLE,
            3,
            "skip: 'later': write skip: next, skip: start or skip: end",
            id="unknown-action",
        ),
        pytest.param(
            SIMPLE + "\n<!-- skip: next -->\n",
            6,
            "skip: next with no example after it.",
            id="next-with-nothing-after",
        ),
    ],
)
def test_a_malformed_skip_is_a_failing_item_at_its_line(
    pages: Pages, page: str, line: int, message: str
) -> None:
    result = pages(page, "-v")
    assert outcomes(result)[f"docs/page.md::line-{line}"] == "FAILED"
    result.stdout.fnmatch_lines([f"docs/page.md:{line}: {message}"], consecutive=False)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "Interrupted" not in result.stdout.str()


def test_a_skip_start_with_no_end_skips_the_rest_of_the_page_as_in_sybil(pages: Pages) -> None:
    result = pages(
        SIMPLE + "\n<!-- skip: start -->\n\n" + SIMPLE.replace("test_it", "test_later"), "-v"
    )
    assert outcomes(result) == {
        "docs/page.md::line-1": "PASSED",
        "docs/page.md::test_it": "PASSED",
        "docs/page.md::line-8": "SKIPPED",
    }


# --- Expected violations ---------------------------------------------------------------------

SLOW = """\
import time

import pytest

def spin(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
"""


def test_an_expected_violation_that_happens_is_reported_as_expected(pages: Pages) -> None:
    result = pages(
        f"""\
```python
{SLOW}
```

This one is too slow for a small test:

<!-- test-categories: expect-violation test_too_slow time-limit -->

```python
@pytest.mark.small(timeout=0.05)
def test_too_slow():
    spin(5)
```

<!--
test-categories:
    expect-violation test_slow_cases TC001
-->

```python
@pytest.mark.small(timeout=0.05)
@pytest.mark.parametrize("seconds", [4, 5])
def test_slow_cases(seconds):
    spin(seconds)
```
""",
        "-rA",
    )
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(
        [
            "XFAIL docs/page.md::test_too_slow - expected time-limit violation: [[]TC001[]]*",
            "XFAIL docs/page.md::test_slow_cases[[]4[]] - expected time-limit violation*",
            "XFAIL docs/page.md::test_slow_cases[[]5[]] - expected time-limit violation*",
        ],
        consecutive=False,
    )
    # The three blocks pass as examples; the expected violations are their tests'.
    result.assert_outcomes(passed=3, xfailed=3)


def test_an_expected_violation_on_a_class_or_one_method(pages: Pages) -> None:
    result = pages(
        f"""\
<!-- test-categories: expect-violation TestAllSlow time-limit -->
<!-- test-categories: expect-violation TestMixed::test_slow time-limit -->

```python
{SLOW}

@pytest.mark.small(timeout=0.05)
class TestAllSlow:
    def test_one(self):
        spin(5)

    def test_two(self):
        spin(5)

@pytest.mark.small(timeout=0.05)
class TestMixed:
    def test_slow(self):
        spin(5)

    def test_fast(self):
        pass
```
""",
        "-rA",
    )
    result.assert_outcomes(xfailed=3, passed=2)
    assert outcome_of(result, "TestMixed::test_fast") == "PASSED"
    assert outcome_of(result, "TestMixed::test_slow") == "XFAIL"


def test_an_expected_violation_that_does_not_happen_fails_and_says_so(pages: Pages) -> None:
    result = pages(
        """\
        <!-- test-categories: expect-violation test_fast time-limit -->

        ```python
        import pytest

        @pytest.mark.small
        def test_fast():
            pass
        ```
        """,
        "-rA",
    )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "FAILED docs/page.md::test_fast - docs/page.md:6: expected a time-limit violation "
            "(TC001), but the test passed without one."
        ]
    )


def test_an_expected_violation_that_fails_for_another_reason_fails_and_says_so(
    pages: Pages,
) -> None:
    result = pages(
        """\
        <!-- test-categories: expect-violation test_wrong time-limit -->

        ```python
        import pytest

        @pytest.mark.small
        def test_wrong():
            assert 1 == 2
        ```
        """,
        "-rA",
    )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       assert 1 == 2",
            "docs/page.md:6: expected a time-limit violation (TC001), but the test failed for "
            "another reason*",
        ],
        consecutive=False,
    )


def test_an_expected_network_violation_under_strict_enforcement(pages: Pages) -> None:
    result = pages(
        """\
        <!-- test-categories: expect-violation test_calls_out network -->

        ```python
        import socket

        import pytest

        @pytest.mark.small
        def test_calls_out():
            with socket.socket() as sock:
                sock.settimeout(0.5)
                sock.connect(("192.0.2.1", 80))
        ```
        """,
        "-rA",
        enforcement="strict",
    )
    result.stdout.fnmatch_lines(
        ["XFAIL docs/page.md::test_calls_out - expected network violation: [[]TC101[]]*"]
    )
    assert result.ret == pytest.ExitCode.OK


def test_expect_violation_may_name_a_test_in_a_skipped_block(pages: Pages) -> None:
    result = pages(
        textwrap.dedent(
            """\
            <!-- test-categories: expect-violation test_not_here time-limit -->
            <!-- skip: next -->

            ```python
            def test_not_here():
                pass
            ```
            """
        )
        + SIMPLE,
        "-v",
    )
    result.assert_outcomes(passed=2, skipped=1)


# --- Bad test-categories directives ----------------------------------------------------------


@pytest.mark.parametrize(
    ("directive", "message"),
    [
        pytest.param(
            "expect-violation test_nope network",
            "expect-violation names test_nope, which is not a test in this page; "
            "its tests are: TestGroup, test_it.",
            id="unknown-test",
        ),
        pytest.param(
            "expect-violation helper network",
            "expect-violation names helper, which is not a test*its tests are: TestGroup, test_it.",
            id="not-a-test",
        ),
        pytest.param(
            "expect-violation TestGroup::test_nope network",
            "expect-violation names TestGroup::test_nope, which is not a test*",
            id="unknown-method",
        ),
        pytest.param(
            "expect-violation test_it explosion",
            "'explosion' is not a kind of violation; use one of time-limit (TC001), "
            "network (TC101), filesystem (TC102), subprocess (TC103), sleep (TC104), "
            "threads (TC105), sqlite (TC106)",
            id="unknown-kind",
        ),
        pytest.param(
            "expect-violation test_it",
            "cannot read test-categories: 'expect-violation test_it'; the test-categories "
            "directives are 'module NAME' * and 'expect-violation TEST KIND' *",
            id="missing-kind",
        ),
        pytest.param(
            "expect_violation test_it network",
            "cannot read test-categories: 'expect_violation test_it network'; "
            "the test-categories directives are 'module NAME'*. "
            "Did you mean 'expect-violation'?",
            id="unknown-directive",
        ),
        pytest.param(
            "modul guide",
            "cannot read test-categories: 'modul guide'; *. Did you mean 'module'?",
            id="near-miss",
        ),
        pytest.param(
            "module my-page",
            "'my-page' is not a valid module name (dotted Python identifiers*",
            id="invalid-module-name",
        ),
        pytest.param(
            "module json",
            "the module directive's name 'json' would shadow the real module 'json'; *",
            id="real-module",
        ),
        pytest.param(
            "module os.guide",
            "the module directive's name 'os.guide' would shadow the real module 'os'; *",
            id="inside-a-real-module",
        ),
        pytest.param(
            "size tiny",
            "'tiny' is not a size: use one of small, medium, large, xlarge.",
            id="unknown-size",
        ),
    ],
)
def test_a_bad_directive_is_a_failing_item_at_its_line_saying_what_is_valid(
    pages: Pages, directive: str, message: str
) -> None:
    page = f"""\
Intro.

<!-- test-categories: {directive} -->

```python
def helper():
    pass

def test_it():
    pass

class TestGroup:
    def test_method(self):
        pass
```
"""
    result = pages(page, "-v")
    # The directive's item fails; the page's examples and tests still run.
    assert outcomes(result) == {
        "docs/page.md::line-3": "FAILED",
        "docs/page.md::line-5": "PASSED",
        "docs/page.md::test_it": "PASSED",
        "docs/page.md::TestGroup::test_method": "PASSED",
    }
    result.stdout.fnmatch_lines([f"docs/page.md:3: {message}"], consecutive=False)
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_a_near_miss_of_a_test_categories_directive_gets_a_suggestion(pages: Pages) -> None:
    result = pages("<!-- test-categories: expect-violaton test_it network -->\n\n" + SIMPLE, "-v")
    assert outcomes(result)["docs/page.md::line-1"] == "FAILED"
    result.stdout.fnmatch_lines(
        [
            "docs/page.md:1: cannot read test-categories: 'expect-violaton test_it network'; "
            "*. Did you mean 'expect-violation'?"
        ],
        consecutive=False,
    )
