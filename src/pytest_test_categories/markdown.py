"""Markdown pages as pytest modules: the collector behind the verified guide.

The ini option ``test_categories_markdown`` lists glob patterns (``*``, ``?``, ``[...]`` within
one path segment, ``**`` for any number of folders) matched against a page's path relative to
the rootdir; only matching pages are collected. Sybil's MyST lexers find the blocks. Every block
shown as Python runs, whatever its fence or alias (:data:`PYTHON`), in page order, in one
namespace, at the page's own line numbers, with assertion rewriting; interactive sessions run
as doctests. A block with no language that is Python doing something, a ``python2`` block, a
``pycon`` block without a prompt and a near miss of a directive's name are errors, since
nothing that looks like Python may be skipped silently. Top-level code runs while the page is
collected, as a strict small test owned by the page. The page's own directives, in comments:
``test-categories: module NAME`` and ``test-categories: expect-violation TEST KIND``
(``docs/explanation/verified-guide.md`` and ``docs/how-to/contributing-a-recipe.md``).
"""

from __future__ import annotations

import ast
import codeop
import contextlib
import functools
import hashlib
import importlib.machinery
import importlib.util
import re
import sys
import types
import unittest
from collections.abc import Iterable, Iterator, Sequence
from keyword import iskeyword
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from . import runstate, timing
from .runstate import ActiveTest
from .sizes import Size
from .verdict import EXPECTED_KEY
from .violations import Kind, ResourceViolationError, TimeLimitExceeded, kind_from_name

if TYPE_CHECKING:
    from sybil import Document, Example, Region
    from sybil.typing import Lexer

DIRECTIVE = "test-categories"

INSTALL_HINT = (
    "the ini option test_categories_markdown is set, but Sybil, which reads the Markdown "
    "pages, is not installed: install pytest-test-categories[markdown]"
)

USAGE = (
    f"the {DIRECTIVE} directives are: 'module NAME' (the page's code is importable as NAME) "
    "and 'expect-violation TEST KIND' (TEST must fail with a KIND violation)"
)

#: Which module names pages have taken in this session, and which page took each
#: (``""`` for a package made up to hold a dotted name).
_NAMES_KEY = pytest.StashKey[dict[str, str]]()

#: Pygments' aliases for its ``PythonLexer`` (Pygments 2.21; matched without regard to case, as
#: Pygments does): a block in one of these languages is shown as Python, so it runs.
PYTHON = frozenset({"python", "py", "python3", "py3", "pyi", "sage", "bazel", "starlark"})
#: Pygments' aliases for ``PythonConsoleLexer``: interactive sessions, run as doctests.
CONSOLE = frozenset({"pycon", "python-console"})
#: Highlighted as Python, but no Python 3 can run it.
PYTHON_2 = frozenset({"python2", "py2"})

#: The directives that show code (MyST's, and Sybil's names for them).
_CODE_DIRECTIVES = r"(sourcecode|code-block|code-cell|code)"
_LITERAL_DIRECTIVE = re.compile(r"\{" + _CODE_DIRECTIVES + r"\}")
#: Sybil's invisible code blocks, in HTML or ``%`` comments.
_INVISIBLE = r"(invisible-)?code(-block)?"
#: MyST colon fences (``:::{code-block} python``), shaped like Sybil's backtick ``FENCE``.
_COLON_FENCE = re.compile(
    r"^(?P<prefix>(?:[ \t]*>)+[ \t]*|[ \t]*(?:[-*+]|\d+[.)])[ \t]+|[ \t]*)"
    r"(?P<fence>:{3,})(?P<trailing>[^\n]*)",
    re.MULTILINE,
)
#: A line of an interactive session: ``>>> code``.
_PROMPT = re.compile(r"^[ \t]*>>>( |$)", re.MULTILINE)

