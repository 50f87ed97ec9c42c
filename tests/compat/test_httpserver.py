"""pytest-httpserver: a real local server for medium tests; small tests still may not reach it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Suite

SOURCE = """
import json
import urllib.request

import pytest


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


@pytest.mark.medium
def test_fetches_from_the_local_server(httpserver):
    httpserver.expect_request("/sizes").respond_with_json({"small": 80})
    assert fetch(httpserver.url_for("/sizes")) == {"small": 80}


@pytest.mark.medium
def test_checks_what_was_sent(httpserver):
    httpserver.expect_oneshot_request("/report", method="POST").respond_with_data("ok")
    request = urllib.request.Request(httpserver.url_for("/report"), data=b"{}", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.read() == b"ok"
    httpserver.check_assertions()


@pytest.mark.medium
def test_a_remote_host_is_still_refused():
    fetch("http://192.0.2.1:8080/")


@pytest.mark.small
def test_small_may_not_reach_the_server(httpserver):
    httpserver.expect_request("/sizes").respond_with_json({})
    fetch(httpserver.url_for("/sizes"))
"""


def test_medium_tests_use_a_local_server(suite: Suite) -> None:
    result = suite(SOURCE)
    assert suite.outcomes(result) == {
        "test_fetches_from_the_local_server": "PASSED",
        "test_checks_what_was_sent": "PASSED",
        "test_a_remote_host_is_still_refused": "FAILED",
        "test_small_may_not_reach_the_server": "FAILED",
    }
    assert suite.failed_with(result, "test_a_remote_host_is_still_refused", "TC101")
    assert suite.failed_with(result, "test_small_may_not_reach_the_server", "TC101")
