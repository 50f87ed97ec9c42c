"""pytest-test-categories: test sizes, time limits that interrupt, isolation, the test pyramid."""

from __future__ import annotations

import sys
from typing import Any

# pytest rewrites the asserts of every module of an installed plugin and loads each from its
# own cache, several times slower than a normal import; this package has no asserts for it to
# explain. So the package takes itself off the rewriter's private list (``_must_rewrite``, a set
# on ``AssertionRewritingHook``, pytest 9.2). Not in ``_compat``, with the other private
# touches: it must run before the package imports any module of its own. If the rewriter looks
# different, the package is simply rewritten.
for _finder in sys.meta_path:
    _marked = getattr(_finder, "_must_rewrite", None)
    if type(_finder).__module__ == "_pytest.assertion.rewrite" and isinstance(_marked, set):
        _marked.discard(__name__)

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
