"""Sphinx extension: show, under every code block that defines tests, how each test ended.

It reads the plugin's JSON report of the pages' run (``report.json``, with ``environment.json``
beside it when there is one: what the run ran with) from the folder the configuration value
``test_categories_results`` names, relative to ``conf.py``'s directory (default
``_build/results``); ``docs/how-to/verify-your-docs.md`` shows the whole set-up. Each test
gets a line with ``data-test`` and ``data-outcome`` attributes, each page a summary, and the
``{test-categories-total}`` directive the site's total. A test with no result, a result for a
test no longer on the page, and an example that did not end as its page declares are warnings
at the page's line. Tests are matched to blocks by name: the collector refuses a page that
defines a name twice.
"""

from __future__ import annotations

import ast
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from ._words import plural
from .violations import Kind, docs_url, kind_from_name

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

PYTHON_LANGUAGES = {"python", "py", "python3", "py3"}
VIOLATIONS_PAGE = "reference/violations"
CSS_FILE = "test-categories.css"

_WORDS = {Kind.TIME_LIMIT: "time limit", Kind.SLEEP: "blocking sleep", Kind.SQLITE: "sqlite file"}
_ICONS = {"passed": "✓", "expected-violation": "⚠", "failed": "✗", "skipped": "○"}
_NOT_RUN: dict[str, Any] = {"duration": 0.0, "limit": None, "size": "", "violations": []}
_SKIP = re.compile(r"^[ \t]*(?:<!--|%)\s*skip:\s*(next|start|end)\b", re.M)
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,}|:{3,})", re.M)


@dataclass
class Results:
    """The verification run: its test records per page, and what it ran with."""

    by_page: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    python: str = ""
    packages: dict[str, str] = field(default_factory=dict)
    date: str = ""

    def ran_with(self) -> str:
        parts = [f"Python {self.python}"] if self.python else []
        parts += [
            f"{name} {self.packages[name]}"
            for name in ("pytest", "pytest-asyncio")
            if name in self.packages
        ]
        return f"on {self.date} with {', '.join(parts)}" if parts else f"on {self.date}"


