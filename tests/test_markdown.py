"""The Markdown collector: guide pages collected and run as pytest modules.

Each test writes pages (and sometimes a conftest), runs pytest on them in a subprocess, and
asserts on outcomes and output, as a contributor of a page would see them.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from conftest import outcome_of

INI = """\
[pytest]
{asyncio_mode}
{markdown}
"""


class Pages:
    """Write Markdown pages and run pytest on them with the collector switched on."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester

    def write(self, **pages: str) -> None:
        """``write(**{"docs/how-to/page": text})`` writes ``docs/how-to/page.md``."""
        for name, text in pages.items():
            self.pytester.makefile(".md", **{name: textwrap.dedent(text)})

    def run(
        self,
        *args: str,
        patterns: str | None = "docs/**/*.md",
        enforcement: str | None = "strict",
        asyncio_mode: str | None = None,
        cache: bool = False,
    ) -> pytest.RunResult:
        markdown = f"test_categories_markdown = {patterns}" if patterns is not None else ""
        mode = f"asyncio_mode = {asyncio_mode}" if asyncio_mode else ""  # else auto: see conftest
        self.pytester.makeini(INI.format(asyncio_mode=mode, markdown=markdown))
        flags = [f"--test-categories-enforcement={enforcement}"] if enforcement else []
        if not cache:
            flags += ["-p", "no:cacheprovider"]
        return self.pytester.runpytest(*flags, *args)

    def __call__(self, text: str, *args: str, **options: Any) -> pytest.RunResult:
        """Write one page, ``docs/page.md``, and run pytest on it (options as for ``run``)."""
        self.write(**{"docs/page": text})
        return self.run(*args, **options)


def make_pages(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Pages:
    """The ``pages`` fixture (the sibling ``test_markdown_*`` files share it)."""
    # A wide terminal, so that short test summary lines keep the whole message.
    monkeypatch.setenv("COLUMNS", "400")
    return Pages(pytester)


pages = pytest.fixture(make_pages, name="pages")


def line_of(page: str, text: str) -> int:
    """The 1-based line of ``page`` (as written, dedented) on which ``text`` first appears."""
    for number, line in enumerate(textwrap.dedent(page).splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} is not in the page")


# --- Which pages are collected ---------------------------------------------------------------

TRAP = """\
```python
raise RuntimeError("this page must never run")
```
"""

SIMPLE = """\
```python
def test_it():
    pass
```
"""


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
    assert sorted(line for line in result.outlines if "::" in line) == sorted(
        f"{path}::test_it" for path in collected
    )


def test_a_readme_or_changelog_that_no_pattern_matches_is_never_executed(pages: Pages) -> None:
    pages.write(README=TRAP, CHANGELOG=TRAP, **{"docs/page": SIMPLE, "notes/todo": TRAP})
    result = pages.run("-v")
    result.assert_outcomes(passed=1)
    assert "must never run" not in result.stdout.str()
    # The same pages with the option unset: no page is collected at all.
    assert pages.run(patterns=None).ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_a_missing_sybil_is_an_error_that_says_what_to_install(
    pages: Pages, pytester: pytest.Pytester
) -> None:
    pytester.makepyfile(sybil="raise ModuleNotFoundError('No module named sybil', name='sybil')")
    result = pages(SIMPLE)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        ["*ERROR collecting docs/page.md*", "*install pytest-test-categories[[]markdown[]]*"]
    )


# --- How a page runs ---------------------------------------------------------------------------

PAGE = """\
# A recipe

Some prose, then a block that only defines things:

```python
import pytest

GREETING = "hello"

def shout(text):
    return text.upper()
```

<!-- invisible-code-block: python
HIDDEN = shout(GREETING)
-->

A MyST directive with options is a block like any other:

```{code-block} python
:caption: the tests

def test_uses_the_earlier_blocks():
    assert HIDDEN == "HELLO"

class TestGroup:
    def test_in_a_class(self):
        assert shout("a") == "A"
```

```text
not python: never run
```
"""