#: The first word of an HTML comment or a MyST ``%`` comment that starts a line.
_COMMENT_WORD = re.compile(r"^[ \t]*(?:<!--+\s*(?:;\s*)?|%[ \t]*)(?P<word>[\w-]+)", re.MULTILINE)
#: Comment words that are directives (Sybil's lexers match them exactly, case included) ...
_DIRECTIVE_WORDS = frozenset(
    {DIRECTIVE, "skip", "invisible-code-block", "invisible-code", "code-block", "code"}
)
#: ... and those a near miss is taken for ("code" is left out: too close to common words).
_SUGGESTED_WORDS = (DIRECTIVE, "skip", "invisible-code-block", "code-block")


def collect_file(
    file_path: Path, parent: pytest.Collector, patterns: Sequence[str]
) -> pytest.Collector | None:
    """The page at ``file_path`` as a test module, if one of ``patterns`` matches it."""
    try:
        relative = file_path.relative_to(parent.config.rootpath).as_posix()
    except ValueError:
        return None
    if not any(glob_regex(pattern).match(relative) for pattern in patterns):
        return None
    return MarkdownPage.from_parent(parent, path=file_path)


@functools.cache
def glob_regex(pattern: str) -> re.Pattern[str]:
    """Translate one ``test_categories_markdown`` pattern (see the module docstring)."""
    segments = pattern.strip().removeprefix("./").split("/")
    parts: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            parts.append(".*" if last else "(?:[^/]+/)*")
        else:
            parts.append(_segment_regex(segment) + ("" if last else "/"))
    return re.compile("".join(parts) + r"\Z")


def _segment_regex(segment: str) -> str:
    def translate(match: re.Match[str]) -> str:
        body = match.group(1)
        if body is None:
            return {"*": "[^/]*", "?": "[^/]"}.get(match.group()) or re.escape(match.group())
        negate = body.startswith("!")
        body = re.escape(body[1:] if negate else body).replace(r"\-", "-")
        return f"[{'^/' if negate else ''}{body}]"

    return re.sub(r"\[(.[^]]*)\]|.", translate, segment, flags=re.DOTALL)


