"""Sphinx extension: under every example of a Markdown page, how it ended in its verified run.

Add ``"pytest_test_categories.sphinx"`` to ``extensions``; it works in any Sphinx project that
reads MyST pages, with any theme. It reads the plugin's JSON report of the pages' run
(``report.json``, and ``environment.json`` beside it when there is one: what the run ran with)
from the folder that ``test_categories_results`` names, relative to the folder of ``conf.py``
(default ``_build/results``). ``docs/how-to/verify-your-docs.md`` shows the whole set-up.

The page's facts come from :func:`pytest_test_categories.pages.read`, the same reader the
collector uses: each example (``line-N``, N the line its block opens on) and each test a block
defines gets a line under its block, with ``data-test`` and ``data-outcome`` attributes; each
page gets a summary that links to ``test_categories_about``; ``{test-categories-total}`` gives
the site's total. A block that would not be verified, an example or test with no result, a
result for something no longer on the page, and an example that did not end as its page
declares are warnings at the page's line, so ``-W`` fails the build. HTML comments outside code
(the directives the reader need not see, hidden code) are left out of the HTML.

It imports neither pytest nor the plugin: building a site needs Sphinx, MyST and Sybil only.
"""

from __future__ import annotations

import ast
import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from . import pages
from ._words import plural

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

CSS_FILE = "test-categories.css"
#: Where a violation's code links unless ``test_categories_violations`` says otherwise.
VIOLATIONS_URL = "https://pytest-test-categories.readthedocs.io/en/latest/reference/violations.html"

_WORDS = {"time-limit": "time limit", "sleep": "blocking sleep", "sqlite": "sqlite file"}
_ICONS = {
    "passed": "✓",
    "expected-violation": "⚠",
    "xfailed": "⚠",
    "failed": "✗",
    "skipped": "○",
    "missing": "?",
}
#: Outcomes of an example that did not end as its page declares.
_NOT_AS_DECLARED = frozenset({"failed", "error", "xpassed"})
_COMMENTS = re.compile(r"\s*(?:<!--.*?-->\s*)+", re.S)

Record = dict[str, Any]
Line = dict[str, str]
_NOT_RUN: Record = {
    "outcome": "skipped",
    "duration": 0.0,
    "limit": None,
    "size": "",
    "violations": [],
}


# -- the verification run ------------------------------------------------------------------------


@dataclass
class Results:
    """The verification run: its records per page (docname), and what it ran with."""

    by_page: dict[str, list[Record]] = field(default_factory=dict)
    python: str = ""
    packages: dict[str, str] = field(default_factory=dict)
    date: str = ""
    stamp: str = ""  #: a digest of the files read: a new run makes every page stale

    rootdir: Path | None = None  #: the folder the node ids are relative to

    def ran_with(self) -> str:
        """``on 2026-12-01 with Python 3.12, pytest 9.2.0``, or as much of it as is known."""
        parts = [f"Python {self.python}"] if self.python else []
        parts += [
            f"{name} {self.packages[name]}"
            for name in ("pytest", "pytest-asyncio")
            if name in self.packages
        ]
        words = [f"on {self.date}"] if self.date else []
        words += ["with " + ", ".join(parts)] if parts else []
        return " ".join(words)

    def where(self, path: Path, confdir: Path) -> str:
        """A page's path as the run's node ids name it (or relative to ``conf.py``'s folder)."""
        for folder in (self.rootdir, confdir):
            if folder is not None and path.is_relative_to(folder):
                return path.relative_to(folder).as_posix()
        return str(path)


def load(folder: Path, srcdir: Path, confdir: Path) -> Results | None:
    """Read ``report.json`` (and ``environment.json``) from ``folder``; None if there is none.

    Node ids are relative to the run's rootdir: the report's ``rootdir``, else
    ``environment.json``'s, else the first of the folder of ``conf.py`` and its parents where
    the node's file is (a report copied from another machine still matches).
    """
    digest = hashlib.sha256()
    try:
        raw = (folder / "report.json").read_bytes()
    except FileNotFoundError:
        return None
    digest.update(raw)
    report = json.loads(raw)
    try:
        raw = (folder / "environment.json").read_bytes()
        digest.update(raw)
        environment = json.loads(raw)
    except FileNotFoundError:
        environment = {}
    packages = {"pytest": report.get("pytest_version", "")} | environment.get("packages", {})
    results = Results(
        python=environment.get("python", ""),
        packages={name: version for name, version in packages.items() if version},
        date=environment.get("date") or str(report.get("created", ""))[:10],
        stamp=digest.hexdigest(),
    )
    roots = [Path(r) for r in (report.get("rootdir"), environment.get("rootdir")) if r]
    results.rootdir = roots[0].resolve() if roots else None
    roots += [confdir, *confdir.parents]
    found: dict[str, str | None] = {}
    for record in report.get("tests", []):
        path, _, name = record["nodeid"].partition("::")
        if path not in found:
            found[path] = _docname(path, roots, srcdir.resolve(), results)
        docname = found[path]
        if docname is not None:
            results.by_page.setdefault(docname, []).append({**record, "name": name})
    return results


