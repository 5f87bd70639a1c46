"""Times as the contract takes them (ISO 8601 or epoch seconds) and gives them (ISO UTC).

Stored times are DateTime64(3, 'UTC'), so parsed times are cut to milliseconds here,
once, and everything downstream compares like with like.
"""

import math
import re
from datetime import UTC, datetime, timedelta

# DateTime64(3)'s range; a time outside it would be silently clamped by ClickHouse.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2299, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The same range in epoch seconds, checked before any conversion: timedelta and round()
# raise OverflowError (not ValueError, so not a validation error) on huge values.
_FIRST_SECOND = (EARLIEST - _EPOCH).total_seconds()
_LAST_SECOND = (LATEST - _EPOCH).total_seconds()
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def to_millis(moment: datetime) -> datetime:
    """The same instant in UTC, cut to whole milliseconds."""
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def epoch_millis(seconds: float) -> int:
    """An epoch-seconds value as whole milliseconds, checked against the stored range."""
    # An int is compared as it is: math.isfinite would turn a huge one into OverflowError.
    if isinstance(seconds, float) and not math.isfinite(seconds):
        raise ValueError("not a finite number of seconds")
    if not _FIRST_SECOND <= seconds <= _LAST_SECOND:
        raise ValueError("outside the years 1900-2299")
    return round(seconds * 1000)


def from_epoch(seconds: float) -> datetime:
    """An epoch-seconds value as an aware UTC datetime, checked against the stored range."""
    return _EPOCH + timedelta(milliseconds=epoch_millis(seconds))


def from_epoch_millis(millis: int) -> datetime:
    """Whole epoch milliseconds (a stored time) as an aware UTC datetime."""
    return _EPOCH + timedelta(milliseconds=millis)


def epoch_micros(moment: datetime) -> int:
    """An aware datetime as whole microseconds since the epoch, without float rounding."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def parse_time(value: object) -> datetime:
    """ISO 8601 (a zone-less time is UTC) or epoch seconds, as a number or a numeric string."""
    if isinstance(value, bool):
        raise ValueError("expected an ISO 8601 date-time or epoch seconds")
    if isinstance(value, int | float):
        return from_epoch(value)
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        return from_epoch(float(value))
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("expected an ISO 8601 date-time or epoch seconds") from None
    else:
        raise ValueError("expected an ISO 8601 date-time or epoch seconds")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if not EARLIEST <= moment <= LATEST:
        raise ValueError("outside the years 1900-2299")
    return to_millis(moment)


def format_time(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with a ``Z``; fractional seconds only where the time has them."""
    if moment is None:
        return None
    if moment.utcoffset():
        moment = moment.astimezone(UTC)
    # isoformat is C code; strftime cost a third of building a 10k batch's history rows.
    spec = "milliseconds" if moment.microsecond else "seconds"
    return moment.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def now() -> datetime:
    """The current time, cut to milliseconds like every stored time."""
    return to_millis(datetime.now(UTC))
