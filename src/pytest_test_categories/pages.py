"""The facts of a Markdown page: its examples, what each is, and what its Python defines.

The one reader of MyST pages: the collector (:mod:`.markdown`), the Sphinx extension
(:mod:`.sphinx`) and the guide's ``conf.py`` all ask :func:`read`, so nothing about a page is
worked out twice. Sybil's lexers find the blocks; nothing here runs a page's code or imports
pytest.

An *example* is one of:

- ``code``: a block shown (or hidden in an ``invisible-code-block`` comment) as Python, in any
  fence or code directive, with any of Pygments' Python aliases (:data:`PYTHON`);
- ``session``: a ``>>>`` session (a ``pycon`` block, a Python block that starts with a prompt,
  an unnamed block with prompts, or a ``{doctest}`` directive);
- ``testcode``, ``testsetup``, ``testcleanup``: sphinx.ext.doctest's directives (``testoutput``
  is the output of the ``testcode`` before it, :attr:`Example.output`);
- ``refused``: a block that looks like Python but cannot run; :attr:`Example.problem` says why.

Each has a stable name: ``line-N``, N the page line its block opens on. A ``test_*`` function
or ``Test*`` class defined at a code block's top level is a :class:`Test`, named as defined, or
``NAME@N`` (N its line) where an earlier block of the page already defined that name.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

#: Pygments' aliases for its ``PythonLexer`` (Pygments 2.19; case aside, as Pygments matches).
PYTHON = frozenset({"python", "py", "python3", "py3", "pyi", "sage", "bazel", "starlark"})
#: Pygments' aliases for ``PythonConsoleLexer``: interactive sessions, run as doctests.
CONSOLE = frozenset({"pycon", "python-console"})
#: Highlighted as Python, but no Python 3 can run it.
PYTHON_2 = frozenset({"python2", "py2"})

DIRECTIVE = "test-categories"
#: The MyST directives that show code, and sphinx.ext.doctest's.
CODE_DIRECTIVES = ("code-block", "code", "sourcecode", "code-cell")
DOCTEST_DIRECTIVES = ("doctest", "testcode", "testoutput", "testsetup", "testcleanup")
#: Names of the comment directives (Sybil's, and this project's): they are case-sensitive.
COMMENT_DIRECTIVES = (
    DIRECTIVE,
    "skip",
    "invisible-code-block",
    "invisible-code",
    "code-block",
    "code",
    "clear-namespace",
)

SHOW_ONLY = (
    "To show code that must not run, put <!-- skip: next --> above the block and say why in "
    "the text."
)

_PROMPT = re.compile(r"^[ \t]*>>>( |$)", re.MULTILINE)
_COLON_FENCE = re.compile(
    r"^(?P<prefix>(?:[ \t]*>)+[ \t]*|[ \t]*(?:[-*+]|\d+[.)])[ \t]+|[ \t]*)"
    r"(?P<fence>:{3,})(?P<trailing>[^\n]*)",
    re.MULTILINE,
)
#: A comment that starts like a directive: ``<!-- word: ...`` or ``% word: ...``.
_COMMENT_WORD = re.compile(r"^[ \t]*(?:<!--+\s*(?:;\s*)?|%[ \t]*)(?P<word>[\w-]+):", re.MULTILINE)
_ANY_DIRECTIVE = re.compile(
    r"^[ \t]*(?:`{3,}|~{3,}|:{3,})[ \t]*\{(?P<name>[\w:-]+)\}(?P<args>.*)$", re.MULTILINE
)


@dataclass(frozen=True)
class Test:
    """A test function or class that a code block defines at its top level."""

    name: str  #: as defined in the code
    node: str  #: its pytest name on the page: ``name``, or ``name@LINE`` for a reused name
    line: int  #: the page line of its ``def`` or ``class``
    is_class: bool


@dataclass(frozen=True)
class Skip:
    """A Sybil ``skip`` directive: its page line, action and the reason's source, if any."""

    line: int
    action: str
    reason: str | None

    @property
    def fixed(self) -> str | None:
        """The reason of a skip that holds whatever the page's code does (none given, or a
        literal), or None for a condition, evaluated when the example runs."""
        if self.reason is None:
            return f"skip: {self.action} at line {self.line}"
        try:
            value = ast.literal_eval(self.reason)
        except (ValueError, SyntaxError):
            return None
        return str(value) if value else None


