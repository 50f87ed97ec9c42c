"""Sphinx configuration of the guide.

It sits at the repository root and reads its pages from ``docs/``:

    sphinx-build -n -W --keep-going -E -b html -c . docs docs/_build/html

``nox -s docs`` runs exactly that, after running every page as a test and keeping the results
in ``docs/_build/results``, which the ``pytest_test_categories.sphinx`` extension shows.
"""

from __future__ import annotations

import os
from importlib.metadata import version as _installed_version

# -- Project ------------------------------------------------------------------------------------

project = "pytest-test-categories"
author = "The pytest-test-categories developers"
copyright = f"2025, {author}"
release = _installed_version("pytest-test-categories")
version = ".".join(release.split(".")[:2])

# -- General ------------------------------------------------------------------------------------

extensions = [
    "myst_parser",
    "sphinx.ext.doctest",
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

# The verification run's results, relative to this file (`nox -s docs` writes them before it
# builds): the extension above shows how each example and test ended under its block, leaves
# the pages' HTML comments (hidden code, directives) out of the HTML, and fails the build (with
# -W) when an example has no result, a result is stale, or an example did not end as its page
# declares. Each page's summary links to how the guide is verified, and a violation's code to
# its entry in this guide's reference.
test_categories_results = "docs/_build/results"
test_categories_about = "explanation/verified-guide"
test_categories_violations = "reference/violations"

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
