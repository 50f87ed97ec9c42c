"""Allowances: read-only paths for small tests, extra hosts for medium tests.

``test_categories_allow_read`` and ``test_categories_allow_hosts`` in the ini file, and the
same per test as ``allow_read=`` and ``allow_hosts=`` keywords of the size markers. Reading,
listing and stat'ing an allowed path works in a small test; writing there stays a violation.
Nothing here sends a packet off this machine: the "remote" hosts are TEST-NET addresses
reached with UDP ``connect``, which sends nothing.
"""

from __future__ import annotations

import ipaddress

import pytest

from conftest import outcome_of
from pytest_test_categories import allowances

READ = """
import os
import pathlib

import pytest
from pytest_test_categories import SmallTest

pytestmark = pytest.mark.small


def test_reads_lists_and_globs_the_data_folder():
    assert pathlib.Path("data/table.csv").read_text() == "a,b\\n"
    assert sorted(os.listdir("data")) == ["nested", "table.csv"]
    assert [p.name for p in pathlib.Path("data").glob("**/*.json")] == ["deep.json"]
    with open(os.path.abspath("data/nested/deep.json"), "rb") as f:
        assert f.read() == b"{}"


def test_writes_into_the_data_folder():
    pathlib.Path("data/new.csv").write_text("x")


def test_appends_to_a_data_file():
    with open("data/table.csv", "a") as f:
        f.write("x")


def test_makes_a_folder_in_the_data_folder():
    os.mkdir("data/made")


def test_removes_a_data_file():
    os.remove("data/table.csv")


def test_reads_outside_the_allowed_folders():
    pathlib.Path("other/secret.txt").read_text()


def test_reads_through_a_link_beside_the_data_folder():
    pathlib.Path("data-link/secret.txt").read_text()


def test_reads_through_a_link_into_the_data_folder():
    assert pathlib.Path("shortcut/table.csv").read_text() == "a,b\\n"
    assert os.listdir("shortcut")


@pytest.mark.small(allow_read=["other/*.txt"])
def test_marker_adds_a_path():
    assert pathlib.Path("other/secret.txt").read_text() == "secret"
    assert pathlib.Path("data/table.csv").read_text() == "a,b\\n"


@pytest.mark.small(allow_read=["other/**"])
class TestAllowedOnTheClass(SmallTest):
    def test_method(self):
        assert pathlib.Path("other/secret.txt").read_text() == "secret"

    @pytest.mark.small(timeout=0.5)
    def test_method_with_its_own_timeout(self):
        assert pathlib.Path("other/secret.txt").read_text() == "secret"


@pytest.mark.medium
def test_medium_writes_anywhere():
    pathlib.Path("data/medium.csv").write_text("x")
"""


def _files(pytester) -> None:
    (pytester.path / "data" / "nested").mkdir(parents=True)
    (pytester.path / "data" / "table.csv").write_text("a,b\n")
    (pytester.path / "data" / "nested" / "deep.json").write_text("{}")
    (pytester.path / "other").mkdir()
    (pytester.path / "other" / "secret.txt").write_text("secret")
    (pytester.path / "data-link").symlink_to(pytester.path / "other")
    (pytester.path / "shortcut").symlink_to(pytester.path / "data")


def test_allow_read_lets_small_tests_read_and_list_but_not_write(run, pytester) -> None:
    _files(pytester)
    result = run(READ, "-v", ini="test_categories_allow_read = data/**")
    output = result.stdout.str()
    for name in (
        "test_reads_lists_and_globs_the_data_folder",
        "test_reads_through_a_link_into_the_data_folder",
        "test_marker_adds_a_path",
        "TestAllowedOnTheClass::test_method",
        "TestAllowedOnTheClass::test_method_with_its_own_timeout",
        "test_medium_writes_anywhere",
    ):
        assert outcome_of(result, name) == "PASSED", name
    for name, what in (
        ("test_writes_into_the_data_folder", "open data/new.csv"),
        ("test_appends_to_a_data_file", "open data/table.csv"),
        ("test_makes_a_folder_in_the_data_folder", "os.mkdir data/made"),
        ("test_removes_a_data_file", "os.remove data/table.csv"),
        ("test_reads_outside_the_allowed_folders", "open other/secret.txt"),
        ("test_reads_through_a_link_beside_the_data_folder", "open data-link/secret.txt"),
    ):
        assert outcome_of(result, name) == "FAILED", name
        assert f"[TC102] test_subject.py::{name} (small test) used the filesystem: {what}" in output
    assert (pytester.path / "data" / "table.csv").read_text() == "a,b\n"