@dataclass
class Example:
    """One example of the page: a block (or directive) that runs as one item."""

    kind: str
    line: int  #: the page line the block opens on (its fence, directive or comment)
    end: int  #: the page line the block closes on
    start: int  #: offsets in the page's text
    stop: int
    language: str
    source: str  #: the code, at its page lines: preceded by as many newlines as it starts at
    hidden: bool = False
    groups: tuple[str, ...] = ("default",)
    options: dict[str, str] = field(default_factory=dict)
    #: The ``testoutput`` that follows a ``testcode``: its source, first line and options.
    output: Example | None = None
    skips: list[Skip] = field(default_factory=list)
    clears: bool = False  #: a clear-namespace directive comes right before it
    tests: tuple[Test, ...] = ()
    problem: str | None = None

    @property
    def name(self) -> str:
        return f"line-{self.line}"


@dataclass
class Page:
    """What :func:`read` found: the examples in page order, the directives, the problems."""

    examples: list[Example]
    #: Each ``test-categories`` directive: its page line and its words.
    directives: list[tuple[int, list[str]]]
    #: Problems that belong to no example: each a page line and a message.
    problems: list[tuple[int, str]]

    def tests(self) -> Iterator[tuple[Example, Test]]:
        for example in self.examples:
            for test in example.tests:
                yield example, test


def read(text: str, path: str = "<page>") -> Page:
    """Read a page's facts; nothing of it runs. Needs Sybil (the ``markdown`` extra)."""
    from sybil import Document

    document = Document(text, path)
    literal = _literal_ranges(text)
    problems = _comment_problems(text, literal)
    examples: list[Example] = []
    outputs: list[Example] = []
    for example in _examples(document):
        if _inside(literal, example.start):
            continue
        (outputs if example.kind == "testoutput" else examples).append(example)
    examples.sort(key=lambda e: e.start)
    _attach_outputs(examples, outputs, problems)
    directives: list[tuple[int, list[str]]] = []
    skips: list[tuple[int, Skip]] = []
    clears: list[int] = []
    for start, item in _comment_directives(document, problems):
        if _inside(literal, start):
            continue
        if isinstance(item, Skip):
            skips.append((start, item))
        elif item is None:
            clears.append(start)
        else:
            directives.append(item)
    _apply_skips(examples, skips, problems)
    for start in clears:
        following = next((e for e in examples if e.start > start), None)
        if following is not None:
            following.clears = True
    _name_tests(examples)
    problems.sort()
    return Page(examples, directives, problems)


def fixed_skip(example: Example) -> str | None:
    """The reason ``example`` is skipped whatever the page's code does, if it is."""
    return next((s.fixed for s in example.skips if s.fixed is not None), None)


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


# -- the blocks ---------------------------------------------------------------------------------


