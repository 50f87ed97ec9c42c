"""Benchmark: the plugin's cost over plain pytest, on a generated suite of 2,000 trivial tests.

Run it with ``nox -s bench`` (or ``python tests/bench.py`` in an environment with the tests
dependency group). It writes the suite to a temporary folder (80 % small, 15 % medium, 5 % large,
about 10 % async), then times ``pytest -q`` on it with the plugin and with
``-p no:test_categories``, alternating the two, and prints the median wall times, their ratio,
the overhead per test, and the ratio of CPU times (a steadier figure on a busy machine).

Bytecode caching is switched on for the timed runs, as it is for most users, so both sides start
from cached, assertion-rewritten bytecode. Each configuration of the plugin is measured against
its own plain runs in the same loop, so machine noise hits both sides alike.
"""

from __future__ import annotations

import argparse
import os
import resource
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


def timed_run(root: Path, extra: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one pytest run."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run(
        [*command, *extra], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode != 0 or f"{TESTS} passed" not in completed.stdout:
        sys.exit(f"benchmark run failed: {' '.join(extra)}\n{completed.stdout}\n{completed.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11, help="runs of each side (default 11)")
    parser.add_argument(
        "--only", choices=sorted(CONFIGURATIONS), action="append", help="configurations to time"
    )
    arguments = parser.parse_args()
    chosen = arguments.only or list(CONFIGURATIONS)
    with tempfile.TemporaryDirectory(prefix="tc-bench-") as folder:
        root = Path(folder)
        write_suite(root)
        for extra in ([], ["-p", "no:test_categories"]):
            timed_run(root, extra)  # write the bytecode caches, warm the file system cache
        version = sys.version.split()[0]
        print(f"{TESTS} tests, {arguments.rounds} alternating rounds, python {version}")
        header = f"{'configuration':<14}{'plain (s)':>11}{'plugin (s)':>12}{'ratio':>8}"
        print(f"{header}{'µs/test':>10}{'cpu ratio':>11}")
        for name in chosen:
            plain: list[tuple[float, float]] = []
            plugin: list[tuple[float, float]] = []
            for _ in range(arguments.rounds):
                plain.append(timed_run(root, ["-p", "no:test_categories"]))
                plugin.append(timed_run(root, CONFIGURATIONS[name]))
            base = statistics.median(wall for wall, _ in plain)
            mine = statistics.median(wall for wall, _ in plugin)
            cpu = statistics.median(c for _, c in plugin) / statistics.median(c for _, c in plain)
            per_test = (mine - base) / TESTS * 1e6
            print(
                f"{name:<14}{base:>11.3f}{mine:>12.3f}{mine / base:>8.3f}{per_test:>10.1f}"
                f"{cpu:>11.3f}"
            )


if __name__ == "__main__":
    main()