def load(folder: Path, srcdir: Path, confdir: Path) -> Results | None:
    """Read ``report.json`` (and ``environment.json``) from ``folder``; None if there is none."""
    try:
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    try:
        environment = json.loads((folder / "environment.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        environment = {}
    packages = {"pytest": report.get("pytest_version", "")} | environment.get("packages", {})
    rootdir = Path(environment.get("rootdir") or confdir)
    results = Results(
        python=environment.get("python", ""),
        packages={name: version for name, version in packages.items() if version},
        date=environment.get("date") or str(report.get("created", ""))[:10],
    )
    for record in report.get("tests", []):
        path, _, name = record["nodeid"].partition("::")
        try:
            page = (rootdir / path).resolve().relative_to(srcdir.resolve())
        except ValueError:
            continue
        docname = page.with_suffix("").as_posix()
        results.by_page.setdefault(docname, []).append({**record, "name": name})
    return results


def outcome(record: dict[str, Any]) -> str:
    """The outcome shown for a record: passed, expected-violation, failed or skipped."""
    if record["outcome"] == "xfailed" and record["violations"]:
        return "expected-violation"
    if record["outcome"] in ("passed", "skipped"):
        return str(record["outcome"])
    return "failed"


def describe(record: dict[str, Any]) -> str:
    """A record's outcome in words, such as ``passed in 0.31 s of 1.00 s (small)``."""
    shown = outcome(record)
    duration, limit, size = record["duration"], record["limit"], record["size"]
    if shown == "passed":
        if limit is None:
            return f"passed in {duration:.2f} s (no size, so no limit)"
        return f"passed in {duration:.2f} s of {limit:.2f} s ({size})"
    if shown == "expected-violation":
        kind = kind_from_name(record["violations"][0]["kind"])
        text = f"fails as documented: {_WORDS.get(kind, kind.value)} {kind.code}"
        stopped = f", stopped at {duration:.2f} s" if kind is Kind.TIME_LIMIT else ""
        return f"{text}{stopped} ({size})"
    if shown == "skipped":
        return "skipped: shown, not run"
    return f"did not end as the page declares: {record['outcome']} after {duration:.2f} s"


class test_results(nodes.General, nodes.Element):
    """The lines under one code block; turned into HTML once links can be resolved."""


class test_categories_total(nodes.General, nodes.Element):
    """Where the site's total goes."""


class TotalDirective(SphinxDirective):
    """``{test-categories-total}``: the number of examples verified on the whole site."""

    def run(self) -> list[nodes.Node]:
        return [test_categories_total()]


def _tests_in(code: str) -> list[tuple[str, int]]:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    return [
        (node.name, node.lineno)
        for node in tree.body
        if (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test")
        )
        or (isinstance(node, ast.ClassDef) and node.name.startswith("Test"))
    ]


def _top(name: str) -> str:
    """The top-level name a test's id starts with: ``TestBasket::test_x[1]`` -> ``TestBasket``."""
    return re.split(r"::|\[", name, maxsplit=1)[0]


def _skipped_lines(source: str) -> list[tuple[int, int]]:
    """Line ranges that Sybil's skip directives (``skip: next``, ``start``, ``end``) cover."""
    ranges: list[tuple[int, int]] = []
    start: int | None = None
    for match in _SKIP.finditer(source):
        line = source.count("\n", 0, match.start()) + 1
        if match.group(1) == "next":
            fence = _FENCE.search(source, match.end())
            end = source.count("\n", 0, fence.start()) + 1 if fence else line
            ranges.append((line, end))
        elif match.group(1) == "start":
            start = line
        elif start is not None:
            ranges.append((start, line))
            start = None
    return ranges


def _doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    docname = env.docname
    results: Results | None = getattr(app, "test_categories_results", None)
    records = list(results.by_page.get(docname, [])) if results else []
    path = env.doc2path(docname)
    source = Path(path).read_text(encoding="utf-8")
    skipped = _skipped_lines(source)
    where = (
        Path(path).relative_to(Path(app.confdir))
        if Path(path).is_relative_to(app.confdir)
        else path
    )
    for block in list(doctree.findall(nodes.literal_block)):
        if str(block.get("language", "")).lower() not in PYTHON_LANGUAGES or block.line is None:
            continue
        lines: list[dict[str, Any]] = []
        for name, offset in _tests_in(block.astext()):
            line = block.line + offset
            if any(start <= block.line <= end for start, end in skipped):
                lines.append(_line({"name": name, "outcome": "skipped", **_NOT_RUN}))
                continue
            mine = [r for r in records if _top(r["name"]) == name]
            if results is not None and not mine:
                _warn(
                    "missing",
                    f"{name} ({where}:{line}) has no result in the verification run; run the "
                    "pages first (nox -s docs does)",
                    (docname, line),
                )
            for record in mine:
                records.remove(record)
                _check(record, where, line, docname)
                lines.append(_line(record))
        if lines:
            block.parent.insert(block.parent.index(block) + 1, test_results(lines=lines))
    for record in records:
        top = re.escape(_top(record["name"]))
        defined = re.search(rf"^[ \t]*(?:async\s+def|def|class)\s+{top}\b", source, re.M)
        if defined is None:
            _warn(
                "stale",
                f"the verification run has a result for {record['name']}, which is no longer "
                f"on {where}; run the pages again",
                (docname, 1),
            )
        else:  # defined in an invisible block: counted, not shown
            _check(record, where, source.count("\n", 0, defined.start()) + 1, docname)
    shown = results.by_page.get(docname, []) if results else []
    if shown:
        counts = (len(shown), sum(outcome(r) == "expected-violation" for r in shown))
        env.test_categories_counts[docname] = counts  # type: ignore[attr-defined]
        text = (
            f"Verified: {plural(counts[0], 'example')}, {counts[1]} of them fail as documented, "
            f"{results.ran_with() if results else ''}."
        )
        summary = nodes.paragraph("", text, classes=["tc-summary"])
        section = next(iter(doctree.findall(nodes.section)), None)
        if section is not None and section.children and isinstance(section[0], nodes.title):
            section.insert(1, summary)
        else:
            doctree.insert(0, summary)


def _check(record: dict[str, Any], where: object, line: int, docname: str) -> None:
    if outcome(record) == "failed":
        _warn("failed", f"{record['name']} ({where}:{line}) {describe(record)}", (docname, line))


def _warn(subtype: str, text: str, location: tuple[str, int] | None = None) -> None:
    logger.warning(text, location=location, type="test-categories", subtype=subtype)


def _line(record: dict[str, Any]) -> dict[str, Any]:
    shown = outcome(record)
    line = {"name": record["name"], "outcome": shown, "text": describe(record)}
    if shown in ("expected-violation", "failed") and record["violations"]:
        line["kind"] = record["violations"][0]["kind"]
    return line


def _doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for node in list(doctree.findall(test_results)):
        items = "".join(_html_line(app, docname, line) for line in node["lines"])
        node.replace_self(nodes.raw("", f'<ul class="tc-results">{items}</ul>', format="html"))
    for total in list(doctree.findall(test_categories_total)):
        counts = app.env.test_categories_counts  # type: ignore[attr-defined]
        examples = sum(n for n, _ in counts.values())
        expected = sum(m for _, m in counts.values())
        results: Results | None = getattr(app, "test_categories_results", None)
        text = (
            f"The whole guide: {plural(examples, 'example')} on {plural(len(counts), 'page')}, "
            f"{expected} of them fail as documented, verified "
            f"{results.ran_with() if results else ''}."
        )
        total.replace_self(nodes.paragraph("", text, classes=["tc-summary", "tc-total"]))


def _html_line(app: Sphinx, docname: str, line: dict[str, Any]) -> str:
    name, shown = html.escape(line["name"]), line["outcome"]
    text = html.escape(line["text"])
    if "kind" in line:
        kind = kind_from_name(line["kind"])
        if VIOLATIONS_PAGE in app.env.found_docs:
            target = app.builder.get_relative_uri(docname, VIOLATIONS_PAGE)
            href = f"{target}#{kind.code.lower()}"
        else:
            href = docs_url(kind)
        text = f'<a href="{html.escape(href)}">{text}</a>'
    return (
        f'<li class="tc-result tc-{shown}" data-test="{name}" data-outcome="{shown}">'
        f'<span class="tc-icon" aria-hidden="true">{_ICONS[shown]}</span> '
        f"<code>{name}</code> <span>{text}</span></li>"
    )


def _builder_inited(app: Sphinx) -> None:
    confdir = Path(app.confdir)
    folder = confdir / app.config.test_categories_results
    results = load(folder, Path(app.srcdir), confdir)
    if results is None:
        _warn(
            "missing",
            f"no verification results in {folder}: run the pages with pytest --test-size-report"
            f"=json --test-size-report-file={folder / 'report.json'} first (nox -s docs does)",
        )
    app.test_categories_results = results  # type: ignore[attr-defined]
    if not hasattr(app.env, "test_categories_counts"):
        app.env.test_categories_counts = {}  # type: ignore[attr-defined]
    app.config.html_static_path.append(str(Path(__file__).parent / "static"))


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, "test_categories_counts", {}).pop(docname, None)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: Any) -> None:
    env.test_categories_counts.update(other.test_categories_counts)  # type: ignore[attr-defined]


def _updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    return [env.config.root_doc]  # the total changes with any page


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("test_categories_results", "_build/results", "env", str)
    app.add_node(test_results)
    app.add_node(test_categories_total)
    app.add_directive("test-categories-total", TotalDirective)
    app.add_css_file(CSS_FILE)
    app.connect("builder-inited", _builder_inited)
    app.connect("doctree-read", _doctree_read)
    app.connect("doctree-resolved", _doctree_resolved)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-updated", _updated)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
