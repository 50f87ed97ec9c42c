"""The pytest hooks. Nothing else lives here: each hook hands over to the module that knows."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from . import config as options
from . import distribution, reports, runstate, sizes, timing, verdict
from .runstate import ActiveTest
from .violations import TimeLimitExceeded, shorten_crash_message

SIZE_KEY = sizes.SPEC_KEY
ALARM_KEY = pytest.StashKey[timing.Alarm]()


def pytest_addoption(parser: pytest.Parser) -> None:
    options.add_options(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    sizes.register_markers(config)
    settings = options.resolve(config)
    config.stash[options.SETTINGS_KEY] = settings
    alarm = timing.Alarm(enabled=not config.getoption("usepdb", False))
    alarm.install()
    config.stash[ALARM_KEY] = alarm
    if config.getoption("dist", "no") != "no" and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_ControllerHooks(), "test-categories-controller")
    if settings.enforcement is not options.Mode.OFF:
        from . import isolation  # only then: with isolation off, nothing of it is loaded

        isolation.install(settings.allowances)


def pytest_unconfigure(config: pytest.Config) -> None:
    alarm = config.stash.get(ALARM_KEY, None)
    if alarm is not None:
        alarm.uninstall()
    isolation = sys.modules.get(f"{__package__}.isolation")
    if isolation is not None and config.stash.get(options.SETTINGS_KEY, None) is not None:
        isolation.uninstall()
    runstate.current = None


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    patterns = parent.config.stash[options.SETTINGS_KEY].markdown_patterns
    if not patterns or file_path.suffix.lower() not in (".md", ".markdown"):
        return None
    from . import markdown

    return markdown.collect_file(file_path, parent, patterns)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    bad_timeouts: list[str] = []
    conflicts: list[pytest.Item] = []
    for item in items:
        try:
            item.stash[SIZE_KEY] = sizes.resolve(item)
        except sizes.SizeConflict as error:
            item.stash[SIZE_KEY] = None
            conflicts.append(item)
            report = pytest.CollectReport(item.nodeid, "failed", str(error), [])
            session.ihook.pytest_collectreport(report=report)
        except sizes.SizeError as error:
            bad_timeouts.append(str(error))
    if bad_timeouts:
        raise pytest.UsageError("\n".join(bad_timeouts))
    for item in conflicts:
        items.remove(item)
    distribution.require_sizes(session, items, SIZE_KEY)
    reports.collected(items, SIZE_KEY)


#: (config, isolating, strict, alarm) of the session that started the last test.
_flags: tuple[object, bool, bool, bool] = (None, False, False, False)


def _session_flags(config: pytest.Config) -> tuple[object, bool, bool, bool]:
    global _flags
    if _flags[0] is not config:
        enforcement = config.stash[options.SETTINGS_KEY].enforcement
        _flags = (
            config,
            enforcement is not options.Mode.OFF,
            enforcement is options.Mode.STRICT,
            config.stash[ALARM_KEY].installed,
        )
    return _flags


def _start(item: pytest.Item) -> ActiveTest:
    test = runstate.current
    if test is None or test.item is not item:
        spec = item.stash.get(SIZE_KEY, None)
        _, isolating, strict, alarm = _session_flags(item.config)
        test = ActiveTest(
            item,
            spec.size if spec else None,
            spec.limit if spec else None,
            isolating=isolating,
            strict=strict,
            alarm=alarm,
            expected=item.stash.get(verdict.EXPECTED_KEY, None),
        )
        runstate.current = test
        if test.isolating:
            from . import isolation

            isolation.test_started()
    return test


def _phase(item: pytest.Item) -> Generator[None, Any, Any]:
    __tracebackhide__ = True
    test = _start(item)
    test.start()
    try:
        return (yield)
    except (asyncio.CancelledError, TimeLimitExceeded) as error:
        if test.fired and not isinstance(error, TimeLimitExceeded):
            raise TimeLimitExceeded(timing.time_violation_of(test)) from error
        raise
    finally:
        test.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, Any, Any]:
    __tracebackhide__ = True
    return (yield from _phase(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    __tracebackhide__ = True
    return (yield from _phase(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, Any, Any]:
    __tracebackhide__ = True
    return (yield from _phase(item))


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any]) -> Generator[None, Any, Any]:
    __tracebackhide__ = True
    test = runstate.current
    if test is None or fixturedef.scope == "function":
        return (yield)
    test.pause()
    try:
        return (yield)
    finally:
        test.resume()
        # Its teardown, whenever it comes, is not the running test's either.
        fixturedef.addfinalizer(_pause_current)


def _pause_current() -> None:
    if runstate.current is not None:
        runstate.current.pause()


def pytest_fixture_post_finalizer(fixturedef: pytest.FixtureDef[Any]) -> None:
    if runstate.current is not None and fixturedef.scope != "function":
        runstate.current.resume()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    test = runstate.current
    if test is not None and test.item is item:
        if call.when == "teardown":
            test.disarm()
            runstate.current = None
        if test.violations or test.expected is not None or test.over_limit():
            verdict.judge(item, call, report, test)
        if call.excinfo is not None and report.failed:
            shorten_crash_message(report, call.excinfo.value)
    if call.when == "teardown" or not report.passed or hasattr(report, "wasxfail"):
        reports.note_phase(item, report, test)  # a passing setup or call changes no record
    return report


def pytest_enter_pdb(config: pytest.Config) -> None:
    test = runstate.current
    if test is not None:
        test.debugging = True
        test.disarm()


def pytest_sessionstart(session: pytest.Session) -> None:
    reports.session_started(session)


class _ControllerHooks:
    """Registered only in pytest-xdist's controller, which receives its workers' reports."""

    @staticmethod
    def pytest_runtest_logreport(report: pytest.TestReport) -> None:
        reports.logged_in_controller(report)

    @staticmethod
    def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
        reports.collection_order(ids)


def pytest_sessionfinish(session: pytest.Session) -> None:
    reports.session_finished(session)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    reports.terminal_summary(terminalreporter)
