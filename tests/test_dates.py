"""blog/content/dates.py: every accepted date form becomes an aware datetime."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blog.content.dates import parse_date
from blog.errors import ContentError

STOCKHOLM = ZoneInfo("Europe/Stockholm")
UTC = dt.UTC


def offset(hours: float) -> dt.timezone:
    return dt.timezone(dt.timedelta(hours=hours))


def parse(value, zone=STOCKHOLM) -> dt.datetime:
    parsed, warning = parse_date(value, zone)
    assert warning is None
    return parsed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Jekyll's form, with a space before an offset without a colon.
        ("2016-11-21 10:30:00 +0000", dt.datetime(2016, 11, 21, 10, 30, tzinfo=UTC)),
        ("2024-05-01 14:30:00 +0200", dt.datetime(2024, 5, 1, 14, 30, tzinfo=offset(2))),
        ("2024-05-01T14:30:00+02:00", dt.datetime(2024, 5, 1, 14, 30, tzinfo=offset(2))),
        ("2024-05-01T14:30:00Z", dt.datetime(2024, 5, 1, 14, 30, tzinfo=UTC)),
        ("2024-01-01T10:00:00-05:30", dt.datetime(2024, 1, 1, 10, tzinfo=offset(-5.5))),
        ("2024-01-01T10:00:00.25Z", dt.datetime(2024, 1, 1, 10, 0, 0, 250000, tzinfo=UTC)),
    ],
)
def test_text_with_an_offset_keeps_that_offset(text, expected):
    parsed = parse(text)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        # Winter: Stockholm is UTC+1; summer: UTC+2.
        ("2024-01-15 09:00", dt.datetime(2024, 1, 15, 8, tzinfo=UTC)),
        ("2024-07-15T09:00:00", dt.datetime(2024, 7, 15, 7, tzinfo=UTC)),
        ("2024-07-15", dt.datetime(2024, 7, 14, 22, tzinfo=UTC)),
    ],
)
def test_text_without_an_offset_is_in_the_site_zone(text, utc):
    assert parse(text) == utc
    assert parse(text, ZoneInfo("UTC")).replace(tzinfo=None) == dt.datetime.fromisoformat(text)


def test_yaml_and_toml_values():
    assert parse(dt.date(2024, 3, 1)) == dt.datetime(2024, 2, 29, 23, tzinfo=UTC)
    assert parse(dt.datetime(2024, 3, 1, 12)) == dt.datetime(2024, 3, 1, 11, tzinfo=UTC)
    aware = dt.datetime(2024, 3, 1, 12, tzinfo=offset(-7))
    assert parse(aware) is aware


def test_surrounding_spaces_are_ignored():
    assert parse("  2024-01-15  ") == parse("2024-01-15")


def test_a_local_time_the_clocks_skip_is_read_after_the_gap_with_a_warning():
    parsed, warning = parse_date("2024-03-31 02:30", STOCKHOLM)
    assert parsed.astimezone(UTC) == dt.datetime(2024, 3, 31, 1, 30, tzinfo=UTC)
    assert "does not exist" in warning
    assert "03:30 +0200" in warning


def test_a_local_time_that_happens_twice_is_the_first_one_with_a_warning():
    parsed, warning = parse_date("2024-10-27 02:30", STOCKHOLM)
    assert parsed.astimezone(UTC) == dt.datetime(2024, 10, 27, 0, 30, tzinfo=UTC)
    assert "happens twice" in warning


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("yesterday", "not a date"),
        # Day-first or month-first: the generators disagree, so neither is read.
        ("01/02/2024", "not a date"),
        ("2024-01-01 13:00 PM", "12-hour clock"),
        ("2024-02-30", "day is out of range"),
        ("2024-01-01 25:00", "hour must be"),
        ("2024-01-01 10:00 +2400", "impossible UTC offset"),
        ("2024-01-01 10:00 +0260", "impossible UTC offset"),
    ],
)
def test_unreadable_text_says_why_and_lists_the_accepted_forms(value, words):
    with pytest.raises(ContentError) as caught:
        parse_date(value, STOCKHOLM)
    assert words in caught.value.message
    assert value in caught.value.message
    assert caught.value.hint


@pytest.mark.parametrize("value", [20240101, 3.5, True, ["2024-01-01"], None])
def test_values_of_other_types_are_errors(value):
    with pytest.raises(ContentError) as caught:
        parse_date(value, STOCKHOLM)
    assert "date must be a date or a date-time" in caught.value.message


@given(
    moment=st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1)).map(
        lambda d: d.replace(microsecond=0)
    ),
    minutes=st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59),
    style=st.sampled_from(["{d}T{t}{s}{hh}:{mm}", "{d} {t} {s}{hh}{mm}"]),
)
def test_any_written_offset_round_trips(moment, minutes, style):
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    text = style.format(
        d=moment.date().isoformat(), t=moment.time().isoformat(), s=sign, hh=f"{hours:02d}", mm=f"{rest:02d}"
    )
    parsed = parse(text)
    assert parsed.replace(tzinfo=None) == moment
    assert parsed.utcoffset() == dt.timedelta(minutes=minutes)


# Every way Jekyll, Hugo and Pelican let an author write the same moment.
_SEPARATORS = ["T", " ", "t", "  "]
_OFFSET_STYLES = ["{s}{hh}:{mm}", "{s}{hh}{mm}", " {s}{hh}{mm}", " {s}{hh}:{mm}", "{s}{h}:{mm}"]


@st.composite
def written_moments(draw):
    """A moment with an offset, and a text that these generators read as that moment."""
    moment = draw(st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1)))
    minutes = draw(st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59))
    pad = draw(st.booleans())  # "5:07" or "05:07": Jekyll's YAML takes both
    hour = f"{moment.hour:02d}" if pad else str(moment.hour)
    minute = f"{moment.minute:02d}" if pad or draw(st.booleans()) else str(moment.minute)
    time = f"{hour}:{minute}"
    if draw(st.booleans()) or moment.second or moment.microsecond:
        time += f":{moment.second:02d}"
        if moment.microsecond:
            digits = f"{moment.microsecond:06d}"
            # Hugo writes nanoseconds: more digits than a datetime keeps.
            time += "." + (digits + "000" if draw(st.booleans()) else digits.rstrip("0"))
    else:
        moment = moment.replace(second=0, microsecond=0)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    if minutes == 0 and draw(st.booleans()):
        written_offset = draw(st.sampled_from(["Z", " UTC", " +0000", "+00:00", " +00"]))
    elif rest == 0 and draw(st.booleans()):
        written_offset = draw(st.sampled_from([" ", ""])) + f"{sign}{hours}"  # YAML's +5
    else:
        style = draw(st.sampled_from(_OFFSET_STYLES))
        written_offset = style.format(s=sign, hh=f"{hours:02d}", h=hours, mm=f"{rest:02d}")
    text = f"{moment.date().isoformat()}{draw(st.sampled_from(_SEPARATORS))}{time}{written_offset}"
    return text, moment.replace(tzinfo=dt.timezone(dt.timedelta(minutes=minutes)))


@given(written=written_moments())
def test_every_form_the_other_generators_accept_is_read_as_that_moment(written):
    text, expected = written
    parsed = parse(text)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The date that failed a Jekyll site's build: a single-digit hour.
        ("2013-11-22 5:00:00 +0000", dt.datetime(2013, 11, 22, 5, tzinfo=UTC)),
        ("2013-11-22 5:00", dt.datetime(2013, 11, 22, 4, tzinfo=UTC)),
        ("2013-11-22 5:7", dt.datetime(2013, 11, 22, 4, 7, tzinfo=UTC)),
        ("2013-1-2 05:00 +01:00", dt.datetime(2013, 1, 2, 4, tzinfo=UTC)),
        ("2013/11/22 17:00:00 +0000", dt.datetime(2013, 11, 22, 17, tzinfo=UTC)),
        ("2013-11-22 5:00 PM +0000", dt.datetime(2013, 11, 22, 17, tzinfo=UTC)),
        ("2013-11-22 12:30 a.m. +0000", dt.datetime(2013, 11, 22, 0, 30, tzinfo=UTC)),
        ("2013-11-22 05:00:00 GMT", dt.datetime(2013, 11, 22, 5, tzinfo=UTC)),
        ("2013-11-22T05:00:00.123456789-05:30", dt.datetime(2013, 11, 22, 10, 30, 0, 123456, tzinfo=UTC)),
    ],
)
def test_forms_from_real_jekyll_hugo_and_pelican_posts(text, expected):
    assert parse(text) == expected