def _docname(path: str, roots: list[Path], srcdir: Path, results: Results) -> str | None:
    """The docname of a node id's file; None for a file that is not one of the site's pages."""
    candidates = [(root / path).resolve() for root in roots]
    index = next((i for i, c in enumerate(candidates) if c.is_file()), 0)
    if not candidates[index].is_relative_to(srcdir):
        return None
    if results.rootdir is None:
        results.rootdir = roots[index].resolve()
    return candidates[index].relative_to(srcdir).with_suffix("").as_posix()


def outcome(record: Record) -> str:
    """The outcome shown: passed, expected-violation, xfailed, skipped or failed."""
    if record["outcome"] == "xfailed":
        return "expected-violation" if record["violations"] else "xfailed"
    if record["outcome"] in ("passed", "skipped"):
        return str(record["outcome"])
    return "failed"


def describe(record: Record) -> str:
    """A record's outcome in words, such as ``passed in 0.31 s of 1.00 s (small)``."""
    shown = outcome(record)
    duration, limit, size = record["duration"], record["limit"], record["size"]
    reason = record.get("reason")
    if shown == "passed":
        if limit is None:
            return f"passed in {duration:.2f} s (unsized: no time limit)"
        return f"passed in {duration:.2f} s of {limit:.2f} s ({size})"
    if shown == "expected-violation":
        violation = record["violations"][0]
        words = _WORDS.get(violation["kind"], violation["kind"])
        stopped = f", stopped at {duration:.2f} s" if violation["kind"] == "time-limit" else ""
        return f"fails as documented: {words} {violation['code']}{stopped} ({size})"
    if shown == "xfailed":
        return f"fails as declared: {reason}" if reason else "fails as declared (xfail)"
    if shown == "skipped":
        return f"skipped: {reason}" if reason else "skipped: shown, not run"
    return f"did not end as the page declares: {record['outcome']} after {duration:.2f} s"


def _skip_reason(example: pages.Example) -> str | None:
    """Why a skip directive skips this example for certain; None if it may run (``if(...)``)."""
    if not example.skips:
        return None
    source = (example.skips[0].reason or "").strip()
    if source.startswith("if"):
        return None
    try:
        reason = ast.literal_eval(source)
    except (ValueError, SyntaxError):
        reason = source
    return str(reason or "shown, not run")


# -- nodes ---------------------------------------------------------------------------------------


class test_results(nodes.General, nodes.Element):
    """The lines under one block; turned into HTML once links can be resolved."""


class test_categories_total(nodes.General, nodes.Element):
    """Where the site's total goes."""


class TotalDirective(SphinxDirective):
    """``{test-categories-total}``: what was verified on the whole site."""

    def run(self) -> list[nodes.Node]:
        self.env.test_categories_totals.add(self.env.docname)  # type: ignore[attr-defined]
        return [test_categories_total()]


# -- reading a page ------------------------------------------------------------------------------


def _doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    _strip_comments(doctree)
    env = app.env
    docname = env.docname
    path = Path(env.doc2path(docname))
    if _filetype(app, path) != "markdown":
        return
    page = pages.read(path.read_text(encoding="utf-8"), str(path))
    results: Results | None = getattr(app, "test_categories_results", None)
    where = (results or Results()).where(path, Path(app.confdir))
    marks = _Marks(docname, str(where), results)
    for record in results.by_page.get(docname, []) if results else []:
        marks.records.setdefault(_owner(record["name"]), []).append(record)
    blocks = {
        block.line: block
        for block in doctree.findall(nodes.literal_block)
        if block.line is not None and (block.source is None or Path(block.source) == path)
    }
    for line, problem in page.problems:
        _warn("refused", f"{where}:{line}: {problem}", (docname, line))
    for example in page.examples:
        if example.kind == "refused":
            _warn(
                "refused",
                f"a test would be lost ({where}:{example.line}): {example.problem}",
                (docname, example.line),
            )
            continue
        skipped = _skip_reason(example)
        shown = marks.lines(example.name, example.line, label=False, skipped=skipped)
        for test in example.tests:
            shown += marks.lines(test.node, test.line, label=True, skipped=skipped)
        output = blocks.get(example.output.line) if example.output else None
        block = output or blocks.get(example.line)
        if shown and block is not None and not example.hidden:
            under: nodes.Element = block
            if isinstance(block.parent, nodes.container) and block.parent.get("literal_block"):
                under = block.parent  # a block with a caption: the marks go after both
            node = test_results(lines=shown, example=example.name)
            under.parent.insert(under.parent.index(under) + 1, node)
    for name, stale in marks.records.items():
        line = int(name[5:]) if re.fullmatch(r"line-\d+", name) else 1
        _warn(
            "stale",
            f"the verification run has a result for {stale[0]['name']} ({where}), which is no "
            "longer on the page; run the pages again",
            (docname, line),
        )
    if marks.taken:
        counts = _count(marks.taken)
        env.test_categories_counts[docname] = counts  # type: ignore[attr-defined]
        _summary(app, doctree, counts, results)


