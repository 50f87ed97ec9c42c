"""The guide quotes violation messages in its console examples; they must match the real ones.

A wording change in :mod:`pytest_test_categories.violations` fails this test until the quoted
output in the guide is updated too.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from pytest_test_categories import violations

DOCS = Path(__file__).parent.parent / "docs"
QUOTED = re.compile(r"\[TC\d{3}\] .*")


def _pattern(template: str) -> re.Pattern[str]:
    parts = []
    for literal, field, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(".+?")
    return re.compile("".join(parts))


TEMPLATES = [
    _pattern(violations.TIME_LIMIT_MESSAGE),
    _pattern(violations.RESOURCE_MESSAGE),
]


def quoted_messages() -> list[tuple[str, str]]:
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        if "_build" in page.parts:
            continue
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            match = QUOTED.search(line)
            if match and "See https://" in line:
                found.append((f"{page.relative_to(DOCS)}:{number}", match.group(0)))
    return found


def test_the_guide_quotes_messages() -> None:
    assert len(quoted_messages()) >= 3


@pytest.mark.parametrize(("where", "message"), quoted_messages())
def test_quoted_message_matches_a_current_template(where: str, message: str) -> None:
    assert any(t.fullmatch(message) for t in TEMPLATES), f"{where} quotes an outdated message"


@pytest.mark.parametrize(("where", "message"), quoted_messages())
def test_quoted_message_links_to_its_own_code(where: str, message: str) -> None:
    code = message[1:6]
    kind = violations.kind_from_name(code)
    assert message.endswith(violations.docs_url(kind)), where