def test_every_test_is_an_item_with_the_page_node_id(pages: Pages) -> None:
    pages.write(**{"docs/how-to/recipe": PAGE})
    result = pages.run("-v")
    result.stdout.fnmatch_lines(
        [
            "docs/how-to/recipe.md::test_uses_the_earlier_blocks PASSED*",
            "docs/how-to/recipe.md::TestGroup::test_in_a_class PASSED*",
        ]
    )
    result.assert_outcomes(passed=2)


def test_fixtures_from_conftest_and_the_page_async_ones_included(
    pages: Pages, pytester: pytest.Pytester
) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def base():
            return 40
        """
    )
    result = pages(
        """\
        ```python
        import pytest

        events = []

        @pytest.fixture
        def two(base):
            return base + 2

        @pytest.fixture
        async def answer(two):
            events.append("setup")
            yield two
            events.append("teardown")

        async def test_async_fixture(answer):
            assert answer == 42

        def test_async_fixture_was_torn_down():
            assert events == ["setup", "teardown"]
        ```
        """,
        "-v",
    )
    result.assert_outcomes(passed=2)


ASYNC_STRICT = """\
```python
import asyncio

import pytest
import pytest_asyncio

@pytest_asyncio.fixture
async def value():
    await asyncio.sleep(0)
    return 1

@pytest.mark.asyncio
async def test_marked(value):
    assert value == 1

async def test_unmarked():
    pass
```
"""


def test_pytest_asyncio_strict_mode_runs_only_marked_async_tests(pages: Pages) -> None:
    result = pages(ASYNC_STRICT, "-rA", asyncio_mode="strict")
    assert outcome_of(result, "test_marked") == "PASSED"
    result.stdout.fnmatch_lines(
        ["FAILED docs/page.md::test_unmarked - *async def functions are not natively supported*"]
    )
    # The same page in auto mode runs both.
    pages(ASYNC_STRICT, asyncio_mode="auto").assert_outcomes(passed=2)


SIZES = """\
```python
import time

import pytest

pytestmark = pytest.mark.filterwarnings("error")

@pytest.mark.small(timeout=0.05)
def test_stuck():
    end = time.monotonic() + 5
    while time.monotonic() < end:
        pass

@pytest.mark.small
def test_quick():
    pass

@pytest.mark.medium
def test_medium():
    pass

def test_unsized():
    pass
```
"""


def test_size_markers_and_their_timeout_apply(pages: Pages) -> None:
    result = pages(SIZES, "-rA")
    result.stdout.fnmatch_lines(
        ["FAILED docs/page.md::test_stuck - [[]TC001[]] exceeded its time limit of 0.05 s: *"]
    )
    result.assert_outcomes(passed=3, failed=1)


def test_minus_m_and_minus_k_select_page_tests(pages: Pages) -> None:
    pages(SIZES, "-m", "small").assert_outcomes(passed=1, failed=1, deselected=2)
    pages(SIZES, "-k", "medium or unsized").assert_outcomes(passed=2, deselected=2)


def test_parametrize_makes_one_item_per_case(pages: Pages) -> None:
    result = pages(
        """\
        ```python
        import pytest

        @pytest.mark.parametrize("n", [1, 2, 3])
        def test_small_numbers(n):
            assert n < 3
        ```
        """,
        "-v",
    )
    result.stdout.fnmatch_lines(
        [
            "docs/page.md::test_small_numbers[[]1[]] PASSED*",
            "docs/page.md::test_small_numbers[[]2[]] PASSED*",
            "docs/page.md::test_small_numbers[[]3[]] FAILED*",
        ]
    )


@pytest.mark.plugins("pytest_mock")
def test_mocker_patches_the_pages_own_function_through_its_module_name(pages: Pages) -> None:
    result = pages(
        """\
        <!-- test-categories: module weather -->

        ```python
        def external_api_call(city):
            raise RuntimeError("the real service")

        def forecast(city):
            return external_api_call(city)["sky"]
        ```

        ```python
        import weather

        def test_forecast(mocker):
            fake = mocker.patch("weather.external_api_call", return_value={"sky": "clear"})
            assert forecast("Oslo") == "clear"
            fake.assert_called_once_with("Oslo")

        def test_the_patch_is_gone(mocker):
            assert weather.external_api_call is external_api_call
            assert weather.forecast.__module__ == "weather"
        ```
        """,
        "-v",
    )
    result.assert_outcomes(passed=2)


@pytest.mark.plugins("respx")
def test_respx_mocks_httpx_in_a_page(pages: Pages) -> None:
    result = pages(
        """\
        ```python
        import httpx
        import pytest
        import respx

        async def test_with_the_fixture(respx_mock):
            route = respx_mock.post("https://api.example.com/users").mock(
                return_value=httpx.Response(201, json={"id": 7})
            )
            async with httpx.AsyncClient() as client:
                response = await client.post("https://api.example.com/users", json={"a": 1})
            assert response.json() == {"id": 7}
            assert route.calls.last.request.content == b'{"a":1}'

        @respx.mock
        def test_with_the_decorator():
            respx.get("https://api.example.com/ping").mock(return_value=httpx.Response(204))
            assert httpx.get("https://api.example.com/ping").status_code == 204
        ```
        """,
        "-v",
    )
    result.assert_outcomes(passed=2)


FLAKY = """\
```python
def test_good():
    pass

def test_bad():
    assert False
```
"""


def test_last_failed_reruns_only_the_failed_page_test(pages: Pages) -> None:
    pages(FLAKY, cache=True).assert_outcomes(passed=1, failed=1)
    result = pages.run("--lf", "-v", cache=True)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["run-last-failure: rerun previous 1 failure*", "docs/page.md::test_bad FAILED*"]
    )
    assert "test_good" not in result.stdout.str()


@pytest.mark.plugins("xdist")
def test_pages_run_the_same_under_xdist(pages: Pages) -> None:
    pages.write(
        **{
            "docs/one": FLAKY,
            "docs/expected": "<!-- test-categories: expect-violation test_stuck TC001 -->\n\n"
            + SIZES,
            "docs/how-to/two": SIZES,
            "docs/how-to/three": PAGE.replace("HIDDEN", "SECRET"),
        }
    )
    result = pages.run("-n", "2", "-rA")
    result.assert_outcomes(passed=9, failed=2, xfailed=1)
    result.stdout.fnmatch_lines(
        [
            "*2 workers*",
            "PASSED docs/how-to/three.md::TestGroup::test_in_a_class",
            "XFAIL docs/expected.md::test_stuck - expected time-limit violation*",
            "FAILED docs/how-to/two.md::test_stuck - *TC001*",
        ],
        consecutive=False,
    )


# --- Tracebacks and errors point at the page -----------------------------------------------------

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
    result = pages(FAILING)
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


def test_a_syntax_error_is_a_collection_error_at_the_page_line(pages: Pages) -> None:
    page = """\
    ```python
    x = 1
    ```

    ```python
    def test_broken(:
        pass
    ```
    """
    result = pages(page)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    line = line_of(page, "def test_broken(")
    result.stdout.fnmatch_lines(
        ["*ERROR collecting docs/page.md*", f"docs/page.md:{line}: SyntaxError: *"]
    )


def test_an_error_in_top_level_code_is_a_collection_error_at_the_page_line(
    pages: Pages,
) -> None:
    page = """\
    ```python
    def load():
        return {}["settings"]
    ```

    ```python
    SETTINGS = load()

    def test_never_collected():
        pass
    ```
    """
    result = pages(page)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        [
            "*ERROR collecting docs/page.md*",
            f"docs/page.md:{line_of(page, 'SETTINGS = load()')}: in <module>",
            f"docs/page.md:{line_of(page, 'return {}')}: in load",
            "E   KeyError: 'settings'",
        ]
    )
    assert "test_never_collected" not in result.stdout.str()


@pytest.mark.parametrize(
    ("second", "name"),
    [
        pytest.param("async def test_twice():\n    assert False", "test_twice", id="function"),
        pytest.param(
            "class TestTwice:\n    def test_x(self):\n        pass", "TestTwice", id="class"
        ),
    ],
)
def test_a_test_name_defined_twice_is_a_collection_error_naming_both_lines(
    pages: Pages, second: str, name: str
) -> None:
    first = "def test_twice():\n    pass" if name == "test_twice" else "class TestTwice:\n    pass"
    page = f"```python\n{first}\n```\n\nProse.\n\n```python\n{second}\n```\n"
    result = pages(page)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        [f"docs/page.md:9: {name} is defined twice in this page, at lines 2 and 9*"]
    )


def test_a_name_defined_twice_within_one_block_is_an_error_too(pages: Pages) -> None:
    result = pages("```python\ndef test_a():\n    pass\n\ndef test_a():\n    pass\n```\n")
    result.stdout.fnmatch_lines(["docs/page.md:5: test_a is defined twice*lines 2 and 5*"])


def test_future_imports_hold_for_the_rest_of_the_page(pages: Pages) -> None:
    result = pages(
        "```python\nfrom __future__ import annotations\n```\n\n"
        "```python\ndef test_annotations_stay_strings(x: Undefined = 1):\n"
        "    assert test_annotations_stay_strings.__annotations__ == {'x': 'Undefined'}\n```\n"
    )
    result.assert_outcomes(passed=1)


def test_a_helper_may_be_redefined_like_in_python(pages: Pages) -> None:
    result = pages(
        "```python\ndef helper():\n    return 1\n```\n\n"
        "```python\ndef helper():\n    return 2\n\ndef test_it():\n    assert helper() == 2\n```\n"
    )
    result.assert_outcomes(passed=1)


# --- Skips, hidden code and shown code -----------------------------------------------------------


def test_skip_directives_keep_blocks_from_running(pages: Pages) -> None:
    result = pages(
        """\
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
        """,
        "-v",
    )
    result.assert_outcomes(passed=1)
    assert "test_skipped" not in result.stdout.str()


def test_a_malformed_skip_is_a_collection_error_at_its_line(pages: Pages) -> None:
    result = pages("Text.\n\n<!-- skip: end -->\n\n" + SIMPLE)
    result.stdout.fnmatch_lines(["docs/page.md:3: ValueError: 'skip: end' must follow*"])


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
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["docs/page.md::test_in_a_note PASSED*"])


# --- Directives ----------------------------------------------------------------------------------

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
    result.assert_outcomes(xfailed=3)


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
    result.assert_outcomes(xfailed=3, passed=1)
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
    result.assert_outcomes(failed=1)
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
    result.assert_outcomes(failed=1)
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
    )
    result.assert_outcomes(passed=1)


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
            "directives are: 'module NAME' * and 'expect-violation TEST KIND' *",
            id="missing-kind",
        ),
        pytest.param(
            "expect_violation test_it network",
            "cannot read test-categories: 'expect_violation test_it network'; "
            "the test-categories directives are: 'module NAME'*. "
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
    ],
)
def test_a_bad_directive_is_a_collection_error_at_its_line_saying_what_is_valid(
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
    result = pages(page)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*ERROR collecting docs/page.md*", f"docs/page.md:3: {message}"])


def test_two_pages_cannot_take_the_same_module_name(pages: Pages) -> None:
    page = "<!-- test-categories: module recipe -->\n\n" + SIMPLE
    pages.write(**{"docs/a": page, "docs/b": page})
    result = pages.run("--continue-on-collection-errors")
    result.stdout.fnmatch_lines(
        ["docs/b.md:1: the module directive's name 'recipe' is taken by docs/a.md;*"]
    )
    result.assert_outcomes(passed=1, errors=1)


@pytest.mark.plugins("pytest_mock")
def test_a_dotted_module_name_is_importable_and_patchable(pages: Pages) -> None:
    result = pages(
        """\
        % test-categories: module guide.recipes.cache

        ```python
        def fetch():
            return "slow"

        def cached():
            return fetch()

        def test_patch(mocker):
            mocker.patch("guide.recipes.cache.fetch", return_value="fast")
            assert cached() == "fast"

        def test_import():
            from guide.recipes import cache
            assert cache.cached is cached
        ```
        """,
        "-v",
    )
    result.assert_outcomes(passed=2)


def test_without_a_directive_the_module_name_comes_from_the_path(pages: Pages) -> None:
    pages.write(
        **{
            "docs/how-to/my-page": """\
            ```python
            import sys

            def test_name():
                assert __name__ == "docs_how_to_my_page_md"
                assert sys.modules[__name__].test_name is test_name
            ```
            """
        }
    )
    pages.run().assert_outcomes(passed=1)