@dataclass
class _Marks:
    """A page's records, taken by its examples and tests as the page is read."""

    docname: str
    where: str
    results: Results | None
    records: dict[str, list[Record]] = field(default_factory=dict)
    taken: list[Record] = field(default_factory=list)  #: the records matched so far

    def lines(self, name: str, line: int, *, label: bool, skipped: str | None) -> list[Line]:
        """One example's or test's lines; warns if it has no result or did not end as declared."""
        mine = self.records.pop(name, [])
        self.taken += mine
        if not mine and skipped is not None:
            mine = [{**_NOT_RUN, "name": name, "reason": skipped}]
        if not mine and self.results is not None:
            self.warn(
                "missing",
                f"{name} ({self.where}:{line}) has no result in the verification "
                "run; run the pages first, then build",
                line,
            )
            return [
                {
                    "name": name,
                    "label": name if label else "",
                    "outcome": "missing",
                    "text": "no result in the verification run",
                }
            ]
        lines = []
        for record in mine:
            shown = outcome(record)
            if record["outcome"] in _NOT_AS_DECLARED:
                self.warn(
                    "failed", f"{record['name']} ({self.where}:{line}) {describe(record)}", line
                )
            entry = {
                "name": record["name"],
                "label": record["name"] if label else "",
                "outcome": shown,
                "text": describe(record),
            }
            if shown in ("expected-violation", "failed") and record["violations"]:
                entry["code"] = record["violations"][0]["code"]
            lines.append(entry)
        return lines

    def warn(self, subtype: str, text: str, line: int) -> None:
        _warn(subtype, text, (self.docname, line))


def _owner(name: str) -> str:
    """The page name a node belongs to: ``TestBasket::test_x[1]`` -> ``TestBasket``."""
    return name.split("::", 1)[0].split("[", 1)[0]


def _count(records: list[Record]) -> dict[str, int]:
    examples = sum(1 for r in records if re.fullmatch(r"line-\d+", r["name"]))
    return {
        "examples": examples,
        "tests": len(records) - examples,
        "documented": sum(outcome(r) == "expected-violation" for r in records),
        "skipped": sum(outcome(r) == "skipped" for r in records),
    }


def _counted(counts: dict[str, int], pages: str = "") -> str:
    """``5 examples and 3 tests[ on 2 pages], 1 failing as documented, 1 skipped``."""
    text = f"{plural(counts['examples'], 'example')} and {plural(counts['tests'], 'test')}"
    text += f" on {pages}" if pages else ""
    if counts["documented"]:
        text += f", {counts['documented']} failing as documented"
    if counts["skipped"]:
        text += f", {counts['skipped']} skipped"
    return text


def _summary(
    app: Sphinx, doctree: nodes.document, counts: dict[str, int], results: Results | None
) -> None:
    ran = results.ran_with() if results else ""
    text = f"Verified{' ' + ran if ran else ''}: {_counted(counts)}. "
    summary = nodes.paragraph("", text, classes=["tc-summary"])
    about = app.config.test_categories_about
    if about:
        link = addnodes.pending_xref(
            "",
            nodes.inline("", "How this page was verified"),
            refdomain="std",
            reftype="doc",
            reftarget="/" + about.lstrip("/"),
            refexplicit=True,
            refdoc=app.env.docname,
        )
        summary += link
        summary += nodes.Text(".")
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is not None and section.children and isinstance(section[0], nodes.title):
        section.insert(1, summary)
    else:
        doctree.insert(0, summary)


def _strip_comments(doctree: nodes.document) -> None:
    """Leave HTML comments out of the page: hidden code and directives are not for readers."""
    for raw in list(doctree.findall(nodes.raw)):
        if "html" in raw.get("format", "").split() and _COMMENTS.fullmatch(raw.astext()):
            raw.parent.remove(raw)


def _filetype(app: Sphinx, path: Path) -> str:
    suffixes = app.config.source_suffix
    return next((kind for suffix, kind in suffixes.items() if path.name.endswith(suffix)), "")


def _warn(subtype: str, text: str, location: tuple[str, int] | None = None) -> None:
    logger.warning(text, location=location, type="test-categories", subtype=subtype)


# -- writing a page ------------------------------------------------------------------------------


