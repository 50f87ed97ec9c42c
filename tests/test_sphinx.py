"""The Sphinx extension in a standard Sphinx project: a mark under every example, in both layouts.

Each test writes a tiny Sphinx project into ``tmp_path`` (MyST pages in ``docs/``, ``conf.py``
in ``docs/`` as sphinx-quickstart lays it out, or at the root as this guide does), writes the
verification run's ``report.json`` by hand in the plugin's format, builds the site with
``python -m sphinx -W`` in a subprocess, and asserts on the HTML and on the build's output.
The other ``test_sphinx_*.py`` modules use the :class:`Site` defined here.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

CONF = """\
project = "Widgets"
extensions = ["myst_parser", "sphinx.ext.doctest", "pytest_test_categories.sphinx"]
myst_enable_extensions = ["colon_fence"]
exclude_patterns = ["_build"]
html_theme = {theme!r}
test_categories_about = "about"
"""

INDEX = """\
# Widgets

```{test-categories-total}
```

```{toctree}
guide
about
```
"""

ABOUT = "# How these pages are verified\n\nEvery example runs.\n"

GUIDE = """\
# The widgets guide

Prose with a note to authors <!-- TODO: a word on gears --> in it.

<!-- invisible-code-block: python
HIDDEN_SETUP = "not for readers"
-->

```python
import pytest


def helper():
    return 2


@pytest.mark.small
def test_helper():
    assert helper() == 2


@pytest.mark.parametrize("number", [1, 2])
def test_positive(number):
    assert number > 0


class TestBasket:
    def test_starts_empty(self):
        assert [] == []
```

~~~py
total = helper() + 1
~~~

```{code-block} python
:caption: A directive block

doubled = total * 2
```

:::{code-block} python
halved = doubled / 2
:::

```{doctest}
>>> helper() + 1
3
```

```{testsetup}
import math
```

```{testcode}
print(helper())
```

```{testoutput}
2
```

```pycon
>>> total
3
```

<!-- skip: next "talks to the widget server" -->

```python
import widgets_server
```

<!-- test-categories: expect-violation test_naps sleep -->

```python
import time


def test_naps():
    time.sleep(0.01)


def test_positive():
    assert True
```
"""

LIMITS = {"small": 1.0, "medium": 300.0, "large": 900.0, "xlarge": 3600.0}


def at(text: str, needle: str, occurrence: int = 1) -> int:
    """The page line (1-based) of the ``occurrence``-th line that contains ``needle``."""
    lines = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return lines[occurrence - 1]


def record(
    nodeid: str,
    outcome: str = "passed",
    *,
    size: str = "small",
    duration: float = 0.01,
    violations: Iterable[dict[str, Any]] = (),
    reason: str | None = None,
) -> dict[str, Any]:
    """One test's record, as ``--test-size-report=json`` writes it."""
    limit = LIMITS.get(size)
    entry: dict[str, Any] = {
        "nodeid": nodeid,
        "size": size,
        "outcome": outcome,
        "duration": duration,
        "limit": limit,
        "limit_percent": None if limit is None else round(100 * duration / limit, 1),
        "violations": list(violations),
    }
    if reason is not None:
        entry["reason"] = reason
    return entry


SLEEP = {"kind": "sleep", "code": "TC104", "operation": "time.sleep", "target": "0.01", "count": 1}


def guide_records(page: str = "docs/guide.md", text: str = GUIDE) -> list[dict[str, Any]]:
    """A verification run of :data:`GUIDE` in which everything ended as declared."""

    def example(needle: str, occurrence: int = 1, **fields: Any) -> dict[str, Any]:
        return record(f"{page}::line-{at(text, needle, occurrence)}", **fields)

    naps = at(text, "def test_positive", 2)
    return [
        example("invisible-code-block"),
        example("```python"),
        record(f"{page}::test_helper"),
        record(f"{page}::test_positive[1]", size="unsized"),
        record(f"{page}::test_positive[2]", size="unsized"),
        record(f"{page}::TestBasket::test_starts_empty", size="medium"),
        example("~~~py"),
        example("```{code-block} python"),
        example(":::{code-block} python"),
        example("```{doctest}"),
        example("```{testsetup}"),
        example("```{testcode}"),
        example("```pycon"),
        example("```python", 2, outcome="skipped", reason="talks to the widget server"),
        example("```python", 3),
        record(f"{page}::test_naps", "xfailed", violations=[SLEEP]),
        record(f"{page}::test_positive@{naps}"),
    ]


