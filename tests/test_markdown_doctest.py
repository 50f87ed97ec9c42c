"""``>>>`` sessions and sphinx.ext.doctest's directives: each an example of its page, run in the
page's namespace, with pytest's ``doctest_optionflags`` and ``doctest_namespace``."""

from __future__ import annotations

import pytest

from test_markdown import Pages, line_of, make_pages, outcomes

pages = pytest.fixture(make_pages, name="pages")
#: Their pages hit no time limit and end no process: the runs share this process.
PAGES_IN_PROCESS = True

SESSIONS = """\
An interactive session runs as a doctest, in the page's namespace:

```pycon
>>> answer = 6 * 7
>>> answer
42
>>> print("two\\nlines")
two
lines
```

So does a Python block that starts with a prompt, and a block with no language:

```python
>>> answer + 1
43
```

```
>>> [answer] * 2
[42, 42]
```

```python
def test_sees_the_session():
    assert answer == 42
```
"""


def test_interactive_examples_run_as_doctests_in_the_pages_namespace(pages: Pages) -> None:
    result = pages(SESSIONS, "-v")
    assert outcomes(result) == {
        "docs/page.md::line-3": "PASSED",
        "docs/page.md::line-14": "PASSED",
        "docs/page.md::line-19": "PASSED",
        "docs/page.md::line-24": "PASSED",
        "docs/page.md::test_sees_the_session": "PASSED",
    }


@pytest.mark.parametrize("language", ["pycon", "py", ""])
def test_output_that_differs_from_the_page_fails_the_example_at_its_line(
    pages: Pages, language: str
) -> None:
    page = f"Text.\n\n```{language}\n>>> 1 + 1\n2\n>>> 2 + 2\n5\n```\n\n```python\nafter = 1\n```\n"
    result = pages(page, "-v")
    assert outcomes(result) == {"docs/page.md::line-3": "FAILED", "docs/page.md::line-10": "PASSED"}
    result.stdout.fnmatch_lines(
        [
            "docs/page.md:6: this example's output is not the output shown",
            ">>> 2 + 2",
            "Expected:",
            "    5",
            "Got:",
            "    4",
        ],
        consecutive=False,
    )


RAISES = """\
```pycon
>>> def load():
...     return {}["settings"]
>>> load()
{}
```
"""


def test_an_example_that_raises_reports_the_exception_at_the_page_line(pages: Pages) -> None:
    result = pages(RAISES, "-v")
    assert outcomes(result) == {"docs/page.md::line-1": "FAILED"}
    result.stdout.fnmatch_lines(
        [
            f"docs/page.md:{line_of(RAISES, '>>> load()')}: in <module>",
            f"docs/page.md:{line_of(RAISES, 'return {}')}: in load",
            "E   KeyError: 'settings'",
        ],
        consecutive=False,
    )
    assert "output is not the output shown" not in result.stdout.str()


def test_an_expected_exception_matches_and_a_missing_one_fails(pages: Pages) -> None:
    result = pages(
        """\
        ```pycon
        >>> int("x")
        Traceback (most recent call last):
          ...
        ValueError: invalid literal for int() with base 10: 'x'
        ```

        ```pycon
        >>> int("1")
        Traceback (most recent call last):
          ...
        ValueError: nothing raised
        ```

        ```pycon
        >>> int("y")
        Traceback (most recent call last):
          ...
        TypeError: the wrong exception
        ```
        """,
        "-v",
    )
    assert outcomes(result) == {
        "docs/page.md::line-1": "PASSED",
        "docs/page.md::line-8": "FAILED",
        "docs/page.md::line-15": "FAILED",
    }
    result.stdout.fnmatch_lines(
        [
            "docs/page.md:9: this example was to raise ValueError: nothing raised, and raised "
            "nothing",
            "docs/page.md:16: this example raised another exception than the one shown",
        ],
        consecutive=False,
    )


def test_doctest_optionflags_and_inline_flags_apply(pages: Pages) -> None:
    page = """\
    ```pycon
    >>> object()
    <object object at 0x...>
    >>> list(range(3))
    [0,   1,
     2]
    ```

    ```pycon
    >>> print("a   b")  # doctest: -NORMALIZE_WHITESPACE
    a b
    ```

    ```pycon
    >>> print("no ellipsis here")  # doctest: -ELLIPSIS
    no...
    ```

    ```pycon
    >>> 0.1 + 0.2  # doctest: +NUMBER
    0.3
    ```
    """
    flags = "doctest_optionflags = ELLIPSIS NORMALIZE_WHITESPACE"
    result = pages(page, "-v", ini=flags)
    assert outcomes(result) == {
        "docs/page.md::line-1": "PASSED",
        "docs/page.md::line-9": "FAILED",
        "docs/page.md::line-14": "FAILED",
        "docs/page.md::line-19": "PASSED",
    }
    # Without the ini option, the first session's outputs differ.
    result = pages(page, "-v")
    assert outcomes(result)["docs/page.md::line-1"] == "FAILED"