class MarkdownPage(pytest.Module):
    """A Markdown page collected as one test module."""

    _expected: dict[str, tuple[Kind, int]]
    _skipped_tests: set[str]

    def _getobj(self) -> types.ModuleType:
        runner = _BlockRunner(self)
        document = self._parse(runner)
        declared, self._expected = self._read_directives(document)
        if declared is None:
            module = types.ModuleType(_derived_name(self))
            where = f"{self.nodeid}: the module name derived from the page's path"
        else:
            module = types.ModuleType(declared[0])
            where = f"{self.at(declared[1])}: the module directive's name"
        module.__file__ = origin = str(self.path)
        module.__spec__ = importlib.machinery.ModuleSpec(module.__name__, None, origin=origin)
        _register(self, module, where)
        document.namespace = module.__dict__
        try:
            with _top_level(self) as test:
                self._skipped_tests = self._run(document, runner, test)
        except BaseException:
            _unregister(self.config, module)
            raise
        return module

    def at(self, line: int) -> str:
        return f"{self.nodeid}:{line}"

    def _parse(self, runner: _BlockRunner) -> Document:
        try:
            from sybil import Document
            from sybil.parsers.myst import SkipParser
        except ImportError:
            raise self.CollectError(f"{self.nodeid}: {INSTALL_HINT}") from None

        try:
            document = Document(self.path.read_text(encoding="utf-8"), str(self.path))
            literal = _literal_ranges(document.text)
            self._check_comments(document.text, literal)
            for parser in (
                functools.partial(_code_regions, self, runner),
                SkipParser(),
                _directive_regions,
            ):
                for region in parser(document):
                    if not any(start < region.start < end for start, end in literal):
                        document.add(region)
        except self.CollectError:
            raise
        except Exception as error:
            raise self.CollectError(f"{self.nodeid}: cannot read the page: {error}") from None
        return document

    def _check_comments(self, text: str, literal: list[tuple[int, int]]) -> None:
        """A comment whose first word is close to a directive's name is a misspelled directive."""
        for match in _COMMENT_WORD.finditer(text):
            word = match.group("word")
            if word in _DIRECTIVE_WORDS or any(s < match.start() < e for s, e in literal):
                continue
            meant = _closest(word, _SUGGESTED_WORDS)
            if meant is not None:
                line = text.count("\n", 0, match.start("word")) + 1
                raise self.CollectError(
                    f"{self.at(line)}: {word!r} is not a directive; did you mean {meant!r}? "
                    "A comment that starts with a near miss of a directive's name is taken "
                    "for a misspelled directive: fix the name, or reword the comment."
                )

    def _read_directives(
        self, document: Document
    ) -> tuple[tuple[str, int] | None, dict[str, tuple[Kind, int]]]:
        module: tuple[str, int] | None = None
        expected: dict[str, tuple[Kind, int]] = {}
        for example in document.examples():
            if not isinstance(example.parsed, _Directives):
                continue
            for line, words in example.parsed:
                where = self.at(line)
                if words[0] == "module" and len(words) == 2:
                    if module is not None:
                        raise self.CollectError(
                            f"{where}: a second module directive; the first is at line "
                            f"{module[1]}. A page has one module name."
                        )
                    name = words[1]
                    if not all(p.isidentifier() and not iskeyword(p) for p in name.split(".")):
                        raise self.CollectError(
                            f"{where}: {name!r} is not a valid module name (dotted Python "
                            "identifiers, such as my_recipe or guide.my_recipe)."
                        )
                    module = (name, line)
                elif words[0] == "expect-violation" and len(words) == 3:
                    try:
                        kind = kind_from_name(words[2])
                    except ValueError as error:
                        raise self.CollectError(f"{where}: {error}") from None
                    if words[1] in expected:
                        raise self.CollectError(
                            f"{where}: {words[1]} already has an expect-violation directive, "
                            f"at line {expected[words[1]][1]}."
                        )
                    expected[words[1]] = (kind, line)
                else:
                    meant = _closest(words[0], ("module", "expect-violation"))
                    hint = f" Did you mean {meant!r}?" if meant and meant != words[0] else ""
                    raise self.CollectError(
                        f"{where}: cannot read {DIRECTIVE}: {' '.join(words)!r}; {USAGE}.{hint}"
                    )
        return module, expected

    def _run(self, document: Document, runner: _BlockRunner, test: ActiveTest) -> set[str]:
        """Run the page's blocks in order; return the test names of the blocks skipped.

        ``test`` is the small test the top-level code runs as: a violation, swallowed or not,
        ends the run with an error at the page's line.
        """
        skipped: set[str] = set()
        runner.test = test
        for example in document.examples():
            evaluator = example.region.evaluator
            if evaluator is None:
                continue
            runner.entered = False
            try:
                example.evaluate()
            except unittest.SkipTest:  # a skip with a reason; without one, nothing is raised
                if runner.entered:
                    raise
            except BaseException as error:
                if test.violations:
                    raise self._broke_rule(test, _page_line(self, error, example.line)) from None
                # The page's own code keeps its traceback; our errors are already worded.
                if evaluator is runner or not isinstance(error, Exception):
                    raise
                if isinstance(error, self.CollectError):
                    raise
                where = self.at(example.line)
                raise self.CollectError(f"{where}: {type(error).__name__}: {error}") from None
            if timing.measured_verdict(test) or test.violations:
                raise self._broke_rule(test, example.line)
            if evaluator is runner and not runner.entered:
                tree = _parse_quietly(runner.source(example))
                skipped.update(name for name, _ in runner.test_names(tree))
        return skipped

    def _broke_rule(self, test: ActiveTest, line: int) -> pytest.Collector.CollectError:
        message = test.violations[0].message
        return self.CollectError(f"{self.at(line)}: {message}\n{TOP_LEVEL_RULES}")

    def collect(self) -> Iterable[pytest.Item | pytest.Collector]:
        nodes = list(super().collect())
        if not self._expected:
            return nodes
        functions = [n for n in nodes if isinstance(n, pytest.Function)]
        classes = {n.name: n for n in nodes if isinstance(n, pytest.Class)}
        per_class: dict[str, dict[str | None, Kind]] = {}
        for target, (kind, line) in self._expected.items():
            head, _, method = target.partition("::")
            matched = [f for f in functions if f.originalname == target]
            for function in matched:
                function.stash[EXPECTED_KEY] = kind
            if matched or target in self._skipped_tests:
                continue
            klass = classes.get(head)
            if klass is not None and (
                not method
                or (self.funcnamefilter(method) and callable(getattr(klass.obj, method, None)))
            ):
                per_class.setdefault(head, {})[method or None] = kind
                continue
            tests = sorted({f.originalname for f in functions} | set(classes))
            raise self.CollectError(
                f"{self.at(line)}: expect-violation names {target}, which is not a test in "
                f"this page; its tests are: {', '.join(tests) or 'none'}."
            )
        for index, node in enumerate(nodes):
            if isinstance(node, pytest.Class) and node.name in per_class:
                replacement = _ExpectingClass.from_parent(self, name=node.name, obj=node.obj)
                replacement.expected = per_class[node.name]
                nodes[index] = replacement
        return nodes

    def _refuse(self, example: Example) -> None:
        raise self.CollectError(f"{self.at(example.line)}: {example.parsed}")

    def _run_doctests(self, example: Example) -> None:
        """Run a block's ``>>>`` examples in turn, in the page's namespace."""
        from sybil import Example

        text = example.document.text
        for region in example.parsed:
            line = text.count("\n", 0, region.start) + 1
            differences = region.evaluator(
                Example(example.document, line, 0, region, example.namespace)
            )
            if differences:
                raise self.CollectError(
                    f"{self.at(line)}: this example's output is not the output shown:\n"
                    + differences.rstrip()
                )


