"""pytest-test-categories: test sizes, time limits that interrupt, isolation, the test pyramid."""

from __future__ import annotations

import sys
from typing import Any


def _load_plainly() -> None:
    """Have the rest of the package imported the usual way, not through pytest's assert rewriter.

    pytest rewrites the asserts of every module of an installed plugin and loads each from its
    own cache with ``marshal.load`` on a file, several times slower than a normal import: about
    4 ms per run for this package, which has no asserts for pytest to explain. Only this
    package's name is taken off the rewriter's list; if pytest's rewriter looks different, the
    package is simply rewritten as before.
    """
    for finder in sys.meta_path:
        marked = getattr(finder, "_must_rewrite", None)
        if type(finder).__module__ == "_pytest.assertion.rewrite" and isinstance(marked, set):
            marked.discard(__name__)


_load_plainly()

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

__version__: str


def __getattr__(name: str) -> Any:
    # The version is read from the installed metadata only when asked for: a test run that
    # writes no JSON report never pays for the lookup.
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    global __version__
    try:
        __version__ = version("pytest-test-categories")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        __version__ = "0.0.0"
    return __version__


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