def test_doctest_namespace_fills_every_pages_namespace(
    pages: Pages, pytester: pytest.Pytester
) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(autouse=True)
        def _shared(doctest_namespace):
            doctest_namespace["shared"] = 42
        """
    )
    session = "```pycon\n>>> shared\n42\n```\n"
    code = "```python\ndef test_shared():\n    assert shared == 42\n```\n"
    pages.write(**{"docs/one": session, "docs/two": code, "docs/how-to/three": session})
    result = pages.run("-v")
    assert set(outcomes(result).values()) == {"PASSED"}
    result.assert_outcomes(passed=4)


# --- sphinx.ext.doctest's directives ---------------------------------------------------------

DIRECTIVES = """\
# Doctests, as Sphinx writes them

```{testcleanup}
assert log == ["setup", "doctest", "testcode"], log
log.append("cleanup")
```

```{doctest}
>>> log.append("doctest")
>>> log
['setup', 'doctest']
```

```{testcode}
log.append("testcode")
print(log)
```

```{testoutput}
['setup', 'doctest', 'testcode']
```

```{testsetup}
log = ["setup"]
```

```python
def test_the_default_group_is_the_pages_namespace():
    assert log == ["setup", "doctest", "testcode", "cleanup"]
```
"""


def test_setup_runs_before_its_groups_first_example_and_cleanup_after_its_last(
    pages: Pages,
) -> None:
    result = pages(DIRECTIVES, "-v")
    setup, cleanup = line_of(DIRECTIVES, "{testsetup}"), line_of(DIRECTIVES, "{testcleanup}")
    doctest, testcode = line_of(DIRECTIVES, "{doctest}"), line_of(DIRECTIVES, "{testcode}")
    python = line_of(DIRECTIVES, "```python")
    assert list(outcomes(result).items()) == [
        (f"docs/page.md::line-{setup}", "PASSED"),
        (f"docs/page.md::line-{doctest}", "PASSED"),
        (f"docs/page.md::line-{testcode}", "PASSED"),
        (f"docs/page.md::line-{cleanup}", "PASSED"),
        (f"docs/page.md::line-{python}", "PASSED"),
        ("docs/page.md::test_the_default_group_is_the_pages_namespace", "PASSED"),
    ]


def test_a_testoutput_that_differs_fails_its_testcode_at_the_outputs_line(pages: Pages) -> None:
    page = DIRECTIVES.replace("['setup', 'doctest', 'testcode']\n```", "['wrong']\n```")
    result = pages(page, "-v")
    testcode = line_of(page, "{testcode}")
    assert outcomes(result)[f"docs/page.md::line-{testcode}"] == "FAILED"
    result.stdout.fnmatch_lines(
        [
            f"docs/page.md:{line_of(page, '{testoutput}')}: the output of the testcode at line "
            f"{testcode} is not the output shown",
            "Expected:",
            "    ['wrong']",
            "Got:",
            "    ['setup', 'doctest', 'testcode']",
        ],
        consecutive=False,
    )


GROUPS = """\
```{testsetup} one
where = "one"
```

```{testsetup} two
where = "two"
```

```{doctest} one
>>> where
'one'
```

```{doctest} two
>>> where
'two'
```

```{testcode} one, two
print(where)
```

```{doctest}
>>> where
Traceback (most recent call last):
  ...
NameError: name 'where' is not defined
```

```{testcleanup} two
assert where == "two"
```
"""


def test_groups_have_namespaces_of_their_own(pages: Pages) -> None:
    result = pages(GROUPS, "-v")
    found = outcomes(result)
    assert set(found.values()) == {"PASSED"}
    assert len(found) == 7


def test_a_setup_for_every_group_reaches_groups_used_later(pages: Pages) -> None:
    result = pages(
        """\
        ```{testsetup} *
        SHARED = "everywhere"
        ```

        ```{doctest}
        >>> SHARED
        'everywhere'
        ```

        ```{doctest} later
        >>> SHARED
        'everywhere'
        ```
        """,
        "-v",
    )
    assert outcomes(result) == {
        "docs/page.md::line-1": "PASSED",
        "docs/page.md::line-5": "PASSED",
        "docs/page.md::line-10": "PASSED",
    }


def test_directive_options_and_colon_fences(pages: Pages) -> None:
    result = pages(
        """\
        ```{doctest}
        :options: +ELLIPSIS

        >>> print("hello world")
        hello...
        ```

        :::{doctest}
        >>> 2 * 21
        42
        :::

        ```{testcode}
        print(object())
        ```

        ```{testoutput}
        :options: +ELLIPSIS

        <object object at ...>
        ```
        """,
        "-v",
    )
    assert outcomes(result) == {
        "docs/page.md::line-1": "PASSED",
        "docs/page.md::line-8": "PASSED",
        "docs/page.md::line-13": "PASSED",
    }


def test_a_testoutput_without_its_testcode_is_a_failing_item(pages: Pages) -> None:
    result = pages("Text.\n\n```{testoutput}\norphan\n```\n", "-v")
    assert outcomes(result) == {"docs/page.md::line-3": "FAILED"}
    result.stdout.fnmatch_lines(
        ["docs/page.md:3: a testoutput block must follow the testcode block of its group."],
        consecutive=False,
    )
