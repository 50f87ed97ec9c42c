"""The test pyramid: how the tests of a run split into sizes, and whether that split holds.

The pyramid is measured over the sized tests that ran (unsized tests have no size to count).
Each group of sizes has a target share and a tolerance (:data:`config.TARGET_GROUPS`): the
small group must reach at least ``target - tolerance``; every bigger group may have at most
``target + tolerance``. More small tests never breaks the pyramid.

This module also holds the optional rule that every test has a size
(``test_categories_require_size``), since it is about what the suite is made of.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

import pytest

from ._words import plural
from .config import SETTINGS_KEY, TARGET_GROUPS, Target
from .sizes import SizeSpec

#: The group whose share has a floor; every other group has a ceiling.
FLOOR_GROUP = "small"

_EPSILON = 1e-9

REQUIRE_SIZE_MESSAGE = (
    "{nodeid} has no size, and test_categories_require_size is on. Give it one: decorate it "
    "with @pytest.mark.small (or medium, large, xlarge), derive its class from SmallTest "
    "(or MediumTest, LargeTest, XLargeTest; from pytest_test_categories import SmallTest), "
    "or set pytestmark = pytest.mark.small in its module."
)

OFF_TARGET_MESSAGE = (
    "The test pyramid is off target for {sizes}, over {sized} sized tests "
    "({counts}{unsized}):\n{details}\n"
    "Change the targets with test_categories_distribution_targets and "
    "test_categories_distribution_tolerances, or stop the check with "
    "test_categories_distribution_enforcement = off."
)

STRICT_REASON = "The run fails: test_categories_distribution_enforcement is strict."

WARNING_AS_ERROR_REASON = (
    "The run fails: filterwarnings turns the DistributionWarning of "
    "test_categories_distribution_enforcement = warn into an error."
)

STOPPED_EARLY_MESSAGE = (
    "The test pyramid was not checked: the run stopped early ({ran} of {collected} tests ran)."
)


class DistributionWarning(pytest.PytestWarning):
    """The test pyramid is off target, with ``test_categories_distribution_enforcement = warn``."""


class Group(NamedTuple):
    """One group of sizes in the pyramid, as measured in one run."""

    name: str
    sizes: tuple[str, ...]
    count: int  # type: ignore[assignment]  # shadows tuple.count, which nothing here calls
    percent: float
    target: Target

    @property
    def minimum(self) -> float | None:
        """The lowest share (percent) the group may have: only the small group has a floor."""
        if self.name == FLOOR_GROUP:
            return max(self.target.percent - self.target.tolerance, 0.0)
        return None

    @property
    def maximum(self) -> float | None:
        """The highest share (percent) the group may have: every other group has a ceiling."""
        if self.name == FLOOR_GROUP:
            return None
        return min(self.target.percent + self.target.tolerance, 100.0)

    @property
    def off_by(self) -> float:
        """How many percentage points the share is outside its bound; 0 when it holds."""
        low, high = self.minimum, self.maximum
        if low is not None and self.percent < low - _EPSILON:
            return low - self.percent
        if high is not None and self.percent > high + _EPSILON:
            return self.percent - high
        return 0.0

    @property
    def ok(self) -> bool:
        return self.off_by == 0.0


class Pyramid(NamedTuple):
    """The shares of one run's sized tests and how they compare with the targets."""

    groups: tuple[Group, ...]
    sized: int
    unsized: int

    @property
    def ok(self) -> bool:
        """True when every group is within its bound, or when no test had a size."""
        return self.sized == 0 or all(group.ok for group in self.groups)

    @property
    def status(self) -> str:
        if self.sized == 0:
            return "no-sized-tests"
        return "ok" if self.ok else "off-target"

    def message(self) -> str:
        """Why the pyramid is off target and what would fix it; empty when it holds."""
        if self.ok:
            return ""
        off = [group for group in self.groups if not group.ok]
        names = [group.name for group in off]
        return OFF_TARGET_MESSAGE.format(
            sizes=names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}",
            sized=self.sized,
            counts=", ".join(f"{group.count} {group.name}" for group in self.groups),
            unsized=f"; {self.unsized} unsized not counted" if self.unsized else "",
            details="\n".join(f"  {_explain(group, self)}" for group in off),
        )


def measure(counts: Mapping[str, int], targets: tuple[tuple[str, Target], ...]) -> Pyramid:
    """Compare the number of tests per size (``{"small": 5, ...}``) with ``targets``."""
    per_group = {
        name: sum(counts.get(size.value, 0) for size in TARGET_GROUPS[name]) for name, _ in targets
    }
    sized = sum(per_group.values())
    groups = tuple(
        Group(
            name,
            tuple(size.value for size in TARGET_GROUPS[name]),
            per_group[name],
            100.0 * per_group[name] / sized if sized else 0.0,
            target,
        )
        for name, target in targets
    )
    return Pyramid(groups, sized, counts.get("unsized", 0))


def format_points(value: float) -> str:
    """A number of percentage points, never shown as 0.0 when it is not zero."""
    text = f"{value:.1f}"
    return f"{value:.2g}" if text == "0.0" and value > 0 else text


def _ceil(value: float) -> int:
    return max(math.ceil(value - _EPSILON), 0)


def _explain(group: Group, pyramid: Pyramid) -> str:
    """One line: the group's share, its bound, how far off, and the smallest fixes."""
    total = pyramid.sized
    bound = f"(target {group.target.percent:g} % ± {group.target.tolerance:g})"
    others = " or ".join(g.name for g in pyramid.groups if g is not group)
    off = format_points(group.off_by)
    # Close to its bound, a share needs more digits than one decimal to show it is off.
    share = f"{group.percent:.3f} %" if group.off_by < 0.05 else f"{group.percent:.1f} %"
    if group.minimum is not None:
        floor = group.minimum / 100.0
        convert = _ceil(floor * total - group.count)
        one = "a small one" if convert == 1 else "small ones"
        fixes = [f"turn at least {plural(convert, others + ' test')} into {one}"]
        if floor < 1.0:
            add = _ceil((floor * total - group.count) / (1.0 - floor))
            fixes.insert(0, f"add at least {plural(add, group.name + ' test')}")
        where = f"below its minimum of {group.minimum:g} %"
    else:
        assert group.maximum is not None
        ceiling = group.maximum / 100.0
        convert = _ceil(group.count - ceiling * total)
        one, them = ("a smaller one", "it") if convert == 1 else ("smaller ones", "them")
        fixes = [
            f"turn at least {plural(convert, group.name + ' test')} into {one} (split {them}, "
            f"mock or fake what makes {them} {group.name})"
        ]
        if ceiling > 0.0:
            add = _ceil(group.count / ceiling - total)
            fixes.append(f"add at least {plural(add, FLOOR_GROUP + ' test')}")
        where = f"above its maximum of {group.maximum:g} %"
    return f"{group.name}: {share}, {off} points {where} {bound}. To fix it: {', or '.join(fixes)}."


def require_sizes(
    session: pytest.Session, items: list[pytest.Item], key: pytest.StashKey[SizeSpec | None]
) -> None:
    """With ``test_categories_require_size``, make every unsized item a collection error."""
    if not session.config.stash[SETTINGS_KEY].require_size:
        return
    unsized = [item for item in items if item.stash.get(key, None) is None]
    for item in unsized:
        message = REQUIRE_SIZE_MESSAGE.format(nodeid=item.nodeid)
        report = pytest.CollectReport(item.nodeid, "failed", message, [])
        session.ihook.pytest_collectreport(report=report)
    missing = set(map(id, unsized))
    items[:] = [item for item in items if id(item) not in missing]