SNAPSHOT = """
import pytest

pytestmark = pytest.mark.small


def test_report(snapshot):
    assert {"total": 3, "items": ["a", "b", "c"]} == snapshot
"""


@pytest.mark.plugins("syrupy")
def test_syrupy_snapshots_are_read_from_an_allowed_folder_and_updated_after_the_tests(
    run, pytester
) -> None:
    allowed = "test_categories_allow_read = **/__snapshots__/**"
    created = run(SNAPSHOT, "--snapshot-update", enforcement="off")
    created.assert_outcomes(passed=1)
    assert (pytester.path / "__snapshots__" / "test_subject.ambr").is_file()

    run(SNAPSHOT, ini=allowed).assert_outcomes(passed=1)

    refused = run(SNAPSHOT)
    refused.assert_outcomes(errors=1)  # the snapshot fixture lists its folder in setup
    assert "[TC102] test_subject.py::test_report (small test) used the filesystem: " in (
        refused.stdout.str()
    )

    # syrupy writes snapshots after the tests, at the end of the session: not the test's I/O
    changed = run(SNAPSHOT.replace('"c"', '"d"'), "--snapshot-update", ini=allowed)
    changed.assert_outcomes(passed=1)
    assert "'d'" in (pytester.path / "__snapshots__" / "test_subject.ambr").read_text()


HOSTS = """
import socket

import pytest


def udp_connect(host, port=53):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect((host, port))  # UDP: sets the peer, sends nothing


@pytest.mark.medium
def test_ini_network():
    udp_connect("192.0.2.77")


@pytest.mark.medium
def test_ini_host_and_port():
    udp_connect("198.51.100.1", 443)


@pytest.mark.medium
def test_ini_host_on_another_port():
    udp_connect("198.51.100.1", 80)


@pytest.mark.medium
def test_not_allowed():
    udp_connect("203.0.113.9")


@pytest.mark.medium(allow_hosts=["203.0.113.0/28", "[2001:db8::1]:53"])
def test_marker_adds_hosts():
    udp_connect("203.0.113.9")
    udp_connect("192.0.2.77")


@pytest.mark.medium(allow_hosts=["*"])
def test_every_host():
    udp_connect("203.0.113.200", 9)


@pytest.mark.medium(allow_hosts=[socket.gethostname()])
def test_a_name_may_be_looked_up():
    try:
        socket.getaddrinfo(socket.gethostname(), 80)
    except socket.gaierror:
        pass


@pytest.mark.medium(allow_hosts=["api.test:443"])
def test_a_name_allows_the_addresses_it_resolves_to(monkeypatch):
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "api.test":
            return [(socket.AF_INET, socket.SOCK_DGRAM, 17, "", ("203.0.113.50", 0))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    udp_connect("203.0.113.50", 443)
    with pytest.raises(Exception, match="TC101"):
        udp_connect("203.0.113.51", 443)


@pytest.mark.small
def test_small_gets_no_network_even_to_allowed_hosts():
    udp_connect("192.0.2.77")
"""


def test_allow_hosts_lets_medium_tests_reach_more_than_loopback(run) -> None:
    ini = "test_categories_allow_hosts =\n    192.0.2.0/24\n    198.51.100.1:443"
    result = run(HOSTS, "-v", ini=ini)
    output = result.stdout.str()
    for name in (
        "test_ini_network",
        "test_ini_host_and_port",
        "test_marker_adds_hosts",
        "test_every_host",
        "test_a_name_may_be_looked_up",
    ):
        assert outcome_of(result, name) == "PASSED", name
    for name, target in (
        ("test_ini_host_on_another_port", "198.51.100.1:80"),
        ("test_not_allowed", "203.0.113.9:53"),
    ):
        assert outcome_of(result, name) == "FAILED", name
        assert f"[TC101] test_subject.py::{name} (medium test) used the network: " in output
        assert f"socket.connect {target}" in output
    # the guard refused the second address, and the test swallowed it on purpose
    assert outcome_of(result, "test_a_name_allows_the_addresses_it_resolves_to") == "FAILED"
    assert "socket.connect 203.0.113.50:443" not in output
    assert outcome_of(result, "test_small_gets_no_network_even_to_allowed_hosts") == "FAILED"


