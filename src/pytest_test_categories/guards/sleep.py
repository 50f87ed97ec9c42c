"""Guard: sleep (stub, filled in by the isolation work)."""

from __future__ import annotations

from ..isolation import Guard
from ..violations import Kind

GUARD = Guard(Kind.SLEEP)
