"""The tests a page defines work as in a ``.py`` file: fixtures, markers, parametrize,
pytest-asyncio, ``-k``, ``-m``, ``--lf``, pytest-xdist, and the page's module name."""

from __future__ import annotations

import pytest

from conftest import outcome_of
from test_markdown import PAGE, Pages, line_of, make_pages, outcomes, workers

pages = pytest.fixture(make_pages, name="pages")


@pytest.mark.plugins("asyncio")
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
    assert outcomes(result) == {
        "docs/page.md::line-1": "PASSED",
        "docs/page.md::test_async_fixture": "PASSED",
        "docs/page.md::test_async_fixture_was_torn_down": "PASSED",
    }


def test_a_fixture_a_later_block_defines_serves_that_blocks_tests(pages: Pages) -> None:
    result = pages(
        """\
        ```python
        import pytest

        @pytest.fixture
        def number():
            return 1

        def test_first(number):
            assert number == 1
        ```

        ```python
        @pytest.fixture
        def word(number):
            return "one" * number

        def test_second(word):
            assert word == "one"
        ```
        """,
        "-v",
    )
    result.assert_outcomes(passed=4)


@pytest.mark.parametrize(
    "arguments",
    [pytest.param("self", id="no-fixture"), pytest.param("self, number", id="fixture")],
)
def test_a_fixture_method_of_a_test_class_serves_its_methods(pages: Pages, arguments: str) -> None:
    result = pages(
        f"""\
```python
import pytest

@pytest.fixture
def number():
    return 1

class TestMethods:
    @pytest.fixture
    def word({arguments}):
        return "one"

    def test_method(self, word):
        assert word == "one"
```
""",
        "-v",
    )
    assert outcomes(result) == {
        "docs/page.md::line-1": "PASSED",
        "docs/page.md::TestMethods::test_method": "PASSED",
    }


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


@pytest.mark.plugins("asyncio")
def test_pytest_asyncio_strict_mode_runs_only_marked_async_tests(pages: Pages) -> None:
    result = pages(ASYNC_STRICT, "-rA", asyncio_mode="strict")
    assert outcome_of(result, "test_marked") == "PASSED"
    result.stdout.fnmatch_lines(
        ["FAILED docs/page.md::test_unmarked - *async def functions are not natively supported*"]
    )
    # The same page in auto mode runs both (and its block).
    pages(ASYNC_STRICT, asyncio_mode="auto").assert_outcomes(passed=3)


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
    # The block itself is an (unsized) example that passes.
    result.assert_outcomes(passed=4, failed=1)
    assert outcome_of(result, "line-1") == "PASSED"


def test_minus_m_and_minus_k_select_page_tests(pages: Pages) -> None:
    pages(SIZES, "-m", "small").assert_outcomes(passed=1, failed=1, deselected=3)
    pages(SIZES, "-k", "medium or unsized").assert_outcomes(passed=2, deselected=3)


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


# --- -k and --lf run what a test needs first -----------------------------------------------------

PREREQUISITES = """\
```python
values = [1]
```

```pycon
>>> values.append(2)
```

```python
values.append(3)

def test_needs_every_block_before_it():
    assert values == [1, 2, 3]
```

```python
values.append(4)

def test_later():
    pass
```
"""


def test_a_test_selected_with_minus_k_runs_the_blocks_before_it_first(pages: Pages) -> None:
    result = pages(PREREQUISITES, "-v", "-k", "needs_every_block")
    assert outcomes(result) == {"docs/page.md::test_needs_every_block_before_it": "PASSED"}
    result.assert_outcomes(passed=1, deselected=5)


def test_an_example_selected_by_node_id_runs_the_blocks_before_it_first(pages: Pages) -> None:
    page = PREREQUISITES + "\n```pycon\n>>> values\n[1, 2, 3, 4]\n```\n"
    pages.write(**{"docs/page": page})
    node = f"docs/page.md::line-{line_of(page, '>>> values') - 1}"
    result = pages.run("-v", node)
    assert outcomes(result) == {node: "PASSED"}


