"""The pytest hooks. Nothing else lives here: each hook hands over to the module that knows."""

from __future__ import annotations

import contextlib
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from . import _compat, distribution, reports, runstate, sizes, timing, verdict
from . import config as options
from .runstate import ActiveTest
from .violations import TimeLimitExceeded, shorten_crash_message

#: What a session set up (timer, isolation, no outer test running), undone at unconfigure.
SESSION_KEY = pytest.StashKey[contextlib.ExitStack]()
#: What a test's setup entered (:func:`.runstate.running`), left after its teardown. Not a
#: ``with`` around pytest_runtest_protocol: pytest-rerunfailures runs a test's setup, call and
#: teardown several times in one protocol, and each run is a test of its own.
RUNNING_KEY = pytest.StashKey[contextlib.ExitStack]()


def pytest_addoption(parser: pytest.Parser) -> None:
    options.add_options(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    sizes.register_markers(config)
    settings = options.resolve(config)
    config.stash[options.SETTINGS_KEY] = settings
    config.stash[SESSION_KEY] = session = contextlib.ExitStack()
    config.stash[runstate.ALARM_KEY] = session.enter_context(timing.timer(config))
    if settings.enforcement is not options.Mode.OFF or settings.suggest:
        from . import isolation  # only then: with isolation off, nothing of it is loaded

        session.enter_context(isolation.installed())
    # A pytest run inside a test (pytester, in-process): that test waits until this run ends.
    session.enter_context(runstate.running(None))


def pytest_unconfigure(config: pytest.Config) -> None:
    session = config.stash.get(SESSION_KEY, None)
    if session is not None:
        session.close()


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    # A page's examples share its namespace: they run on one worker, whatever --dist says.
    if not config.stash[options.SETTINGS_KEY].markdown_patterns:
        return None
    from . import markdown

    return markdown.scheduler(config, log)


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
    for item in items:
        try:
            spec = sizes.resolve(item)
        except sizes.SizeConflict as error:
            conflicts.append(item)
            report = pytest.CollectReport(item.nodeid, "failed", str(error), [])
            session.ihook.pytest_collectreport(report=report)
            continue
        except sizes.SizeError as error:
            bad_timeouts.append(str(error))
            continue
        item.stash[sizes.SPEC_KEY] = spec
        item.user_properties.append(
            (reports.JUNIT_PROPERTY, str(spec.size if spec else reports.UNSIZED))
        )
    if bad_timeouts:
        raise pytest.UsageError("\n".join(bad_timeouts))
    for item in conflicts:
        items.remove(item)
    distribution.require_sizes(session, items, sizes.SPEC_KEY)


def _running(item: pytest.Item) -> ActiveTest | None:
    test = runstate.current
    return test if test is not None and test.item is item else None


# Setup is a plain hook, not a wrapper: run first, it is cheaper, and it is not in the traceback
# of a fixture that fails.
@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if _running(item) is None:
        item.stash[RUNNING_KEY] = stack = contextlib.ExitStack()
        stack.enter_context(runstate.running(ActiveTest(item)))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    __tracebackhide__ = True
    test = _running(item)
    if test is None:
        return (yield)
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
        _compat.cache_failure(fixturedef, request, error)
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
    test = _running(item)
    if test is not None:
        if test.violations or test.expected is not None or test.over_limit():
            verdict.judge(item, call, report, test)
        if call.excinfo is not None and report.outcome == "failed":
            shorten_crash_message(report, call.excinfo.value)
        if call.when == "teardown":
            item.stash[RUNNING_KEY].close()
            timing.check_timer()  # the next test starts with the timer as the plugin set it
        elif test.stopped:  # the test failed its limit: its cleanup gets a bound of its own
            test.fresh_bound()
    if call.when == "teardown" or report.outcome != "passed" or hasattr(report, "wasxfail"):
        reports.note_phase(item, report, test)  # a passing setup or call changes no record
    return report


def pytest_enter_pdb(config: pytest.Config) -> None:
    test = runstate.current
    if test is not None:
        test.debugging = True


def pytest_sessionstart(session: pytest.Session) -> None:
    reports.session_started(session)


def pytest_sessionfinish(session: pytest.Session) -> None:
    reports.session_finished(session)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    reports.terminal_summary(terminalreporter)
