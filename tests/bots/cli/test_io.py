"""CLI input errors: a pydantic error becomes one printable line, whatever the user's file held."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from agent.spec import ShotSpec
from bots.cli.io import describe_validation_error


def _error(data: dict) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        ShotSpec.model_validate(data)
    return info.value


def test_a_field_name_with_a_newline_stays_on_one_line() -> None:
    line = describe_validation_error(_error({"\n": None, "bad\tkey": 1}))
    assert "\n" not in line and "\t" not in line
    assert "\\n: is not a known field" in line
    assert "bad\\tkey: is not a known field" in line


def test_printable_text_is_left_as_written() -> None:
    line = describe_validation_error(_error({"caméra": 1}))
    assert line == "caméra: is not a known field"
