"""The Sphinx extension with each of four common themes, and its style sheet's colours.

The marks come out the same with furo, alabaster, the Read the Docs theme and
pydata-sphinx-theme. The style sheet's dark scheme is switched only by a theme's own attribute
(furo's ``body[data-theme]``, pydata's ``html[data-theme]``), never by the reader's system
setting alone, and every colour pair is readable (WCAG contrast of at least 4.5:1).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from test_sphinx import Site, expected_marks, guide_records, marks

CSS = (
    Path(__file__).resolve().parent.parent / "src/pytest_test_categories/static/test-categories.css"
)

#: What each theme's page says about its colour scheme, where it has a dark one.
THEMES = {
    "furo": 'document.body.dataset.theme = localStorage.getItem("theme") || "auto"',
    "alabaster": None,
    "sphinx_rtd_theme": None,
    "pydata_sphinx_theme": 'document.documentElement.dataset.theme = localStorage.getItem("theme")',
}


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_every_theme_shows_the_marks_with_the_style_sheet(tmp_path: Path, theme: str) -> None:
    site = Site(tmp_path, theme=theme)
    site.report(guide_records())
    result = site.build()
    assert result.returncode == 0, result.stderr
    html = site.html("guide")
    assert marks(html) == expected_marks()
    assert re.search(r'<link [^>]*href="_static/test-categories\.css[^"]*"', html)
    assert (site.docs / "_build/html/_static/test-categories.css").is_file()
    switch = THEMES[theme]
    if switch is None:  # a light-only theme: nothing on its page can turn the dark rules on
        assert "data-theme" not in html
    else:
        assert switch in html


def rules(css: str) -> list[tuple[str, str, str]]:
    """Each rule of a style sheet: (its @media condition or "", its selectors, its body)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = []
    for media, inner in re.findall(r"@media([^{]*)\{((?:[^{}]*\{[^{}]*\})*)\s*\}", css):
        found += [
            (media.strip(), s.strip(), b) for s, b in re.findall(r"([^{}]+)\{([^{}]*)\}", inner)
        ]
    outside = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*\s*\}", "", css)
    found += [("", s.strip(), b) for s, b in re.findall(r"([^{}]+)\{([^{}]*)\}", outside)]
    return found


def palette(body: str) -> dict[str, str]:
    return dict(re.findall(r"(--tc-[\w-]+)\s*:\s*(#[0-9a-fA-F]{6})", body))


def test_the_dark_scheme_follows_only_the_themes_own_switch() -> None:
    found = rules(CSS.read_text(encoding="utf-8"))
    schemes = [(media, selectors) for media, selectors, body in found if palette(body)]
    assert ("", ":root") in schemes  # the light scheme, for every theme
    for media, selectors in schemes:
        if selectors == ":root":
            assert media == ""
            continue
        for selector in (s.strip() for s in selectors.split(",")):
            if media:  # the system's setting counts only where the theme says "auto" (furo)
                assert media == "(prefers-color-scheme: dark)"
                assert selector == 'body[data-theme="auto"]'
            else:
                assert selector in ('body[data-theme="dark"]', 'html[data-theme="dark"]')
    assert {s for _, s in schemes} >= {'body[data-theme="auto"]'}
    assert all("prefers-color-scheme: light" not in media for media, _, _ in found)


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


#: Each text colour of the marks and the background it is drawn on.
PAIRS = [
    ("--tc-passed", "--tc-passed-bg"),
    ("--tc-expected", "--tc-expected-bg"),
    ("--tc-failed", "--tc-failed-bg"),
    ("--tc-skipped", "--tc-skipped-bg"),
    *(("--tc-text", bg) for bg in ("--tc-passed-bg", "--tc-expected-bg", "--tc-failed-bg")),
    ("--tc-text", "--tc-skipped-bg"),
]


def test_every_colour_pair_is_readable_in_both_schemes() -> None:
    found = rules(CSS.read_text(encoding="utf-8"))
    schemes = {selectors: palette(body) for _, selectors, body in found if palette(body)}
    assert len(schemes) == 3  # light, dark by attribute, dark by "auto" and the system
    dark = schemes['body[data-theme="dark"],\nhtml[data-theme="dark"]']
    assert schemes['body[data-theme="auto"]'] == dark
    for name, colours in schemes.items():
        for text, background in PAIRS:
            ratio = contrast(colours[text], colours[background])
            assert ratio >= 4.5, (name, text, background, round(ratio, 2))


def test_every_text_in_a_mark_has_a_colour_of_the_marks_own() -> None:
    # A theme's own text colour (light on a dark page) never lands on a mark's background.
    found = rules(CSS.read_text(encoding="utf-8"))
    bodies = {selectors: body for media, selectors, body in found if not media}
    assert "var(--tc-text)" in bodies["ul.tc-results li.tc-result code"]
    assert "var(--tc-text)" in bodies["p.tc-summary"]
    links = next(b for s, b in bodies.items() if "li.tc-result a" in s)
    assert "color: inherit" in links
    for selectors, body in bodies.items():
        if "background:" in body and "var(--tc-" in body and "background: none" not in body:
            assert re.search(r"(^|[;\s])color:\s*var\(--tc-", body), selectors
