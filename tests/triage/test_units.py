from __future__ import annotations

import pytest

from bot.triage.units import human_duration, human_value, to_number


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (99857989632, "bytes", "93 GiB"),
        (1536, "bytes", "1.5 KiB"),
        (10 * 1024**4, "bytes", "10 TiB"),
        (850, "milliseconds", "850 ms"),
        (12500, "milliseconds", "12.5 s"),
        (540000, "milliseconds", "9 min"),
        (93.41, "percent", "93.4%"),
        (1204, "count", "1,204"),
        (57.0, None, "57"),
    ],
)
def test_human_values(value, unit, shown):
    assert human_value(value, unit) == shown


@pytest.mark.parametrize(
    ("iso", "shown"),
    [("PT5M", "5 min"), ("PT1H", "1 h"), ("P1D", "1 day"), ("PT90S", "90 s"), ("x", None)],
)
def test_durations(iso, shown):
    assert human_duration(iso) == shown


def test_numbers_from_strings_and_not_from_booleans():
    assert to_number("96636764160") == 96636764160
    assert to_number(True) is None and to_number("nan") is None and to_number(None) is None