def _examples(document: Any) -> Iterator[Example]:
    from sybil.parsers.markdown.lexers import DirectiveInHTMLCommentLexer, FencedCodeBlockLexer
    from sybil.parsers.myst.lexers import DirectiveInPercentCommentLexer, DirectiveLexer

    code = "|".join(CODE_DIRECTIVES)
    doctests = "|".join(DOCTEST_DIRECTIVES)
    fences = FencedCodeBlockLexer(r"[^{\n][^\n]*|", {"language": "arguments", "source": "source"})
    lexers: list[tuple[str, Any]] = [
        ("fence", fences),
        ("directive", DirectiveLexer(code, ".*")),
        ("directive", _ColonLexer(DirectiveLexer(code, ".*"))),
        ("doctest", DirectiveLexer(doctests, ".*")),
        ("doctest", _ColonLexer(DirectiveLexer(doctests, ".*"))),
        ("hidden", DirectiveInHTMLCommentLexer(r"(invisible-)?code(-block)?", ".*?")),
        ("hidden", DirectiveInPercentCommentLexer(r"(invisible-)?code(-block)?", ".*")),
    ]
    text = document.text
    for how, lexer in lexers:
        for lexed in lexer(document):
            lexemes = lexed.lexemes
            source = lexemes["source"]
            arguments = str(lexemes.get("arguments") or "").strip()
            line = line_of(text, lexed.start)
            first = line_of(text, lexed.start + source.offset) - 1
            example = Example(
                kind="code",
                line=line,
                end=line_of(text, max(lexed.end - 1, lexed.start)),
                start=lexed.start,
                stop=lexed.end,
                language="",
                source="\n" * first + str(source),
                hidden=how == "hidden",
                options={k: str(v) for k, v in (lexemes.get("options") or {}).items()},
            )
            if how == "doctest":
                example.kind = str(lexemes["directive"])
                example.language = "python"
                example.groups = _groups(arguments, example.options)
                if example.kind == "doctest":
                    example.kind = "session"
            else:
                example.language = arguments.split()[0].lower() if arguments else ""
                if not _classify(example, str(source)):
                    continue
            yield example


def _classify(example: Example, source: str) -> bool:
    """Set a fenced block's kind (and its problem); False for a block that is not an example."""
    language = example.language
    if (
        language in CONSOLE
        or (language in PYTHON and source.lstrip().startswith(">>>"))
        or (not language and _PROMPT.search(source))
    ):
        example.kind = "session"
        if not _PROMPT.search(source):
            example.kind = "refused"
            example.problem = (
                f"a {language} block without a '>>> ' prompt checks nothing: show the session "
                "with its prompts, or use a text block."
            )
        return True
    if language in PYTHON:
        return True
    example.kind = "refused"
    if example.hidden:
        meant = difflib.get_close_matches(language, sorted(PYTHON), 1)
        example.problem = (
            f"an invisible code block must be Python, not {language or 'unnamed'!r}"
            + (f"; did you mean {meant[0]!r}?" if meant else ".")
        )
    elif language in PYTHON_2:
        example.problem = f"a {language} block cannot run on Python 3. {SHOW_ONLY}"
    elif not language and looks_like_python(source):
        example.problem = (
            "this block names no language, and its text is Python, so the site highlights it "
            "as Python: name its language (python to run it, or text, console, ... if it is "
            f"not Python). {SHOW_ONLY}"
        )
    elif language and _is_typo(language, PYTHON | CONSOLE):
        meant = difflib.get_close_matches(language, sorted(PYTHON | CONSOLE), 1, 0.6)
        example.problem = (
            f"{language!r} is no language Pygments knows, and one edit from "
            f"{meant[0] if meant else 'python'!r}: as it is, this block is shown as text and "
            "its test is lost. Fix the language name."
        )
    else:
        return False
    return True


def _is_typo(word: str, names: frozenset[str]) -> bool:
    """Is ``word`` an unknown name one edit (or one swap) away from one of ``names``?"""
    if word in names or _known_language(word):
        return False
    return any(_one_edit(word, name) for name in names)


def _one_edit(a: str, b: str) -> bool:
    """Is ``a`` one edit from ``b``: a letter added, dropped or changed, or two swapped?"""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    changes = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    if len(changes) == 1:
        _, i1, i2, j1, j2 = changes[0]
        return max(i2 - i1, j2 - j1) == 1
    differ = [i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y]
    return (
        len(a) == len(b)
        and len(differ) == 2
        and differ[1] == differ[0] + 1
        and a[differ[0]] == b[differ[1]]
        and a[differ[1]] == b[differ[0]]
    )


#: Languages close to Python's names that are not typos, whether or not Pygments (or the
#: IPython that adds its lexers to it) is installed here.
_NOT_TYPOS = frozenset({"cython", "ipython", "ipython2", "ipython3", "jython", "pypylog", "pyx"})


