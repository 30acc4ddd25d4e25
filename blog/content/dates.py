"""Turn front-matter dates into aware datetimes in the site's time zone."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from ..errors import ContentError

ACCEPTED_FORMS = "2024-05-01, 2024-05-01 14:30, 2024-05-01T14:30:00, 2024-05-01 14:30:00 +0200 or 2024-05-01T14:30:00Z"

# What Jekyll (a YAML timestamp, else Ruby's Time.parse), Hugo (RFC 3339 and
# its variants) and Pelican (dateutil) all read for a year-first date: one- or
# two-digit month, day, hour, minute and second; "T" or spaces between date
# and time; a fraction of any length (Hugo writes nanoseconds); 12-hour clock
# times; and an offset written Z, UTC, +5, +05, +0530 or +05:30, with or
# without a space before it. Day-first and month-first dates are not read:
# those generators disagree about them.
_DATE_TIME = re.compile(
    r"^(?P<year>\d{4})(?P<sep>[-/])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})"
    r"(?:(?:[Tt]|[ \t]+)(?P<hour>\d{1,2}):(?P<minute>\d{1,2})"
    r"(?::(?P<second>\d{1,2})(?:[.,](?P<fraction>\d+))?)?"
    r"(?:[ \t]*(?P<meridian>[AaPp])\.?[Mm]\.?)?)?"
    r"[ \t]*(?P<offset>[Zz]|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)?$"
)
# Digits of a fraction of a second that a datetime keeps (microseconds).
_FRACTION_DIGITS = 6


def parse_date(value: object, zone: ZoneInfo) -> tuple[dt.datetime, str | None]:
    """Return an aware datetime and, for a local time the zone skips or
    repeats, a warning that says how it was resolved."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value, None
        return _localize(value, zone)
    if isinstance(value, dt.date):
        return _localize(dt.datetime(value.year, value.month, value.day), zone)
    if isinstance(value, str):
        return _parse_text(value.strip(), zone)
    raise ContentError(
        f"date must be a date or a date-time, not {type(value).__name__} {value!r}",
        hint=f"accepted forms: {ACCEPTED_FORMS}",
    )


def _parse_text(text: str, zone: ZoneInfo) -> tuple[dt.datetime, str | None]:
    match = _DATE_TIME.match(text)
    if not match:
        raise _unparsable(text)
    hour = int(match["hour"] or 0)
    meridian = (match["meridian"] or "").lower()
    if meridian and not 1 <= hour <= 12:
        raise _unparsable(text, f"{hour} is not an hour of a 12-hour clock")
    if meridian:
        hour = hour % 12 + (12 if meridian == "p" else 0)
    fraction = (match["fraction"] or "")[:_FRACTION_DIGITS].ljust(_FRACTION_DIGITS, "0")
    try:
        naive = dt.datetime(
            int(match["year"]),
            int(match["month"]),
            int(match["day"]),
            hour,
            int(match["minute"] or 0),
            int(match["second"] or 0),
            int(fraction),
        )
    except ValueError as exc:
        raise _unparsable(text, str(exc)) from None
    offset = match["offset"]
    if offset is None:
        return _localize(naive, zone)
    return naive.replace(tzinfo=_fixed_offset(offset, text)), None


def _fixed_offset(offset: str, text: str) -> dt.tzinfo:
    if offset.upper() in ("Z", "UTC", "GMT"):
        return dt.UTC
    sign = -1 if offset[0] == "-" else 1
    hours_text, _, minutes_text = offset[1:].partition(":")
    if not minutes_text and len(hours_text) > 2:  # +0530, +530
        hours_text, minutes_text = hours_text[:-2], hours_text[-2:]
    hours, minutes = int(hours_text), int(minutes_text or 0)
    if hours > 23 or minutes > 59:
        raise ContentError(
            f"date {text!r} has an impossible UTC offset {offset}",
            hint=f"offsets run from -23:59 to +23:59; accepted forms: {ACCEPTED_FORMS}",
        )
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def _unparsable(text: str, reason: str = "") -> ContentError:
    detail = f" ({reason})" if reason else ""
    return ContentError(
        f"date {text!r} is not a date this tool can read{detail}",
        hint=f"accepted forms: {ACCEPTED_FORMS}",
    )


def _localize(naive: dt.datetime, zone: ZoneInfo) -> tuple[dt.datetime, str | None]:
    """Attach ``zone``; times in a DST gap or overlap resolve to the earlier offset."""
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first, None
    stamp = naive.strftime("%Y-%m-%d %H:%M")
    round_trip = first.astimezone(dt.UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != naive:
        # A skipped local time: read it with the offset in force before the
        # change, which lands it after the gap.
        return first, (
            f"{stamp} does not exist in {zone.key} (the clocks skip it); read as {round_trip:%Y-%m-%d %H:%M %z}"
        )
    return first, (
        f"{stamp} happens twice in {zone.key} (the clocks go back); read as the first time, {first:%Y-%m-%d %H:%M %z}"
    )
