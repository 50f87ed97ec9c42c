"""pytest-test-categories: test sizes, time limits that interrupt, isolation, the test pyramid."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .config import Mode, Settings
from .distribution import DistributionWarning
from .sizes import LargeTest, MediumTest, Size, SmallTest, XLargeTest
from .violations import (
    Kind,
    ResourceViolationError,
    TimeLimitExceeded,
    Violation,
    ViolationWarning,
)

try:
    __version__ = version("pytest-test-categories")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "DistributionWarning",
    "Kind",
    "LargeTest",
    "MediumTest",
    "Mode",
    "ResourceViolationError",
    "Settings",
    "Size",
    "SmallTest",
    "TimeLimitExceeded",
    "Violation",
    "ViolationWarning",
    "XLargeTest",
    "__version__",
]
