"""Everything at once: xdist, randomly, hypothesis, freezegun and anyio in one strict run."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Suite

SOURCE = """
import datetime

import anyio
import pytest
from freezegun import freeze_time
from hypothesis import given, strategies as st


@pytest.mark.small
@given(st.integers(min_value=0, max_value=10**6))
def test_property(n):
    assert int(str(n)) == n


@pytest.mark.small
@freeze_time("2024-01-01")
def test_frozen():
    assert datetime.date.today().year == 2024


@pytest.fixture
def anyio_backend():
    return "asyncio"  # both backends: test_anyio.py


@pytest.mark.small
@pytest.mark.anyio
async def test_async():
    await anyio.sleep(0.01)


@pytest.mark.small
@pytest.mark.parametrize("n", range(6))
def test_plain(n):
    assert n * 0 == 0


@pytest.mark.small
def test_connects():
    import socket
    socket.create_connection(("127.0.0.1", 9))


@pytest.mark.medium
def test_medium(tmp_path):
    (tmp_path / "f").write_text("ok")
"""


def test_the_whole_ecosystem_in_one_parallel_run(suite: Suite) -> None:
    result = suite(SOURCE, "-n", "2", "-p", "randomly", "--randomly-seed=7")
    result.assert_outcomes(passed=10, failed=1)
    assert suite.failed_with(result, "test_connects", "TC101")
    result.stdout.fnmatch_lines(["sizes: 10 small · 1 medium"])
