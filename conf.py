"""Sphinx configuration of the guide.

It sits at the repository root and reads its pages from ``docs/``:

    sphinx-build -n -W --keep-going -E -b html -c . docs docs/_build/html

``nox -s docs`` runs exactly that, after running every page as a test and keeping the results
in ``docs/_build/results``, which the ``pytest_test_categories.sphinx`` extension shows.
"""

from __future__ import annotations

import os
import re
from importlib.metadata import version as _installed_version
from typing import Any

# -- Project ------------------------------------------------------------------------------------

project = "pytest-test-categories"
author = "The pytest-test-categories developers"
copyright = f"2025, {author}"
release = _installed_version("pytest-test-categories")
version = ".".join(release.split(".")[:2])

# -- General ------------------------------------------------------------------------------------

extensions = [
    "myst_parser",
    "sphinx.ext.intersphinx",
    "sphinx_copybutton",
    "pytest_test_categories.sphinx",
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "**/.pytest_cache"]

# Every reference must resolve: a typo in a link or a role is a warning, and -W makes it fail.
nitpicky = True

myst_enable_extensions = ["colon_fence", "deflist"]
# Headings get slugs, so a page can link to [a section](other.md#a-heading).
myst_heading_anchors = 3

# The verification run's results (`nox -s docs` writes them before it builds): the extension
# above shows each test's outcome under its code block and fails the build (with -W) when a
# test has no result, a result is stale, or an example did not end as its page declares.
test_categories_results = "docs/_build/results"

# -- Intersphinx --------------------------------------------------------------------------------

# Links into the Python and pytest documentation need those projects' inventories, fetched over
# the network. A fetch that fails is logged as a plain warning (no type that suppress_warnings
# could single out), and -W would turn an offline build into a failed one. So the inventories
# are fetched only where the network is known to be there: on Read the Docs, which sets
# READTHEDOCS=True, or when you ask for it with DOCS_INTERSPHINX=1. No page needs an inventory
# for a reference to resolve, so the build passes with -n either way; on Read the Docs the
# inventories only add links.
_INTERSPHINX = {
    "python": ("https://docs.python.org/3", None),
    "pytest": ("https://docs.pytest.org/en/stable", None),
}
_ONLINE = os.environ.get("READTHEDOCS") == "True" or os.environ.get("DOCS_INTERSPHINX") == "1"
intersphinx_mapping = _INTERSPHINX if _ONLINE else {}
intersphinx_timeout = 10

# -- HTML ---------------------------------------------------------------------------------------

html_theme = "furo"
html_title = f"pytest-test-categories {release}"

# The copy button leaves out shell prompts and Python's interactive prompts.
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True

# -- Invisible directives -----------------------------------------------------------------------

# A page tells the test collector things the reader need not see (hidden setup code, skips,
# the module name, expected violations) in HTML comments: GitHub hides them, but MyST would
# pass them into the HTML as raw markup. This handler blanks every HTML comment before MyST
# parses the page, keeping its newlines so Sphinx's line numbers still match the source.
# Comments shown as text, inside a fenced code block or an inline code span, are left alone.

_FENCE_OPEN = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})")
_SPAN_OR_COMMENT = re.compile(r"(?P<span>(?P<ticks>`+).+?(?<!`)(?P=ticks)(?!`))|<!--.*?-->", re.S)


def _blank_comments(prose: str) -> str:
    def blank(match: re.Match[str]) -> str:
        if match.group("span"):
            return match.group(0)
        return "\n" * match.group(0).count("\n")

    return _SPAN_OR_COMMENT.sub(blank, prose)


def strip_html_comments(text: str) -> str:
    """Blank the HTML comments of a Markdown page, except inside code; keep every newline."""
    out: list[str] = []
    prose: list[str] = []
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        if fence is None:
            opening = _FENCE_OPEN.match(line)
            if opening is None:
                prose.append(line)
                continue
            out.append(_blank_comments("".join(prose)))
            prose = []
            fence = opening.group("fence")
            out.append(line)
            continue
        out.append(line)
        closing = _FENCE_OPEN.match(line)
        if (
            closing is not None
            and closing.group("fence")[0] == fence[0]
            and len(closing.group("fence")) >= len(fence)
            and not line[closing.end() :].strip()
        ):
            fence = None
    out.append(_blank_comments("".join(prose)))
    return "".join(out)


def _on_source_read(app: Any, docname: str, source: list[str]) -> None:
    source[0] = strip_html_comments(source[0])


def setup(app: Any) -> dict[str, Any]:
    app.connect("source-read", _on_source_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
