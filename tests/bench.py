"""Benchmark: the plugin's cost over plain pytest, on a generated suite of 2,000 trivial tests.

Run it with ``nox -s bench`` (or ``python tests/bench.py`` in an environment with the tests
dependency group). It writes the suite to a temporary folder (80 % small, 15 % medium, 5 % large,
about 10 % async), then times ``pytest -q`` on it with the plugin and with
``-p no:test_categories``, alternating the two, and prints the median wall times, their ratio and
the overhead per test. Each configuration of the plugin is measured against its own plain runs
in the same loop, so machine noise hits both sides alike.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TESTS = 2000
PER_FILE = 100

CONFIGURATIONS = {
    "off": [],
    "strict": ["--test-categories-enforcement=strict"],
    "json": ["--test-size-report=json", "--test-size-report-file=report.json"],
}

INI = """\
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
markers =
    small: small test
    medium: medium test
    large: large test
    xlarge: xlarge test
"""


def size_of(index: int) -> str:
    slot = index % 20  # 16 small, 3 medium, 1 large in every 20 tests
    return "small" if slot < 16 else "medium" if slot < 19 else "large"


def write_suite(root: Path) -> None:
    (root / "pytest.ini").write_text(INI)
    for file_number in range(TESTS // PER_FILE):
        lines = ["import pytest", ""]
        for offset in range(PER_FILE):
            index = file_number * PER_FILE + offset
            is_async = index % 10 == 7
            lines += [
                f"@pytest.mark.{size_of(index)}",
                f"{'async ' if is_async else ''}def test_{index}():",
                f"    assert {index} + 1 == {index + 1}",
                "",
            ]
        (root / f"test_generated_{file_number:02}.py").write_text("\n".join(lines))


def timed_run(root: Path, extra: list[str]) -> float:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    started = time.perf_counter()
    completed = subprocess.run(
        [*command, *extra], cwd=root, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0 or f"{TESTS} passed" not in completed.stdout:
        sys.exit(f"benchmark run failed: {' '.join(extra)}\n{completed.stdout}\n{completed.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="runs of each side (default 7)")
    parser.add_argument(
        "--only", choices=sorted(CONFIGURATIONS), action="append", help="configurations to time"
    )
    arguments = parser.parse_args()
    chosen = arguments.only or list(CONFIGURATIONS)
    with tempfile.TemporaryDirectory(prefix="tc-bench-") as folder:
        root = Path(folder)
        write_suite(root)
        timed_run(root, [])  # warm the file system cache and the bytecode caches
        print(
            f"{TESTS} tests, {arguments.rounds} alternating rounds, python {sys.version.split()[0]}"
        )
        print(
            f"{'configuration':<14}{'plain (s)':>11}{'plugin (s)':>12}{'ratio':>8}{'µs/test':>10}"
        )
        for name in chosen:
            plain: list[float] = []
            plugin: list[float] = []
            for _ in range(arguments.rounds):
                plain.append(timed_run(root, ["-p", "no:test_categories"]))
                plugin.append(timed_run(root, CONFIGURATIONS[name]))
            base, with_plugin = statistics.median(plain), statistics.median(plugin)
            per_test = (with_plugin - base) / TESTS * 1e6
            print(
                f"{name:<14}{base:>11.3f}{with_plugin:>12.3f}"
                f"{with_plugin / base:>8.3f}{per_test:>10.1f}"
            )


if __name__ == "__main__":
    main()