class _ExpectingClass(pytest.Class):
    """A page's test class with expected violations for all (``None``) or some methods."""

    expected: dict[str | None, Kind]

    def collect(self) -> Iterable[pytest.Item | pytest.Collector]:
        nodes = list(super().collect())
        for node in nodes:
            if isinstance(node, pytest.Function):
                kind = self.expected.get(node.originalname, self.expected.get(None))
                if kind is not None:
                    node.stash[EXPECTED_KEY] = kind
        return nodes


class _BlockRunner:
    """Sybil's evaluator for the page's Python blocks: compile at the page's lines, run."""

    #: The small test the page's top-level code runs as (see :func:`_top_level`).
    test: ActiveTest

    def __init__(self, page: MarkdownPage) -> None:
        self.page = page
        self.entered = False
        self.defined: dict[str, int] = {}
        # Compiles each block with the __future__ imports of the blocks before it, as a module.
        self.compiler = codeop.Compile()
        self.rewrite = page.config.getoption("assertmode", "rewrite") == "rewrite"

    @staticmethod
    def source(example: Example) -> str:
        """The block's code, preceded by blank lines so that it sits at its page line."""
        code = example.parsed
        first_line = example.document.text.count("\n", 0, example.region.start + code.offset)
        return "\n" * first_line + str(code)

    def test_names(self, tree: ast.Module | None) -> Iterator[tuple[str, int]]:
        for node in tree.body if tree else ():
            if (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and self.page.funcnamefilter(node.name)
            ) or (isinstance(node, ast.ClassDef) and self.page.classnamefilter(node.name)):
                yield node.name, node.lineno

    def __call__(self, example: Example) -> None:
        self.entered = True
        # Compiling is the collector's work, not the page's: it is not charged or isolated
        # (CPython reads the page to quote a SyntaxError's line).
        self.test.pause()
        try:
            code = self.compile(example)
        finally:
            self.test.resume()
        exec(code, example.namespace)

    def compile(self, example: Example) -> types.CodeType:
        path = str(self.page.path)
        source = self.source(example)
        try:
            tree = ast.parse(source, path)
            for name, line in self.test_names(tree):
                first = self.defined.setdefault(name, line)
                if first != line:
                    raise self.page.CollectError(
                        f"{self.page.at(line)}: {name} is defined twice in this page, at "
                        f"lines {first} and {line}; the second would silently replace the "
                        "first. Give each test its own name."
                    )
            if self.rewrite:
                from _pytest.assertion.rewrite import rewrite_asserts

                rewrite_asserts(tree, source.encode(), path, self.page.config)
            # Like compile(), it takes a tree as well as text (its parser flags then do nothing).
            code: types.CodeType = self.compiler(tree, path, "exec")  # type: ignore[arg-type]
        except SyntaxError as error:
            raise self.page.CollectError(_syntax_message(self.page, error)) from None
        return code