def _known_language(word: str) -> bool:
    if word in _NOT_TYPOS:
        return True
    try:
        from pygments.lexers import get_lexer_by_name  # type: ignore[import-untyped,unused-ignore]
        from pygments.util import ClassNotFound  # type: ignore[import-untyped,unused-ignore]
    except ImportError:  # no Pygments: no site to show the block as text either
        return False
    try:
        get_lexer_by_name(word)
    except ClassNotFound:
        return False
    return True


def looks_like_python(source: str) -> bool:
    """Is this unnamed block Python that does something (more than a bare name or value)?"""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return any(
        not isinstance(node, ast.Expr) or isinstance(node.value, ast.Call | ast.Await)
        for node in tree.body
    )


def _groups(arguments: str, options: dict[str, str]) -> tuple[str, ...]:
    groups = [g.strip() for g in arguments.split(",") if g.strip()]
    return tuple(groups) or ("default",)


class _ColonLexer:
    """A Sybil MyST directive lexer applied to colon fences (``:::{code-block} python``)."""

    def __init__(self, lexer: Any) -> None:
        self.lexer = lexer

    def __call__(self, document: Any) -> Iterator[Any]:
        from sybil.parsers.myst.lexers import parse_yaml_options
        from sybil.parsers.rest.lexers import parse_options_and_source

        for opening, closing in _fence_pairs(document.text, _COLON_FENCE):
            lexed = self.lexer.make_region(opening, document, closing)
            if lexed is not None:
                parse_options_and_source(lexed)
                parse_yaml_options(lexed)
                yield lexed


def _fence_pairs(text: str, fence: re.Pattern[str]) -> Iterator[tuple[Any, Any]]:
    """Each fenced block's opening and closing match (``None``: open to the page's end)."""
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
    """Where the page shows text instead of rendering it: code blocks of any language.

    Directive fences such as ```` ````{note} ```` render their content, so code in them runs.
    """
    from sybil.parsers.markdown.lexers import FENCE

    literal = re.compile(r"\{(" + "|".join(CODE_DIRECTIVES + DOCTEST_DIRECTIVES) + r")\}")
    ranges = []
    for pattern in (FENCE, _COLON_FENCE):
        for opening, closing in _fence_pairs(text, pattern):
            info = opening.group("trailing").strip()
            if literal.match(info) or (pattern is FENCE and not info.startswith("{")):
                ranges.append((opening.start(), closing.end() if closing else len(text)))
    return ranges


def _attach_outputs(
    examples: list[Example], outputs: list[Example], problems: list[tuple[int, str]]
) -> None:
    """Give each ``testoutput`` to the ``testcode`` of its group just before it."""
    for output in outputs:
        code = next(
            (
                e
                for e in reversed(examples)
                if e.start < output.start and e.kind == "testcode" and e.groups == output.groups
            ),
            None,
        )
        if code is None or code.output is not None:
            problems.append(
                (output.line, "a testoutput block must follow the testcode block of its group.")
            )
        else:
            code.output = output


# -- comment directives -------------------------------------------------------------------------


def _comment_directives(document: Any, problems: list[tuple[int, str]]) -> Iterator[Any]:
    """Skip, clear-namespace and test-categories directives: ``(offset, fact)`` each."""
    from sybil.parsers.markdown.lexers import DirectiveInHTMLCommentLexer
    from sybil.parsers.myst.lexers import DirectiveInPercentCommentLexer

    text = document.text
    for lexer in (DirectiveInHTMLCommentLexer, DirectiveInPercentCommentLexer):
        for lexed in lexer(rf"(?:skip|clear-namespace|{DIRECTIVE})(?![\w-])")(document):
            name = lexed.lexemes["directive"]
            arguments = str(lexed.lexemes.get("arguments") or "").strip()
            line = line_of(text, text.find(name, lexed.start))
            if name == "clear-namespace":
                yield lexed.start, None
            elif name == "skip":
                action, _, reason = arguments.partition(" ")
                if action not in ("next", "start", "end"):
                    problems.append(
                        (line, f"skip: {arguments!r}: write skip: next, skip: start or skip: end")
                    )
                    continue
                yield lexed.start, Skip(line, action, reason.strip() or None)
            else:
                lines = [arguments, *str(lexed.lexemes.get("source") or "").splitlines()]
                for offset, words in enumerate(lines):
                    if words.split():
                        yield lexed.start, (line + offset, words.split())


