"""What the Markdown collector's tests share: the ``Pages`` helper, and pages several use.

The collector's black-box tests are split by concern:

- ``test_markdown_collect.py``: which pages are collected, the items' names and order, and that
  collection runs none of a page's code;
- ``test_markdown_tests.py``: the tests a page defines (fixtures, markers, parametrize,
  pytest-asyncio, ``-k``, ``--lf``, pytest-xdist, module names);
- ``test_markdown_failures.py``: a failing example fails its own item, at the page's lines;
- ``test_markdown_blocks.py``: which blocks are examples (aliases, fences, directives);
- ``test_markdown_doctest.py``: ``>>>`` sessions and sphinx.ext.doctest's directives;
- ``test_markdown_directives.py``: skips and the ``test-categories`` directives;
- ``test_markdown_problems.py``: problems of the page itself, each a failing item;
- ``test_markdown_sizes.py``: the size of a page's examples;
- ``test_markdown_guide.py``: the guide's own checks;
- ``test_pages.py``: the page facts (:mod:`pytest_test_categories.pages`), read directly.

Each test here writes pages (and sometimes a conftest), runs pytest on them in a subprocess (the
plugin installs audit hooks and signal timers, which must not touch this process), and asserts
on outcomes and output as the page's author would see them.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

import pytest

INI = """\
[pytest]
{asyncio_mode}
{markdown}
{extra}
"""

#: An item's outcome in ``-v`` output, with or without pytest-xdist's ``[gwN] [ N%]`` prefix.
_VERBOSE = re.compile(
    r"^(?:\[(?P<worker>gw\d+)\] \[ *\d+%\] (?P<word1>[A-Z]+) (?P<node1>\S+::\S+)"
    r"|(?P<node2>\S+::\S+) (?P<word2>PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b)"
)


class Pages:
    """Write Markdown pages and run pytest on them with the collector switched on."""

    def __init__(self, pytester: pytest.Pytester, inprocess: bool = False) -> None:
        self.pytester = pytester
        #: Run in this process: for the files whose pages hit no time limit (no signal), end
        #: no process, and need no fresh interpreter (``PAGES_IN_PROCESS = True`` in the file).
        self.inprocess = inprocess

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
        ini: str = "",
        inprocess: bool | None = None,
    ) -> pytest.RunResult:
        markdown = f"test_categories_markdown = {patterns}" if patterns is not None else ""
        mode = f"asyncio_mode = {asyncio_mode}" if asyncio_mode else ""  # else auto: see conftest
        self.pytester.makeini(INI.format(asyncio_mode=mode, markdown=markdown, extra=ini))
        flags = [f"--test-categories-enforcement={enforcement}"] if enforcement else []
        if not cache:
            flags += ["-p", "no:cacheprovider"]
        if self.inprocess if inprocess is None else inprocess:
            return self.pytester.runpytest_inprocess(*flags, *args)
        return self.pytester.runpytest_subprocess(*flags, *args)

    def __call__(self, text: str, *args: str, **options: Any) -> pytest.RunResult:
        """Write one page, ``docs/page.md``, and run pytest on it (options as for ``run``)."""
        self.write(**{"docs/page": text})
        return self.run(*args, **options)


def make_pages(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Pages:
    """The ``pages`` fixture (the sibling ``test_markdown_*`` files share it)."""
    # A wide terminal, so that short test summary lines keep the whole message.
    monkeypatch.setenv("COLUMNS", "400")
    return Pages(pytester, getattr(request.module, "PAGES_IN_PROCESS", False))


pages = pytest.fixture(make_pages, name="pages")


def line_of(page: str, text: str) -> int:
    """The 1-based line of ``page`` (as written, dedented) on which ``text`` first appears."""
    for number, line in enumerate(textwrap.dedent(page).splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} is not in the page")


def outcomes(result: pytest.RunResult) -> dict[str, str]:
    """Each item's node id and outcome word, in the order a ``-v`` run printed them."""
    found: dict[str, str] = {}
    for line in result.outlines:
        match = _VERBOSE.match(line)
        if match:
            node = match.group("node1") or match.group("node2")
            found[node] = match.group("word1") or match.group("word2")
    return found


def workers(result: pytest.RunResult) -> dict[str, str]:
    """Each item's node id and the pytest-xdist worker that ran it, from a ``-v`` run."""
    return {
        match.group("node1"): match.group("worker")
        for match in map(_VERBOSE.match, result.outlines)
        if match and match.group("worker")
    }


# --- Pages several files use -------------------------------------------------------------------

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

#: A page of three blocks (one hidden) and a test function and class; its items, in order.
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

PAGE_ITEMS = [
    "line-5",
    "line-14",
    "line-20",
    "test_uses_the_earlier_blocks",
    "TestGroup::test_in_a_class",
]