def _syntax_message(page: MarkdownPage, error: SyntaxError) -> str:
    line = error.lineno or 0
    text = f"{page.at(line)}: SyntaxError: {error.msg}"
    if error.text:
        code = error.text.rstrip("\n")
        indent = len(code) - len(code.lstrip())
        caret = " " * max((error.offset or 1) - 1 - indent, 0) + "^"
        text += f"\n    {code.strip()}\n    {caret}"
    return text


def _parse_quietly(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


class _Directives(list[tuple[int, list[str]]]):
    """The directives of one ``test-categories`` comment: each one's page line and words."""


def _directive_regions(document: Document) -> Iterator[Region]:
    """Sybil parser for ``<!-- test-categories: ... -->`` (and ``% test-categories: ...``)."""
    from sybil import Region
    from sybil.parsers.markdown.lexers import DirectiveInHTMLCommentLexer
    from sybil.parsers.myst.lexers import DirectiveInPercentCommentLexer

    text = document.text
    for lexer in (DirectiveInHTMLCommentLexer, DirectiveInPercentCommentLexer):
        for lexed in lexer(DIRECTIVE)(document):
            first = text.count("\n", 0, text.find(DIRECTIVE, lexed.start)) + 1
            lines = [lexed.lexemes.get("arguments") or ""]
            lines += str(lexed.lexemes.get("source") or "").splitlines()
            directives = _Directives(
                (first + offset, line.split()) for offset, line in enumerate(lines) if line.split()
            )
            yield Region(lexed.start, lexed.end, directives)


def _code_regions(page: MarkdownPage, runner: _BlockRunner, document: Document) -> Iterator[Region]:
    """Sybil parser for every block shown (or hidden) as Python, whatever its fence or alias.

    A block that must not be shown as it is (see the module docstring) becomes a region that
    refuses it, so that a skip directive above the block still keeps it from running.
    """
    from sybil import Region
    from sybil.evaluators.doctest import DocTestEvaluator
    from sybil.parsers.abstract import DocTestStringParser
    from sybil.parsers.markdown.lexers import DirectiveInHTMLCommentLexer, FencedCodeBlockLexer
    from sybil.parsers.myst.lexers import DirectiveInPercentCommentLexer, DirectiveLexer

    doctests = DocTestStringParser(DocTestEvaluator())
    fences = FencedCodeBlockLexer(r"[^{\n][^\n]*|", {"language": "arguments", "source": "source"})
    lexers: list[tuple[bool, Lexer]] = [
        (False, fences),
        (False, DirectiveLexer(_CODE_DIRECTIVES, ".*")),
        (False, functools.partial(_colon_directives, DirectiveLexer(_CODE_DIRECTIVES, ".*"))),
        (True, DirectiveInHTMLCommentLexer(_INVISIBLE, ".*?")),
        (True, DirectiveInPercentCommentLexer(_INVISIBLE, ".*")),
    ]
    for hidden, lexer in lexers:
        for lexed in lexer(document):
            source = lexed.lexemes["source"]
            words = str(lexed.lexemes.get("arguments") or "").split()
            language = words[0].lower() if words else ""
            if (
                language in CONSOLE
                or (language in PYTHON and source.lstrip().startswith(">>>"))
                or (not language and _PROMPT.search(source))
            ):
                examples = list(doctests(source, document.path))
                for example in examples:
                    example.adjust(lexed, source)
                if examples:
                    yield Region(lexed.start, lexed.end, examples, page._run_doctests)
                    continue
                reason = (
                    f"a {language} block without a '>>> ' prompt checks nothing: show the "
                    "session with its prompts, or use a text block."
                )
            elif language in PYTHON:
                yield Region(lexed.start, lexed.end, source, runner)
                continue
            elif hidden:
                meant = _closest(language, PYTHON)
                reason = f"an invisible code block must be Python, not {language or 'unnamed'!r}"
                reason += f"; did you mean {meant!r}?" if meant else "."
            elif language in PYTHON_2:
                reason = f"a {language} block cannot run on Python 3. {SHOW_ONLY}"
            elif not language and _looks_like_python(source):
                reason = (
                    "this block names no language, and its text is Python, so the site "
                    "highlights it as Python: name its language (python to run it, or text, "
                    f"console, ... if it is not Python). {SHOW_ONLY}"
                )
            else:
                continue
            yield Region(lexed.start, lexed.end, reason, page._refuse)


def _colon_directives(lexer: Any, document: Document) -> Iterator[Region]:
    """Sybil's MyST directive ``lexer``, applied to colon fences instead of backtick ones."""
    from sybil.parsers.myst.lexers import parse_yaml_options
    from sybil.parsers.rest.lexers import parse_options_and_source

    for opening, closing in _fence_pairs(document.text, _COLON_FENCE):
        lexed = lexer.make_region(opening, document, closing)
        if lexed is not None:
            parse_options_and_source(lexed)
            parse_yaml_options(lexed)
            yield lexed


def _fence_pairs(
    text: str, fence: re.Pattern[str]
) -> Iterator[tuple[re.Match[str], re.Match[str] | None]]:
    """Each fenced block's opening and closing line (``None``: open to the end of the page),
    nested as Sybil nests backtick fences."""
    from sybil.parsers.markdown.lexers import RawFencedCodeBlockLexer

    opened: list[re.Match[str]] = []
    for match in fence.finditer(text):
        for index, existing in enumerate(opened):
            if RawFencedCodeBlockLexer.match_closes_existing(match, existing):
                yield existing, match
                del opened[index:]
                break
        else:
            opened.append(match)
    if opened:
        yield opened[0], None


def _literal_ranges(text: str) -> list[tuple[int, int]]:
    """Where the page shows text instead of rendering it: code blocks, whatever their language.

    A page that shows Markdown source (how to write a directive, say) puts it in a
    ```` ````markdown ```` fence; what is inside is text. Directive fences such as
    ```` ````{note} ```` and ``:::{note}`` render their content, so code in them still runs.
    """
    from sybil.parsers.markdown.lexers import FENCE

    ranges = []
    for pattern in (FENCE, _COLON_FENCE):
        for opening, closing in _fence_pairs(text, pattern):
            info = opening.group("trailing").strip()
            if _LITERAL_DIRECTIVE.match(info) or (pattern is FENCE and not info.startswith("{")):
                ranges.append((opening.start(), closing.end() if closing else len(text)))
    return ranges


def _looks_like_python(source: str) -> bool:
    """Is this unnamed block Python that does something?

    It must parse, and hold a statement other than a bare expression (an import, a
    definition, an assignment, a loop, ...) or a call: ``x = 1`` and ``print(x)`` look like
    Python; a word, a number, shell commands and program output do not.
    """
    tree = _parse_quietly(source)
    return tree is not None and any(
        not isinstance(node, ast.Expr) or isinstance(node.value, ast.Call | ast.Await)
        for node in tree.body
    )


def _closest(word: str, names: Iterable[str]) -> str | None:
    """The name ``word`` is a near miss of (case aside), if any: a small edit distance away."""
    word = word.lower()
    distance, name = min((_distance(word, name), name) for name in names)
    return name if distance <= min(3, max(1, len(name) // 3)) else None


def _distance(a: str, b: str) -> int:
    """Levenshtein distance: the fewest one-character edits that turn ``a`` into ``b``."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


TOP_LEVEL_RULES = (
    "The page's top-level code (what runs outside its tests) runs as a small test: no network, "
    "no files, no subprocesses or threads, no blocking sleep, at most 1 s; move this into a "
    "test or fixture of the size it needs."
)

SHOW_ONLY = (
    "To show code that must not run, put <!-- skip: next --> above the block and say why in "
    "the text."
)


@contextlib.contextmanager
def _top_level(page: MarkdownPage) -> Iterator[ActiveTest]:
    """Run the page's top-level code as a strict small test, with the page as its owner.

    Isolation follows the session (with enforcement off, nothing is patched); the time limit
    always applies. A violation raised in the page's code is a collection error at its line.
    """
    flags = runstate.flags(page.config)
    test = ActiveTest(
        page,
        Size.SMALL,
        Size.SMALL.limit,
        isolating=flags.isolating,
        strict=True,
        alarm=flags.alarm,
    )
    previous, runstate.current = runstate.current, test
    if test.isolating:
        from . import isolation

        isolation.test_started()
    test.start()
    try:
        yield test
    except (ResourceViolationError, TimeLimitExceeded) as error:
        raise page._broke_rule(test, _page_line(page, error, 1)) from None
    finally:
        test.stop()  # a timer still set finds no live test, and the next test sets its own
        runstate.current = previous


def _page_line(page: MarkdownPage, error: BaseException, default: int) -> int:
    """The page line the innermost frame of ``error``'s traceback in the page's code was on."""
    line = default
    path = str(page.path)
    traceback = error.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == path:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def _is_real_module(name: str) -> bool:
    if name in sys.modules:
        return True
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _derived_name(page: MarkdownPage) -> str:
    try:
        relative = page.path.relative_to(page.config.rootpath).as_posix()
    except ValueError:
        relative = page.path.as_posix()
    name = re.sub(r"\W", "_", relative)
    if name[:1].isdigit():
        name = "_" + name
    if name in page.config.stash.get(_NAMES_KEY, {}) or _is_real_module(name):
        name += "_" + hashlib.sha256(relative.encode()).hexdigest()[:8]
    return name


def _register(page: MarkdownPage, module: types.ModuleType, where: str) -> None:
    """Make ``module`` importable under its name, after checking that it shadows nothing."""
    config = page.config
    names = config.stash.get(_NAMES_KEY, None)
    if names is None:
        names = config.stash[_NAMES_KEY] = {}
        config.add_cleanup(lambda: _unregister_all(names))
    name = module.__name__
    parts = name.split(".")
    where = f"{where} {name!r}"
    for depth in range(1, len(parts) + 1):
        prefix = ".".join(parts[:depth])
        owner = names.get(prefix)
        if owner is not None and depth == len(parts):
            taken = f"taken by {owner}" if owner else "the package of another page's module"
            raise page.CollectError(f"{where} is {taken}; give each page its own.")
        if owner is None and _is_real_module(prefix):
            raise page.CollectError(
                f"{where} would shadow the real module {prefix!r}; choose a name that no "
                "installed module has."
            )
    for depth in range(1, len(parts)):
        prefix = ".".join(parts[:depth])
        if prefix not in names:
            package = types.ModuleType(prefix)
            package.__path__ = []
            sys.modules[prefix] = package
            names[prefix] = ""
            if depth > 1:
                setattr(sys.modules[".".join(parts[: depth - 1])], parts[depth - 1], package)
    sys.modules[name] = module
    names[name] = page.nodeid
    if len(parts) > 1:
        setattr(sys.modules[".".join(parts[:-1])], parts[-1], module)


def _unregister(config: pytest.Config, module: types.ModuleType) -> None:
    names = config.stash.get(_NAMES_KEY, {})
    names.pop(module.__name__, None)
    if sys.modules.get(module.__name__) is module:
        del sys.modules[module.__name__]


def _unregister_all(names: dict[str, str]) -> None:
    for name in names:
        sys.modules.pop(name, None)
    names.clear()