def test_prerequisites_see_the_doctest_namespace_too(
    pages: Pages, pytester: pytest.Pytester
) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(autouse=True)
        def _shared(doctest_namespace):
            doctest_namespace["shared"] = 21
        """
    )
    page = """\
    ```python
    doubled = shared * 2
    ```

    ```python
    def test_uses_what_the_first_block_made():
        assert doubled == 42
    ```
    """
    pages(page).assert_outcomes(passed=3)
    # The test alone: the block it needs runs first, in the same namespace as in a full run.
    result = pages(page, "-v", "-k", "uses_what")
    assert outcomes(result) == {"docs/page.md::test_uses_what_the_first_block_made": "PASSED"}


FLAKY = """\
```python
def test_good():
    pass

def test_bad():
    assert False
```
"""


def test_last_failed_reruns_only_the_failed_page_test(pages: Pages) -> None:
    pages(FLAKY, cache=True).assert_outcomes(passed=2, failed=1)
    result = pages.run("--lf", "-v", cache=True)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["run-last-failure: rerun previous 1 failure*", "docs/page.md::test_bad FAILED*"]
    )
    assert "test_good" not in result.stdout.str()


def test_last_failed_reruns_a_failed_example_after_the_blocks_it_needs(pages: Pages) -> None:
    page = """\
    ```python
    READY = "ready"
    ```

    ```python
    assert READY == "steady"
    ```
    """
    pages(page, cache=True).assert_outcomes(passed=1, failed=1)
    result = pages.run("--lf", "-v", cache=True)
    assert outcomes(result) == {"docs/page.md::line-5": "FAILED"}
    # Its failure is its own, not a NameError from the block before it, which ran first.
    assert "NameError" not in result.stdout.str()
    result.stdout.fnmatch_lines(["*AssertionError*'ready' == 'steady'*"])


# --- pytest-xdist --------------------------------------------------------------------------------


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
    # one: 2 passed, 1 failed; expected: 4 passed, 1 xfailed; two: 4 passed, 1 failed; three: 5.
    result.assert_outcomes(passed=15, failed=2, xfailed=1)
    result.stdout.fnmatch_lines(
        [
            "*2 workers*",
            "PASSED docs/how-to/three.md::TestGroup::test_in_a_class",
            "XFAIL docs/expected.md::test_stuck - expected time-limit violation*",
            "FAILED docs/how-to/two.md::test_stuck - *TC001*",
        ],
        consecutive=False,
    )


@pytest.mark.plugins("xdist")
@pytest.mark.parametrize("dist", ["load", "loadscope", "worksteal"])
def test_a_pages_items_stay_on_one_xdist_worker_whatever_dist_says(pages: Pages, dist: str) -> None:
    blocks = ["```python\nruns = []\n```\n"]
    blocks += [
        f"```python\nruns.append({n})\n\n"
        f"def test_{n}():\n    assert runs == list(range({n + 1}))\n```\n"
        for n in range(8)
    ]
    pages.write(**{"docs/page": "\n".join(blocks), "docs/other": "\n".join(blocks)})
    result = pages.run("-n", "2", "--dist", dist, "-v")
    seen = workers(result)
    assert len(seen) == 34  # two pages of 9 blocks and 8 tests
    for page in ("docs/page.md", "docs/other.md"):
        assert len({w for node, w in seen.items() if node.startswith(page)}) == 1, page
    # Each block ran once, in order: every test saw exactly the blocks before it.
    result.assert_outcomes(passed=34)


# --- The page's module ---------------------------------------------------------------------------


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
    result.assert_outcomes(passed=4)


@pytest.mark.plugins("asyncio")
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
    result.assert_outcomes(passed=3)


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
    result.assert_outcomes(passed=3)


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
    pages.run().assert_outcomes(passed=2)


def test_two_pages_cannot_take_the_same_module_name(pages: Pages) -> None:
    page = "<!-- test-categories: module recipe -->\n\n```python\ndef test_it():\n    pass\n```\n"
    pages.write(**{"docs/a": page, "docs/b": page})
    result = pages.run("-v", "-rA")
    # The second page's directive is a failing item at its line; both pages' code still runs.
    result.stdout.fnmatch_lines(
        [
            "docs/b.md:1: the module directive's name 'recipe' is taken by docs/a.md; give each "
            "page its own.",
            "FAILED docs/b.md::line-1 - *",
        ],
        consecutive=False,
    )
    assert outcomes(result)["docs/b.md::test_it"] == "PASSED"
    result.assert_outcomes(passed=4, failed=1)


UNITTEST = """\
```python
import unittest

class TestWithSetUp(unittest.TestCase):
    def setUp(self):
        self.value = 2

    def test_sees_its_setup(self):
        self.assertEqual(self.value, 2)

    def test_fails_for_real(self):
        self.assertEqual(self.value, 3)
```
"""


@pytest.mark.parametrize("selected", [(), ("-k", "TestWithSetUp")], ids=["page", "minus-k"])
def test_a_unittest_class_on_a_page_runs_its_own_code(
    pages: Pages, selected: tuple[str, ...]
) -> None:
    result = pages(UNITTEST, "-v", *selected)
    found = outcomes(result)
    assert found["docs/page.md::TestWithSetUp::test_sees_its_setup"] == "PASSED"
    # The page's own assertion fails: no stand-in passes in its place.
    assert found["docs/page.md::TestWithSetUp::test_fails_for_real"] == "FAILED"
    result.stdout.fnmatch_lines(["*AssertionError: 2 != 3*"])
