"""The Sphinx extension: each test's verified outcome under its code block, and a build that
fails when the results do not match the pages.

Each test writes a tiny Sphinx project (``conf.py`` at the root, pages in ``docs/``), runs its
pages with pytest as ``nox -s docs`` does, keeping the JSON report, then builds the site with
``-W`` in a subprocess and asserts on the HTML and on the build's output.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CONF = """\
extensions = ["myst_parser", "pytest_test_categories.sphinx"]
test_categories_results = "docs/_build/results"
exclude_patterns = ["_build"]
"""

INI = """\
[pytest]
test_categories_markdown = docs/*.md
"""

INDEX = """\
# Tiny guide

```{test-categories-total}
```

```{toctree}
recipe
```
"""

RECIPE = """\
# A recipe

```python
import time

import pytest


@pytest.mark.small
def test_adds():
    assert 1 + 1 == 2


@pytest.mark.parametrize("number", [1, 2])
@pytest.mark.small
def test_is_positive(number):
    assert number > 0
```

<!-- test-categories: expect-violation test_naps sleep -->

```python
@pytest.mark.small
def test_naps():
    time.sleep(0.01)


class TestBasket:
    @pytest.mark.medium
    def test_starts_empty(self):
        assert [] == []
```

<!-- skip: next -->

```python
def test_shown_only():
    raise AssertionError("never runs")
```
"""


class Guide:
    """A tiny Sphinx project whose pages run as tests, then build."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester
        pytester.makeini(INI)
        (pytester.path / "conf.py").write_text(CONF)
        self.write(index=INDEX, recipe=RECIPE)

    def write(self, **pages: str) -> None:
        docs = self.pytester.path / "docs"
        docs.mkdir(exist_ok=True)
        for name, text in pages.items():
            (docs / f"{name}.md").write_text(textwrap.dedent(text))

    def verify(self) -> pytest.RunResult:
        return self.pytester.runpytest(
            "-p",
            "no:cacheprovider",
            "--test-categories-enforcement=strict",
            "--test-size-report=json",
            "--test-size-report-file=docs/_build/results/report.json",
            "docs",
        )

    def build(self) -> pytest.RunResult:
        return self.pytester.run(
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-E",
            "-q",
            "-b",
            "html",
            "-c",
            ".",
            "docs",
            "docs/_build/html",
            timeout=120,
        )

    def html(self, page: str) -> str:
        return (self.pytester.path / "docs" / "_build" / "html" / f"{page}.html").read_text()


@pytest.fixture
def guide(pytester: pytest.Pytester) -> Guide:
    return Guide(pytester)


def marks(html: str) -> dict[str, str]:
    """``data-test`` -> ``data-outcome`` for every result line of a built page."""
    return dict(re.findall(r'data-test="([^"]+)" data-outcome="([^"]+)"', html))


def test_each_test_gets_a_line_with_its_outcome_and_the_pages_a_summary_and_total(
    guide: Guide,
) -> None:
    # One verification run and one build: the result lines, the page's summary, the index's total.
    guide.verify().assert_outcomes(passed=4, xfailed=1)
    environment = {
        "python": "3.12",
        "packages": {"pytest": "8.4.1", "pytest-asyncio": "1.1.0"},
        "date": "2026-12-01",
    }
    results = guide.pytester.path / "docs" / "_build" / "results"
    (results / "environment.json").write_text(json.dumps(environment))
    result = guide.build()
    assert result.ret == 0, result.stderr.str()
    html = guide.html("recipe")
    assert marks(html) == {
        "test_adds": "passed",
        "test_is_positive[1]": "passed",
        "test_is_positive[2]": "passed",
        "test_naps": "expected-violation",
        "TestBasket::test_starts_empty": "passed",
        "test_shown_only": "skipped",
    }
    assert re.search(r'data-test="test_adds".*passed in \d\.\d\d s of 1\.00 s \(small\)', html)
    assert re.search(r"of 300\.00 s \(medium\)", html)
    # The expected violation says what it is and links to its reference entry.
    line = re.search(r'<li[^>]*data-test="test_naps".*?</li>', html)
    assert line is not None
    assert "tc-expected-violation" in line.group(0)
    assert "fails as documented: blocking sleep TC104 (small)" in line.group(0)
    assert "reference/violations.html#tc104" in line.group(0)
    assert "skipped: shown, not run" in html
    # The lines come after the block that defines the tests, not before.
    assert html.index("test_is_positive[2]") < html.index('data-test="test_naps"')
    assert html.index('<span class="nf">test_naps</span>') < html.index('data-test="test_naps"')

    # The summary on the page, and the total on the index.
    assert (
        "Verified: 5 examples, 1 of them fail as documented, on 2026-12-01 with Python 3.12, "
        "pytest 8.4.1, pytest-asyncio 1.1.0."
    ) in html
    assert "The whole guide: 5 examples on 1 page, 1 of them fail as documented" in guide.html(
        "index"
    )
    assert 'class="tc-summary' in guide.html("index")
    assert (guide.pytester.path / "docs/_build/html/_static/test-categories.css").exists()


def test_a_test_without_a_result_and_a_result_without_its_test_fail_the_build(
    guide: Guide,
) -> None:
    # After the verification run, one test is renamed and one added: each is named.
    guide.verify()
    guide.write(
        recipe=RECIPE.replace("def test_adds", "def test_sums")
        + "\n```python\ndef test_added_later():\n    pass\n```\n"
    )
    result = guide.build()
    assert result.ret != 0
    result.stderr.fnmatch_lines(
        ["*recipe.md:*test_added_later (docs/recipe.md:*) has no result in the verification run*"]
    )
    result.stderr.fnmatch_lines(
        ["*recipe.md:1: *the verification run has a result for test_adds, which is no longer on*"]
    )
    result.stderr.fnmatch_lines(["*recipe.md:10: *test_sums (docs/recipe.md:10) has no result*"])


def test_an_example_that_did_not_end_as_declared_fails_the_build(guide: Guide) -> None:
    guide.write(recipe=RECIPE.replace("time.sleep(0.01)", "pass"))
    guide.verify().assert_outcomes(passed=4, failed=1)
    result = guide.build()
    assert result.ret != 0
    result.stderr.fnmatch_lines(
        ["*recipe.md:24*test_naps (docs/recipe.md:24) did not end as the page declares: failed*"]
    )
    # Without -W the page still builds, and the line says so.
    assert 'data-test="test_naps" data-outcome="failed"' in guide.html("recipe")


def test_no_results_at_all_fails_the_build(guide: Guide) -> None:
    result = guide.build()
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*no verification results in *docs/_build/results*"])


def _noxfile_sphinx_arguments() -> list[str]:
    """The arguments the ``docs`` session of the project's noxfile gives sphinx-build."""
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    docs = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "docs")
    for node in ast.walk(docs):
        if (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value == "sphinx-build"
        ):
            return [a.value for a in node.args[1:] if isinstance(a, ast.Constant)]
    raise AssertionError("the docs session runs no sphinx-build")


def test_a_page_in_no_toctree_fails_every_build_not_only_the_first(guide: Guide) -> None:
    arguments = _noxfile_sphinx_arguments()
    assert arguments[-2:] == ["docs", "docs/_build/html"]
    guide.write(orphan="# A page nobody links\n\nSome text.\n")
    guide.verify().assert_outcomes(passed=4, xfailed=1)
    for attempt in ("first", "second"):
        result = guide.pytester.run(sys.executable, "-m", "sphinx", *arguments, timeout=120)
        assert result.ret != 0, attempt
        assert "document isn't included in any toctree" in result.stderr.str(), attempt
