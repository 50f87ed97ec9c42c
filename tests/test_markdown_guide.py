"""The guide's own checks: the docs-test session's arguments, and the contributing page's
example page, which must be a real page of the guide."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from test_markdown import SIMPLE

ROOT = Path(__file__).parents[1]


def _docs_test_options() -> tuple[str, ...]:
    """``DOCS_TEST_OPTIONS`` from the noxfile (read, not imported: nox is not installed here)."""
    tree = ast.parse((ROOT / "noxfile.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "DOCS_TEST_OPTIONS":
            return tuple(ast.literal_eval(node.value))
    raise AssertionError("noxfile.py has no DOCS_TEST_OPTIONS")


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project whose testpaths is tests/, as ours is, with a trap there and two pages."""
    pytester.makeini("[pytest]\ntestpaths = tests\ntest_categories_markdown = docs/**/*.md\n")
    pytester.makepyfile(**{"tests/test_trap": "def test_trap():\n    raise SystemExit(3)\n"})
    pytester.makefile(
        ".md",
        **{
            "docs/waits": "```python\ndef test_sleep_briefly():\n    pass\n\n"
            "def test_other():\n    pass\n```\n",
            "docs/other": SIMPLE,
        },
    )
    return pytester


def test_options_pass_through_and_the_pages_stay_the_default_path(
    project: pytest.Pytester,
) -> None:
    result = project.runpytest(*_docs_test_options(), "-v", "-k", "sleep")
    assert result.ret == pytest.ExitCode.OK
    # The pages' five items (two blocks, three tests): -k keeps one test.
    result.assert_outcomes(passed=1, deselected=4)
    result.stdout.fnmatch_lines(["docs/waits.md::test_sleep_briefly PASSED*"])
    assert "test_trap" not in result.stdout.str()


def test_a_path_selects_a_page(project: pytest.Pytester) -> None:
    result = project.runpytest(*_docs_test_options(), "-v", "docs/other.md")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["docs/other.md::line-1 PASSED*", "docs/other.md::test_it PASSED*"])
    assert "waits" not in result.stdout.str()


def test_the_contributing_pages_example_is_a_page_of_the_guide() -> None:
    docs = ROOT / "docs"
    text = (docs / "how-to" / "contributing-a-recipe.md").read_text()
    (included,) = re.findall(r"^```\{literalinclude\} (\S+)$", text, re.MULTILINE)
    example = docs / "how-to" / included
    assert example.is_file()
    # The example's source is the page itself, so docs-test runs exactly what readers copy.
    assert "```python" in example.read_text()
    # Its toctree example is the guide's own list of recipes, the example among them.
    toctree = r":caption: Recipes\n\s*:maxdepth: 1\n\n(.*?)\n\s*```"
    shown = re.search(toctree, text, re.S)
    index = (docs / "index.md").read_text()
    real = re.search(toctree, index, re.S)
    assert shown is not None
    assert real is not None
    entries = shown.group(1).split()
    assert entries == real.group(1).split()
    assert f"how-to/{example.stem}" in entries
    assert all((docs / f"{entry}.md").is_file() for entry in entries)
