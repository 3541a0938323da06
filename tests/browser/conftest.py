"""The dashboard's browser tests: the shared stack and browser (tests/support/dashboard.py), and a
screenshot with the console log of the page on any failing test."""

from __future__ import annotations

import pytest

from tests.support.dashboard import browser, page, stack  # noqa: F401 - fixtures


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.failed_call = report.failed
    return report