def _apply_skips(
    examples: list[Example], skips: list[tuple[int, Skip]], problems: list[tuple[int, str]]
) -> None:
    """Give every example the skip directives that cover it, as Sybil's Skipper would."""
    active: Skip | None = None
    active_start = 0
    for start, skip in sorted(skips, key=lambda pair: pair[0]):
        if skip.action == "end":
            if active is None:
                problems.append((skip.line, "skip: end without a skip: start before it."))
                continue
            for example in examples:
                if active_start < example.start < start:
                    example.skips.append(active)
            active = None
        elif active is not None:
            problems.append(
                (skip.line, f"skip: {skip.action} inside the skip: start of line {active.line}.")
            )
        elif skip.action == "start":
            active, active_start = skip, start
        else:
            following = next((e for e in examples if e.start > start), None)
            if following is None:
                problems.append((skip.line, "skip: next with no example after it."))
            else:
                following.skips.append(skip)
    if active is not None:  # as in Sybil, skip: start with no end skips the rest of the page
        for example in examples:
            if example.start > active_start:
                example.skips.append(active)


def _comment_problems(text: str, literal: list[tuple[int, int]]) -> list[tuple[int, str]]:
    """Directive-shaped comments (``<!-- word: ``) whose word is a near miss of a directive."""
    problems: list[tuple[int, str]] = []
    for match in _COMMENT_WORD.finditer(text):
        word = match.group("word")
        if word in COMMENT_DIRECTIVES or _inside(literal, match.start()):
            continue
        meant = difflib.get_close_matches(word.lower(), COMMENT_DIRECTIVES[:4], 1, 0.75)
        if meant:
            case = " (directives are lower case)" if word.lower() == meant[0] else ""
            problems.append(
                (
                    line_of(text, match.start("word")),
                    f"{word!r} is not a directive; did you mean {meant[0]!r}?{case} A comment "
                    "shaped like a directive with a near miss of its name is taken for a "
                    "misspelled one: fix the name, or reword the comment.",
                )
            )
    for directive in _ANY_DIRECTIVE.finditer(text):
        if _inside(literal, directive.start()):
            continue
        name = directive.group("name")
        known = CODE_DIRECTIVES + DOCTEST_DIRECTIVES
        if name not in known and any(_one_edit(name, k) for k in known):
            meant = difflib.get_close_matches(name, known, 1, 0.5)
            problems.append(
                (
                    line_of(text, directive.start()),
                    f"{{{name}}} is not a directive Sphinx knows, and one edit from "
                    f"{{{meant[0] if meant else 'code-block'}}}: as it is, its code is not run "
                    "and its test is lost. Fix the directive's name.",
                )
            )
    return problems


def _inside(ranges: list[tuple[int, int]], offset: int) -> bool:
    """Is ``offset`` strictly inside one of ``ranges`` (the page's literal code blocks)?"""
    return any(start < offset < end for start, end in ranges)


# -- what a block defines -----------------------------------------------------------------------


def definitions(source: str) -> list[ast.stmt]:
    """The top-level statements of a block's code (none if it does not parse)."""
    try:
        return ast.parse(source).body
    except SyntaxError:
        return []


def is_test(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    ) or (isinstance(node, ast.ClassDef) and node.name.startswith("Test"))


def _name_tests(examples: list[Example]) -> None:
    taken: set[str] = set()
    for example in examples:
        if example.kind != "code":
            continue
        tests = []
        for node in definitions(example.source):
            if is_test(node):
                name = node.name  # type: ignore[attr-defined]
                node_name = f"{name}@{node.lineno}" if name in taken else name
                taken.add(name)
                tests.append(Test(name, node_name, node.lineno, isinstance(node, ast.ClassDef)))
        example.tests = tuple(tests)
