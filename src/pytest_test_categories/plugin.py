"""The pytest hooks. Nothing else lives here: each hook hands over to the module that knows."""

from __future__ import annotations

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
EXPECTED = verdict.EXPECTED_KEY
UNSIZED = reports.UNSIZED
ISOLATION = f"{__package__}.isolation"
#: The JUnit XML property that holds each test's size.
JUNIT = reports.JUNIT_PROPERTY
TIMER_KEY = pytest.StashKey[timing.Timer]()
#: The test that was running when this session began: a run inside a test (pytester, in-process).
OUTER_KEY = pytest.StashKey[ActiveTest | None]()


def pytest_addoption(parser: pytest.Parser) -> None:
    options.add_options(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    sizes.register_markers(config)
    settings = options.resolve(config)
    config.stash[options.SETTINGS_KEY] = settings
    config.stash[OUTER_KEY] = runstate.current
    timer = timing.Timer(not config.getoption("usepdb", False), settings.hard_stop)
    timer.install()
    config.stash[TIMER_KEY] = timer
    config.stash[runstate.FLAGS_KEY] = runstate.SessionFlags(
        config,
        isolating=settings.enforcement is not options.Mode.OFF,
        strict=settings.enforcement is options.Mode.STRICT,
        alarm=timer.installed,
        observing=settings.suggest,
    )
    if config.getoption("dist", "no") != "no" and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_ControllerHooks(), "test-categories-controller")
    if settings.enforcement is not options.Mode.OFF or settings.suggest:
        from . import isolation  # only then: with isolation off, nothing of it is loaded

        isolation.install(settings.allowances)


def pytest_unconfigure(config: pytest.Config) -> None:
    timer = config.stash.get(TIMER_KEY, None)
    if timer is not None:
        timer.uninstall(outermost=config.stash.get(OUTER_KEY, None) is None)
    isolation = sys.modules.get(ISOLATION)
    if isolation is not None and config.stash.get(options.SETTINGS_KEY, None) is not None:
        isolation.uninstall()
    runstate.current = outer = config.stash.get(OUTER_KEY, None)
    if outer is not None:  # back to the test this run ran in: its isolation, its limit
        if outer.isolating and isolation is not None:
            isolation.install(outer.item.config.stash[options.SETTINGS_KEY].allowances)
            isolation.test_started()
        outer.watch_again()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    patterns = parent.config.stash[options.SETTINGS_KEY].markdown_patterns
    if not patterns or file_path.suffix.lower() not in (".md", ".markdown"):
        return None
    from . import markdown

    return markdown.collect_file(file_path, parent, patterns)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> Generator[None, None, None]:
    # The whole suite, before any plugin deselects: the shards of one run share it.
    reports.suite_collected(session, items)
    return (yield)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    # Not in pytest_collection_modifyitems: a conftest or plugin may still be adding size markers
    # there (trylast, or a wrapper), and -k/-m deselect there. Here every item is final.
    items = session.items
    bad_timeouts: list[str] = []
    conflicts: list[pytest.Item] = []
    resolve = sizes.resolve
    for item in items:
        try:
            spec = resolve(item)
        except sizes.SizeConflict as error:
            conflicts.append(item)
            report = pytest.CollectReport(item.nodeid, "failed", str(error), [])
            session.ihook.pytest_collectreport(report=report)
            continue
        except sizes.SizeError as error:
            bad_timeouts.append(str(error))
            continue
        # Stored for unsized items too: Stash.get raises and catches KeyError on a miss,
        # which costs more than the store.
        item.stash[SIZE_KEY] = spec
        item.user_properties.append((JUNIT, spec.size._value_ if spec else UNSIZED))
    if bad_timeouts:
        raise pytest.UsageError("\n".join(bad_timeouts))
    for item in conflicts:
        items.remove(item)
    distribution.require_sizes(session, items, SIZE_KEY)


def _start(item: pytest.Item) -> ActiveTest:
    test = runstate.current
    if test is None or test.item is not item:
        stash = item.stash
        try:
            spec = stash[SIZE_KEY]
        except KeyError:  # an item that was not collected (pytester's inline items)
            spec = None
        flags = runstate.flags(item.config)
        expected = None
        if EXPECTED in stash:  # not stash.get: its miss raises and catches a KeyError
            expected = stash[EXPECTED]
        test = ActiveTest(
            item,
            spec.size if spec else None,
            spec.limit if spec else None,
            isolating=flags.isolating,
            strict=flags.strict,
            alarm=flags.alarm,
            expected=expected,
            observing=flags.observing,
        )
        runstate.current = test
        if test.isolating:  # isolation was installed with the session (pytest_configure)
            sys.modules[ISOLATION].test_started()  # not an import statement: one per test
    return test


# Setup is a plain hook, not a wrapper: run first, it is cheaper, and it is not in the traceback
# of a fixture that fails.
@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _start(item)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    __tracebackhide__ = True
    test = _start(item)
    test.start()
    try:
        return (yield)
    except BaseException as error:
        if not (test.stopped and timing.cancelled(error)):
            raise
        # Cancelled by the time limit: say so, at the line where the test was waiting.
        violation = timing.time_violation_of(test)
        raise TimeLimitExceeded(violation).with_traceback(error.__traceback__) from None
    finally:
        test.stop()


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(
    fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
) -> Generator[None, Any, Any]:
    __tracebackhide__ = True
    test = runstate.current
    if test is None and fixturedef.scope == "function":
        return (yield)
    timing.fixture_setup_begins(fixturedef, request.config, test)
    try:
        return (yield)
    except TimeLimitExceeded as error:
        timing.cache_failure(fixturedef, request, error)
        raise
    finally:
        timing.fixture_setup_ends(fixturedef, request.config, test)


def pytest_fixture_post_finalizer(fixturedef: pytest.FixtureDef[Any]) -> None:
    timing.fixture_torn_down(fixturedef)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    test = runstate.current
    when = call.when
    if test is not None and test.item is item:
        if test.violations or test.expected is not None or test.over_limit():
            verdict.judge(item, call, report, test)
        if call.excinfo is not None and report.outcome == "failed":
            shorten_crash_message(report, call.excinfo.value)
        if when == "teardown":
            runstate.current = None
            timing.check_timer()  # the next test starts with the timer as the plugin set it
        elif test.stopped:  # the test failed its limit: its cleanup gets a bound of its own
            test.fresh_bound()
    if when == "teardown" or report.outcome != "passed" or hasattr(report, "wasxfail"):
        reports.note_phase(item, report, test)  # a passing setup or call changes no record
    return report


def pytest_enter_pdb(config: pytest.Config) -> None:
    test = runstate.current
    if test is not None:
        test.debugging = True


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

    @staticmethod
    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(node: Any, error: object) -> None:
        reports.worker_finished(getattr(node, "workeroutput", None) or {})


def pytest_sessionfinish(session: pytest.Session) -> None:
    reports.session_finished(session)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    reports.terminal_summary(terminalreporter)
