"""Benchmark: the plugin's cost over plain pytest, running a small suite and collecting a big one.

Run it with ``nox -s bench`` (or ``python tests/bench.py`` in an environment with the tests
dependency group). It has three sections; ``--section`` picks some, and all run by default.

``run``
    Writes 2,000 trivial tests (80 % small, 15 % medium, 5 % large, about 10 % async), then runs
    ``pytest -q`` on them with the plugin (enforcement off, strict, and with a JSON report) and
    with ``-p no:test_categories``.
``collect``
    Writes a suite of 30,000 items (``--items``), most of them unmarked, as in a suite that has
    not adopted sizes yet, with parametrized tests, test classes and some sized modules, then
    runs ``pytest --co -q`` on it with and without the plugin.
``import``
    Times ``import pytest_test_categories.plugin`` after ``import pytest`` with
    ``python -X importtime``: the plugin's own cost at start-up.

The two sides alternate, each plugin run paired with the plain run just before it, so machine
noise hits both alike; the figure is the median of the paired ratios, with the lowest and
highest ratio as its spread. The run section also prints the overhead per test and the ratio of
CPU times (a steadier figure on a busy machine).

Bytecode caching is switched on for the timed runs, as it is for most users, so both sides start
from cached, assertion-rewritten bytecode.
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
from collections.abc import Callable
from functools import partial
from pathlib import Path

TESTS = 2000
PER_FILE = 100
LARGE_ITEMS = 30_000

CONFIGURATIONS = {
    "off": [],
    "strict": ["--test-categories-enforcement=strict"],
    "json": ["--test-size-report=json", "--test-size-report-file=report.json"],
}

PLAIN = ["-p", "no:test_categories"]

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


def write_large_suite(root: Path, items: int) -> None:
    """About ``items`` items in files of 100: 50 functions, a class of 20, one test x 30 params.

    One file in ten is sized by its ``pytestmark``, and two functions per file by a decorator;
    the rest (about 88 %) are unmarked.
    """
    (root / "pytest.ini").write_text(INI)
    package = root / "tests"
    for file_number in range(items // 100):
        folder = package / f"area_{file_number // 50:02}"
        folder.mkdir(parents=True, exist_ok=True)
        lines = ["import pytest", ""]
        if file_number % 10 == 0:
            lines += ["pytestmark = pytest.mark.small", ""]
        for index in range(50):
            if index % 25 == 0:
                lines.append("@pytest.mark.medium")
            lines += [f"def test_function_{index}():", "    pass", ""]
        lines.append("class TestGroup:")
        for index in range(20):
            lines += [f"    def test_method_{index}(self):", "        pass", ""]
        lines += ['@pytest.mark.parametrize("value", range(30))', "def test_cases(value):"]
        lines += ["    pass", ""]
        (folder / f"test_module_{file_number:03}.py").write_text("\n".join(lines))


def timed_run(root: Path, arguments: list[str], expect: str) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one pytest run."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run(
        [*command, *arguments], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode != 0 or expect not in completed.stdout:
        sys.exit(
            f"benchmark run failed: {' '.join(arguments)}\n{completed.stdout}\n{completed.stderr}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def paired(
    rounds: int, plain: Callable[[], tuple[float, float]], plugin: Callable[[], tuple[float, float]]
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Alternate the two sides ``rounds`` times; each plugin run follows its plain run."""
    plain_runs: list[tuple[float, float]] = []
    plugin_runs: list[tuple[float, float]] = []
    for _ in range(rounds):
        plain_runs.append(plain())
        plugin_runs.append(plugin())
    return plain_runs, plugin_runs