EXTERNAL = """
import socket

import pytest


@pytest.mark.medium(allow_external_systems=True)
def test_old_keyword():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect(("203.0.113.9", 53))
"""


def test_the_1x_keyword_allows_every_host_with_a_deprecation_warning(run) -> None:
    result = run(EXTERNAL, "-W", "default")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        ["*PytestDeprecationWarning: @pytest.mark.medium(allow_external_systems=True) is dep*"]
    )
    as_error = run(EXTERNAL, "-W", "error::DeprecationWarning")
    assert as_error.ret == 4
    as_error.stderr.fnmatch_lines(["*test_subject.py::test_old_keyword: *is deprecated*"])


def test_bad_allowances_are_usage_errors_naming_where(run) -> None:
    for ini, message in (
        (
            "test_categories_allow_hosts = http://api.example.com",
            "*ini option test_categories_"
            "allow_hosts in tox.ini: 'http://api.example.com' is a URL, not a host*",
        ),
        (
            "test_categories_allow_hosts = db.internal:99999",
            "*ini option test_categories_allow_"
            "hosts in tox.ini: 'db.internal:99999' has no valid port*",
        ),
    ):
        result = run("def test_x(): pass", ini=ini)
        assert result.ret == 4, ini
        result.stderr.fnmatch_lines([message])
    for marker, message in (
        (
            "small(allow_hosts=['x'])",
            "*got unknown argument(s) allow_hosts; its keywords are "
            "timeout=SECONDS and allow_read=[[]GLOBS[]]*",
        ),
        ("medium(allow_read=['x'])", "*got unknown argument(s) allow_read*"),
        ("large(allow_hosts=['x'])", "*got unknown argument(s) allow_hosts*"),
        (
            "small(allow_read=5)",
            "*@pytest.mark.small(allow_read=...): 5 is not a string or a list of strings.",
        ),
        ("small(allow_read=[''])", "*(allow_read=...): an empty pattern would allow nothing*"),
        ("medium(allow_hosts=['a b'])", "*(allow_hosts=...): 'a b' is not a host*"),
        ("medium(allow_external_systems='yes')", "*allow_external_systems='yes') must be True*"),
    ):
        result = run(f"import pytest\n\n@pytest.mark.{marker}\ndef test_x(): pass\n")
        assert result.ret == 4, marker
        result.stderr.fnmatch_lines([f"*test_subject.py::test_x: {message}"])


def test_hosts_and_read_patterns_are_parsed_directly() -> None:
    assert allowances.hosts(("API.example.com:443", "[::1]:80", "*")) == (
        allowances.Host("api.example.com", None, 443),
        allowances.Host(None, ipaddress.ip_network("::1"), 80),
        allowances.Host("*", None, None),
    )
    for bad, why in (
        ("https://x.org", "is a URL, not a host"),
        ("x.org:99999", "has no valid port"),
        ("bad host", "is not a host"),
    ):
        with pytest.raises(ValueError, match=why):
            allowances.hosts((bad,))
    allowed = allowances.Allowances(allowances.read_patterns("/r", ("data/**", "../up/*.txt")))
    assert allowed.may_read("/r/data")
    assert allowed.may_read("/r/data/a/b.csv")
    assert allowed.may_read("/up/x.txt")
    assert not allowed.may_read("/up/x/y.txt")
    assert not allowed.may_read("/r/other")
    with pytest.raises(ValueError, match="an empty pattern"):
        allowances.read_patterns("/r", ("",))


def test_glob_regex_matches_within_segments_and_across_folders() -> None:
    assert allowances.glob_regex("docs/**/*.md").match("docs/a/b/page.md")
    assert allowances.glob_regex("docs/**/*.md").match("docs/page.md")
    assert not allowances.glob_regex("docs/*.md").match("docs/a/page.md")
    assert allowances.glob_regex("./x/[!a]?.md").match("x/bc.md")
    assert not allowances.glob_regex("x/[!a]?.md").match("x/ac.md")
