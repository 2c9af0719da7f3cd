"""CI's rule, as a pytest plugin: with DAILIES_CI=1 (set by .ci/run) a skipped test or module is a failure.

CI installs every extra and starts what the tests need (PostgreSQL), so a skip there means a test that
should have run did not. Expected failures (`xfail`) are not skips and keep their meaning.
"""

from __future__ import annotations

import os

import pytest

ENV = "DAILIES_CI"
_ENABLED = pytest.StashKey[bool]()


def pytest_configure(config: pytest.Config) -> None:
    # Read once: the tests' own fixtures clear DAILIES_* variables while each test runs.
    config.stash[_ENABLED] = os.environ.get(ENV, "") not in ("", "0")


def pytest_report_header(config: pytest.Config) -> str | None:
    return f"{ENV}=1: every skip fails (CI runs every test)" if config.stash.get(_ENABLED, False) else None


def _as_failure(report: pytest.TestReport | pytest.CollectReport) -> None:
    where = report.longrepr
    if isinstance(where, tuple) and len(where) == 3:
        path, line, reason = where
        where = f"{path}:{line}: {reason}"
    report.outcome = "failed"
    report.longrepr = f"skipped, but {ENV}=1 allows no skip: {where}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    outcome = yield
    report = outcome.get_result()
    if item.config.stash.get(_ENABLED, False) and report.skipped and not hasattr(report, "wasxfail"):
        _as_failure(report)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    outcome = yield
    report = outcome.get_result()
    if collector.config.stash.get(_ENABLED, False) and report.skipped:
        _as_failure(report)