def ratios(plain: list[tuple[float, float]], plugin: list[tuple[float, float]]) -> str:
    """``median (lowest-highest)`` of the paired wall-time ratios."""
    values = [mine[0] / base[0] for base, mine in zip(plain, plugin, strict=True)]
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def run_section(rounds: int, chosen: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="tc-bench-") as folder:
        root = Path(folder)
        write_suite(root)
        expect = f"{TESTS} passed"
        for extra in ([], PLAIN):
            timed_run(root, extra, expect)  # write the bytecode caches, warm the file system cache
        print(f"run: {TESTS} tests, {rounds} alternating rounds, python {sys.version.split()[0]}")
        header = f"{'configuration':<14}{'plain (s)':>11}{'plugin (s)':>12}"
        print(f"{header}  {'ratio (spread)':<22}{'µs/test':>8}{'cpu ratio':>11}")
        for name in chosen:
            plain, plugin = paired(
                rounds,
                partial(timed_run, root, PLAIN, expect),
                partial(timed_run, root, CONFIGURATIONS[name], expect),
            )
            base = statistics.median(wall for wall, _ in plain)
            mine = statistics.median(wall for wall, _ in plugin)
            cpu = statistics.median(c for _, c in plugin) / statistics.median(c for _, c in plain)
            per_test = (mine - base) / TESTS * 1e6
            print(
                f"{name:<14}{base:>11.3f}{mine:>12.3f}  {ratios(plain, plugin):<22}"
                f"{per_test:>8.1f}{cpu:>11.3f}"
            )


def collect_section(rounds: int, items: int) -> None:
    with tempfile.TemporaryDirectory(prefix="tc-bench-collect-") as folder:
        root = Path(folder)
        write_large_suite(root, items)
        expect = f"{items // 100 * 100} tests collected"
        for extra in ([], PLAIN):
            timed_run(root, ["--co", *extra], expect)  # bytecode caches, file system cache
        print(f"collect: {items} items (about 88 % unmarked), {rounds} alternating rounds")
        plain, plugin = paired(
            rounds,
            partial(timed_run, root, ["--co", *PLAIN], expect),
            partial(timed_run, root, ["--co"], expect),
        )
        base = statistics.median(wall for wall, _ in plain)
        mine = statistics.median(wall for wall, _ in plugin)
        print(f"{'pytest --co':<14}{'plain (s)':>11}{'plugin (s)':>12}  ratio (spread)")
        print(f"{'':<14}{base:>11.3f}{mine:>12.3f}  {ratios(plain, plugin)}")


def import_section(rounds: int) -> None:
    """What importing the plugin costs at start-up, from ``python -X importtime``."""
    code = "import pytest; import pytest_test_categories.plugin"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    command = [sys.executable, "-X", "importtime", "-c", code]
    subprocess.run(command, env=env, capture_output=True, check=True)  # bytecode caches
    times = []
    for _ in range(rounds * 3):
        stderr = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stderr
        line = next(
            line for line in stderr.splitlines() if line.endswith("| pytest_test_categories.plugin")
        )
        times.append(int(line.split("|")[1]) / 1000)  # the cumulative column, in microseconds
    print(f"import: the plugin over pytest, {len(times)} runs of python -X importtime")
    spread = f"lowest {min(times):.1f}, highest {max(times):.1f}"
    print(f"{'':<14}median {statistics.median(times):.1f} ms ({spread})")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11, help="runs of each side (default 11)")
    parser.add_argument(
        "--section",
        choices=["run", "collect", "import"],
        action="append",
        help="sections (default all)",
    )
    parser.add_argument(
        "--only", choices=sorted(CONFIGURATIONS), action="append", help="run-section configurations"
    )
    parser.add_argument(
        "--items", type=int, default=LARGE_ITEMS, help=f"collect-section items ({LARGE_ITEMS:,})"
    )
    arguments = parser.parse_args()
    sections = arguments.section or ["run", "collect", "import"]
    if "run" in sections:
        run_section(arguments.rounds, arguments.only or list(CONFIGURATIONS))
    if "collect" in sections:
        collect_section(arguments.rounds, arguments.items)
    if "import" in sections:
        import_section(arguments.rounds)


if __name__ == "__main__":
    main()
