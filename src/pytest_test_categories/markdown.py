"""Markdown pages as pytest modules (stub, filled in by the guide work)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest


def collect_file(
    file_path: Path, parent: pytest.Collector, patterns: Sequence[str]
) -> pytest.Collector | None:
    return None