def _doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for node in list(doctree.findall(test_results)):
        if app.builder.format == "html":
            items = "".join(_html_line(app, docname, line) for line in node["lines"])
            node.replace_self(
                nodes.raw(
                    "",
                    f'<ul class="tc-results" data-example="{node["example"]}">{items}</ul>',
                    format="html",
                )
            )
        else:
            entries = nodes.bullet_list(classes=["tc-results"])
            for line in node["lines"]:
                text = " ".join(filter(None, [line["label"], line["text"]]))
                entries += nodes.list_item("", nodes.paragraph("", text))
            node.replace_self(entries)
    for total in list(doctree.findall(test_categories_total)):
        counts: dict[str, dict[str, int]] = app.env.test_categories_counts  # type: ignore[attr-defined]
        summed = {key: sum(c[key] for c in counts.values()) for key in _count([])}
        results: Results | None = getattr(app, "test_categories_results", None)
        ran = results.ran_with() if results else ""
        text = (
            f"{app.config.project}, verified{' ' + ran if ran else ''}: "
            f"{_counted(summed, plural(len(counts), 'page'))}."
        )
        total.replace_self(nodes.paragraph("", text, classes=["tc-summary", "tc-total"]))


def _html_line(app: Sphinx, docname: str, line: Line) -> str:
    name, shown = html.escape(line["name"]), line["outcome"]
    text = html.escape(line["text"])
    if "code" in line:
        text = f'<a href="{html.escape(_violation_href(app, docname, line["code"]))}">{text}</a>'
    label = f"<code>{html.escape(line['label'])}</code> " if line["label"] else ""
    return (
        f'<li class="tc-result tc-{shown}" data-test="{name}" data-outcome="{shown}">'
        f'<span class="tc-icon" aria-hidden="true">{_ICONS[shown]}</span> '
        f"{label}<span>{text}</span></li>"
    )


def _violation_href(app: Sphinx, docname: str, code: str) -> str:
    target = app.config.test_categories_violations
    if target in app.env.found_docs:
        target = app.builder.get_relative_uri(docname, target)
    return f"{target}#{code.lower()}"


# -- the build -----------------------------------------------------------------------------------


def _builder_inited(app: Sphinx) -> None:
    confdir = Path(app.confdir)
    folder = confdir / app.config.test_categories_results
    results = load(folder, Path(app.srcdir), confdir)
    if results is None:
        _warn(
            "missing",
            f"no verification results in {folder}: run the pages with pytest --test-size-report"
            f"=json --test-size-report-file={folder / 'report.json'} first",
        )
    app.test_categories_results = results  # type: ignore[attr-defined]
    env: Any = app.env
    stamp = results.stamp if results else ""
    app.test_categories_rerun = getattr(env, "test_categories_stamp", None) != stamp  # type: ignore[attr-defined]
    env.test_categories_stamp = stamp
    if not hasattr(env, "test_categories_counts"):
        env.test_categories_counts = {}
        env.test_categories_totals = set()
    app.config.html_static_path.append(str(Path(__file__).parent / "static"))


def _outdated(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """A new verification run changes what every page shows: read them all again."""
    return sorted(env.found_docs) if getattr(app, "test_categories_rerun", False) else []


def _check_pages(app: Sphinx, env: BuildEnvironment) -> None:
    """Results for a page that is gone are stale too."""
    results: Results | None = getattr(app, "test_categories_results", None)
    for docname, records in sorted(results.by_page.items()) if results else []:
        source = Path(app.srcdir, docname)
        if not any(source.with_name(source.name + s).is_file() for s in app.config.source_suffix):
            _warn(
                "stale",
                f"the verification run has {plural(len(records), 'result')} for {docname}, a "
                "page that is no longer there; run the pages again",
            )


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, "test_categories_counts", {}).pop(docname, None)
    getattr(env, "test_categories_totals", set()).discard(docname)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: Any) -> None:
    env.test_categories_counts.update(other.test_categories_counts)  # type: ignore[attr-defined]
    env.test_categories_totals |= other.test_categories_totals  # type: ignore[attr-defined]


def _updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """The total changes with any page: write the pages that show it."""
    return sorted(env.test_categories_totals)  # type: ignore[attr-defined]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("test_categories_results", "_build/results", "env", str)
    app.add_config_value("test_categories_about", "", "env", str)
    app.add_config_value("test_categories_violations", VIOLATIONS_URL, "env", str)
    app.add_node(test_results)
    app.add_node(test_categories_total)
    app.add_directive("test-categories-total", TotalDirective)
    app.add_css_file(CSS_FILE)
    app.connect("builder-inited", _builder_inited)
    app.connect("env-get-outdated", _outdated)
    app.connect("doctree-read", _doctree_read)
    app.connect("env-check-consistency", _check_pages)
    app.connect("doctree-resolved", _doctree_resolved)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-updated", _updated)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
