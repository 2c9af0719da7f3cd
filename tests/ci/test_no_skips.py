"""The CI rule: under DAILIES_CI=1 a skip is a failure, an expected failure stays one, a pass stays a pass."""

from __future__ import annotations

import pytest

SUITE = """
import pytest

def test_passes():
    assert True

def test_skips_itself():
    pytest.skip("a server is missing")

@pytest.mark.skipif(True, reason="an extra is missing")
def test_skipped_by_a_mark():
    pass

@pytest.mark.xfail(strict=True, reason="a known disagreement")
def test_known_failure():
    assert False
"""
SKIPPED_MODULE = """
import pytest

pytest.importorskip("a_module_nobody_installed")

def test_never_collected():
    pass
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_suite=SUITE, test_optional=SKIPPED_MODULE)
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    return pytester


def test_without_the_ci_flag_skips_are_skips(suite: pytest.Pytester, monkeypatch) -> None:
    monkeypatch.delenv("DAILIES_CI", raising=False)
    result = suite.runpytest("-p", "tests.ci_no_skips")
    result.assert_outcomes(passed=1, skipped=3, xfailed=1)


def test_under_ci_every_skip_fails_and_says_why(suite: pytest.Pytester, monkeypatch) -> None:
    monkeypatch.setenv("DAILIES_CI", "1")
    result = suite.runpytest("-p", "tests.ci_no_skips", "test_suite.py")
    result.assert_outcomes(passed=1, failed=1, errors=1, xfailed=1)  # the mark skips in setup: an error
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*every skip fails*", "*DAILIES_CI=1 allows no skip*a server is missing*"])
    assert "skipped" not in result.stdout.lines[-1]


def test_under_ci_a_module_that_skips_at_import_fails(suite: pytest.Pytester, monkeypatch) -> None:
    monkeypatch.setenv("DAILIES_CI", "1")
    result = suite.runpytest("-p", "tests.ci_no_skips", "test_optional.py")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*DAILIES_CI=1 allows no skip*a_module_nobody_installed*"])
