"""The Sphinx extension refuses a site whose results do not match its pages.

Each warning names the page and line (so ``-W`` fails the build there): an example or test
with no result, a result for something no longer on the page (or a page that is gone), an
example that did not end as its page declares, and a block whose test would be lost.
"""

from __future__ import annotations

from pathlib import Path

from test_sphinx import GUIDE, SLEEP, Site, at, guide_records, mark, marks, record


def without(records: list[dict[str, object]], *nodeids: str) -> list[dict[str, object]]:
    return [r for r in records if r["nodeid"] not in nodeids]


def test_an_example_or_test_without_a_result_fails_the_build(tmp_path: Path) -> None:
    site = Site(tmp_path)
    doctest = at(GUIDE, "```{doctest}")
    hidden = at(GUIDE, "invisible-code-block")
    site.report(
        without(
            guide_records(),
            f"docs/guide.md::line-{doctest}",
            f"docs/guide.md::line-{hidden}",
            "docs/guide.md::test_helper",
        )
    )
    result = site.build()
    assert result.returncode != 0
    assert (
        f"guide.md:{doctest}: WARNING: line-{doctest} (docs/guide.md:{doctest}) has no result "
        "in the verification run"
    ) in result.stderr
    # Hidden code runs too, so its result is needed, though no mark shows it.
    assert f"guide.md:{hidden}: WARNING: line-{hidden} (docs/guide.md:{hidden}) has no" in (
        result.stderr
    )
    helper = at(GUIDE, "def test_helper")
    assert f"guide.md:{helper}: WARNING: test_helper (docs/guide.md:{helper}) has no" in (
        result.stderr
    )
    assert result.stderr.count("[test-categories.missing]") == 3
    # Without -W the page builds, and says so under the block.
    site.build(strict=False)
    assert marks(site.html("guide"))["test_helper"] == "missing"
    assert "no result in the verification run" in mark(site.html("guide"), f"line-{doctest}")


def test_a_result_for_something_no_longer_there_fails_the_build(tmp_path: Path) -> None:
    site = Site(tmp_path)
    site.report(
        [
            *guide_records(),
            record("docs/guide.md::test_renamed_since"),
            record("docs/guide.md::line-7"),
            record("docs/removed.md::line-3"),
            record("tests/test_unit.py::test_not_a_page"),  # not one of the site's pages
        ]
    )
    result = site.build()
    assert result.returncode != 0
    assert (
        "guide.md:1: WARNING: the verification run has a result for test_renamed_since "
        "(docs/guide.md), which is no longer on the page; run the pages again"
    ) in result.stderr
    assert "guide.md:7: WARNING: the verification run has a result for line-7" in result.stderr
    assert "has 1 result for removed, a page that is no longer there" in result.stderr
    assert "test_unit" not in result.stderr
    assert result.stderr.count("[test-categories.stale]") == 3


def test_an_example_that_did_not_end_as_declared_fails_the_build(tmp_path: Path) -> None:
    site = Site(tmp_path)
    tilde = at(GUIDE, "~~~py")
    records = without(guide_records(), f"docs/guide.md::line-{tilde}", "docs/guide.md::test_naps")
    site.report(
        [
            *records,
            record(f"docs/guide.md::line-{tilde}", "failed", duration=0.02),
            record("docs/guide.md::test_naps", "failed", violations=[SLEEP]),
        ]
    )
    result = site.build()
    assert result.returncode != 0
    assert (
        f"guide.md:{tilde}: WARNING: line-{tilde} (docs/guide.md:{tilde}) did not end as the "
        "page declares: failed after 0.02 s"
    ) in result.stderr
    naps = at(GUIDE, "def test_naps")
    assert f"guide.md:{naps}: WARNING: test_naps (docs/guide.md:{naps}) did not end" in (
        result.stderr
    )
    site.build(strict=False)
    html = site.html("guide")
    assert marks(html)[f"line-{tilde}"] == "failed"
    assert "violations.html#tc104" in mark(html, "test_naps")


def test_errors_and_unexpected_passes_did_not_end_as_declared_either(tmp_path: Path) -> None:
    site = Site(tmp_path)
    pycon = at(GUIDE, "```pycon")
    records = without(guide_records(), f"docs/guide.md::line-{pycon}", "docs/guide.md::test_helper")
    site.report(
        [
            *records,
            record(f"docs/guide.md::line-{pycon}", "error"),
            record("docs/guide.md::test_helper", "xpassed"),
        ]
    )
    result = site.build()
    assert result.returncode != 0
    assert "did not end as the page declares: error after 0.01 s" in result.stderr
    assert "did not end as the page declares: xpassed after 0.01 s" in result.stderr


def test_a_block_whose_test_would_be_lost_fails_the_build(tmp_path: Path) -> None:
    site = Site(tmp_path)
    text = GUIDE + "\n```pyhton\ndef test_lost():\n    pass\n```\n"
    site.write(guide=text)
    site.report(guide_records(text=text))
    result = site.build()
    assert result.returncode != 0
    typo = at(text, "```pyhton")
    assert f"guide.md:{typo}: WARNING: a test would be lost (docs/guide.md:{typo}): " in (
        result.stderr
    )
    assert "'pyhton' is no language Pygments knows" in result.stderr


def test_no_results_at_all_fail_the_build(tmp_path: Path) -> None:
    site = Site(tmp_path)
    result = site.build()
    assert result.returncode != 0
    assert "no verification results in " in result.stderr
    assert "docs/_build/results: run the pages with pytest --test-size-report=json" in (
        result.stderr
    )


def test_a_new_run_shows_on_the_next_build_without_e(tmp_path: Path) -> None:
    site = Site(tmp_path)
    site.report(guide_records())
    assert site.build().returncode == 0
    assert marks(site.html("guide"))["test_helper"] == "passed"
    records = without(guide_records(), "docs/guide.md::test_helper")
    site.report([*records, record("docs/guide.md::test_helper", "skipped", reason="no gears")])
    assert site.build().returncode == 0
    assert "skipped: no gears" in mark(site.html("guide"), "test_helper")