class Site:
    """A tiny Sphinx project: its pages, its verification report, its build."""

    def __init__(self, root: Path, *, layout: str = "docs", theme: str = "alabaster") -> None:
        self.root = root
        self.docs = root / "docs"
        self.docs.mkdir(parents=True)
        self.layout = layout
        conf = CONF.format(theme=theme)
        if layout == "docs":  # sphinx-quickstart's: the default results folder is docs/_build/
            (self.docs / "conf.py").write_text(conf)
        else:  # this guide's: conf.py at the root, so the folder is named from there
            (root / "conf.py").write_text(
                conf + 'test_categories_results = "docs/_build/results"\n'
            )
        self.results = self.docs / "_build" / "results"
        self.write(index=INDEX, about=ABOUT, guide=GUIDE)

    def write(self, **pages: str) -> None:
        for name, text in pages.items():
            (self.docs / f"{name}.md").write_text(textwrap.dedent(text))

    def report(
        self,
        records: list[dict[str, Any]],
        *,
        rootdir: bool = True,
        environment: dict[str, Any] | None = None,
    ) -> None:
        """Write the run's report.json (with the run's rootdir) and environment.json."""
        self.results.mkdir(parents=True, exist_ok=True)
        report: dict[str, Any] = {
            "schema_version": 3,
            "created": "2026-12-01T09:30:00+00:00",
            "pytest_version": "9.2.0",
            "tests": records,
        }
        if rootdir:
            report["rootdir"] = str(self.root)
        (self.results / "report.json").write_text(json.dumps(report))
        if environment is not None:
            (self.results / "environment.json").write_text(json.dumps(environment))

    def build(self, *options: str, strict: bool = True) -> subprocess.CompletedProcess[str]:
        where = ["-c", "."] if self.layout == "root" else []
        warnings = ["-W", "--keep-going"] if strict else []
        command = [sys.executable, "-m", "sphinx", "-q", *warnings, *options, *where]
        return subprocess.run(
            [*command, "docs", "docs/_build/html"],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def html(self, page: str) -> str:
        return (self.docs / "_build" / "html" / f"{page}.html").read_text(encoding="utf-8")


def marks(html: str) -> dict[str, str]:
    """``data-test`` -> ``data-outcome`` for every mark of a built page."""
    return dict(re.findall(r'data-test="([^"]+)" data-outcome="([^"]+)"', html))


def mark(html: str, name: str) -> str:
    """The HTML of one mark's line."""
    found = re.search(rf'<li[^>]*data-test="{re.escape(name)}".*?</li>', html)
    assert found is not None, name
    return found.group(0)


def expected_marks(text: str = GUIDE) -> dict[str, str]:
    """The marks of :data:`GUIDE`'s visible examples and tests (no hidden code, no testsetup)."""
    naps = at(text, "def test_positive", 2)
    return {
        f"line-{at(text, '```python')}": "passed",
        "test_helper": "passed",
        "test_positive[1]": "passed",
        "test_positive[2]": "passed",
        "TestBasket::test_starts_empty": "passed",
        f"line-{at(text, '~~~py')}": "passed",
        f"line-{at(text, '```{code-block} python')}": "passed",
        f"line-{at(text, ':::{code-block} python')}": "passed",
        f"line-{at(text, '```{doctest}')}": "passed",
        f"line-{at(text, '```{testcode}')}": "passed",
        f"line-{at(text, '```pycon')}": "passed",
        f"line-{at(text, '```python', 2)}": "skipped",
        f"line-{at(text, '```python', 3)}": "passed",
        "test_naps": "expected-violation",
        f"test_positive@{naps}": "passed",
    }


ENVIRONMENT = {
    "python": "3.12",
    "packages": {"pytest": "9.2.0", "pytest-asyncio": "1.1.0"},
    "date": "2026-12-01",
}


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """sphinx-quickstart's layout (conf.py in docs/, no results folder named), built once."""
    site = Site(tmp_path_factory.mktemp("quickstart"), layout="docs")
    site.report(guide_records(), environment=ENVIRONMENT)
    result = site.build()
    assert result.returncode == 0, result.stderr
    assert not result.stderr
    return site


def test_conf_in_docs_every_example_and_test_gets_its_mark(quickstart: Site) -> None:
    html = quickstart.html("guide")
    assert marks(html) == expected_marks()
    assert "passed in 0.01 s of 1.00 s (small)" in mark(html, "test_helper")
    assert "passed in 0.01 s (unsized: no time limit)" in mark(html, "test_positive[1]")
    assert "of 300.00 s (medium)" in mark(html, "TestBasket::test_starts_empty")
    skipped = mark(html, f"line-{at(GUIDE, '```python', 2)}")
    assert "skipped: talks to the widget server" in skipped
    naps = mark(html, "test_naps")
    assert "tc-expected-violation" in naps
    assert "fails as documented: blocking sleep TC104 (small)" in naps
    assert 'href="https://pytest-test-categories.readthedocs.io/en/latest/reference/' in naps
    assert "violations.html#tc104" in naps


def test_marks_sit_under_their_blocks_and_a_testoutput_shares_its_testcode(
    quickstart: Site,
) -> None:
    html = quickstart.html("guide")
    # The first block's marks come after its code and before the next block.
    assert html.index("TestBasket") < html.index('data-example="line-') < html.index("total")
    # A block with a caption keeps its caption: the mark comes after the pair.
    wrapper = html.index('<div class="literal-block-wrapper')
    captioned = f'data-example="line-{at(GUIDE, "```{code-block} python")}"'
    between = html[wrapper : html.index(captioned)]
    assert between.count("<div") == between.count("</div>")  # the wrapper is closed
    # The testcode's mark comes after its output block, as one example.
    testcode = f'data-example="line-{at(GUIDE, "```{testcode}")}"'
    assert html.index("highlight-none") < html.index(testcode)
    # One list per visible example: hidden code and the testsetup get none.
    assert html.count('<ul class="tc-results"') == 9


def test_hidden_code_and_comments_are_not_in_the_html(quickstart: Site) -> None:
    html = quickstart.html("guide")
    assert "HIDDEN_SETUP" not in html
    assert "not for readers" not in html
    assert "<!--" not in html.split("<body")[1]
    assert "TODO: a word on gears" not in html
    assert "Prose with a note to authors" in html
    assert "import math" not in html  # testsetup is Sphinx's hidden setup


def test_summary_links_to_how_the_page_was_verified_and_the_total_names_the_project(
    quickstart: Site,
) -> None:
    site = quickstart
    summary = re.search(r'<p class="tc-summary">.*?</p>', site.html("guide"), re.S)
    assert summary is not None
    assert (
        "Verified on 2026-12-01 with Python 3.12, pytest 9.2.0, pytest-asyncio 1.1.0: "
        "11 examples and 6 tests, 1 failing as documented, 1 skipped."
    ) in summary.group(0)
    assert re.search(r'<a [^>]*href="about.html"[^>]*>.*How this page was verified', summary[0])
    total = re.search(r'<p class="tc-summary tc-total">(.*?)</p>', site.html("index"), re.S)
    assert total is not None
    assert total.group(1) == (
        "Widgets, verified on 2026-12-01 with Python 3.12, pytest 9.2.0, pytest-asyncio 1.1.0: "
        "11 examples and 6 tests on 1 page, 1 failing as documented, 1 skipped."
    )
    assert "whole guide" not in site.html("index")
    css = site.docs / "_build" / "html" / "_static" / "test-categories.css"
    assert css.is_file()
    assert "_static/test-categories.css" in site.html("guide")


def test_conf_at_the_root_names_its_results_folder_from_there(tmp_path: Path) -> None:
    # This guide's layout: sphinx-build -c . docs docs/_build/html, results in docs/_build/results.
    site = Site(tmp_path, layout="root")
    site.report(guide_records(), rootdir=False, environment={"rootdir": str(tmp_path)})
    result = site.build()
    assert result.returncode == 0, result.stderr
    assert marks(site.html("guide")) == expected_marks()


@pytest.mark.parametrize("layout", ["docs", "root"])
def test_node_ids_match_without_any_rootdir_written(tmp_path: Path, layout: str) -> None:
    # A report with no rootdir and no environment.json: node ids are found from conf.py's folder.
    site = Site(tmp_path, layout=layout)
    site.report(guide_records(), rootdir=False)
    result = site.build()
    assert result.returncode == 0, result.stderr
    assert marks(site.html("guide")) == expected_marks()


def test_node_ids_relative_to_a_rootdir_above_the_project(tmp_path: Path) -> None:
    # pytest ran from a monorepo's root: the ids say project/docs/guide.md.
    site = Site(tmp_path / "project")
    records = guide_records("project/docs/guide.md")
    site.report(records)
    report = json.loads((site.results / "report.json").read_text())
    (site.results / "report.json").write_text(json.dumps({**report, "rootdir": str(tmp_path)}))
    result = site.build()
    assert result.returncode == 0, result.stderr
    assert marks(site.html("guide")) == expected_marks()


def _noxfile_sphinx_arguments() -> list[str]:
    """The arguments the ``docs`` session of the project's noxfile gives sphinx-build."""
    noxfile = Path(__file__).resolve().parent.parent / "noxfile.py"
    tree = ast.parse(noxfile.read_text(encoding="utf-8"))
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


def test_a_page_in_no_toctree_fails_every_build_of_the_guide_not_only_the_first(
    tmp_path: Path,
) -> None:
    # The guide's own build (conf.py at the root): a warning must fail it every time.
    arguments = _noxfile_sphinx_arguments()
    assert arguments[-2:] == ["docs", "docs/_build/html"]
    site = Site(tmp_path, layout="root")
    site.write(orphan="# A page nobody links\n\nSome text.\n")
    site.report(guide_records())
    for attempt in ("first", "second"):
        result = subprocess.run(
            [sys.executable, "-m", "sphinx", *arguments],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode != 0, attempt
        assert "document isn't included in any toctree" in result.stderr, attempt
