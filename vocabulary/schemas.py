"""JSON Schema for what the vocabulary accepts where pydantic's own schema says less.

pydantic describes a field by its Python type; the checks in validators (times parsed
from several spellings, the stored time range, a non-blank note, blank query values)
are invisible to it. These fragments say what those checks let through, for the
OpenAPI document; they never validate anything themselves. Each is written so that a
value it allows is accepted: where the accepted set is unwieldy to state exactly (ISO
8601 as Python reads it), it describes the common, unambiguous part of it. The one gap:
an offset can carry a time of the range's first or last day out of it (schemathesis.toml).
"""

from typing import Any

from vocabulary.timestamps import EARLIEST, LATEST

JsonSchema = dict[str, Any]

MAX_VALUES = 100

EARLIEST_SECONDS = int(EARLIEST.timestamp())
LATEST_SECONDS = LATEST.timestamp()

EPOCH_SECONDS: JsonSchema = {
    "type": "number",
    "minimum": EARLIEST_SECONDS,
    "maximum": LATEST_SECONDS,
    "description": "Epoch seconds, within the stored range (years 1900-2299).",
}


def _iso_pattern() -> str:
    """ISO 8601 extended-format dates and date-times of the years 1900-2299, as Python
    reads them: real calendar dates (February 29th of leap years only), then optionally
    a time (hours, minutes, seconds, a fraction) and an offset."""
    year = "(19[0-9]{2}|2[0-2][0-9]{2})"
    # 2000 is the only year ending in 00 in this range that is a leap year.
    leap_year = "((19|2[0-2])(0[48]|[2468][048]|[13579][26])|2000)"
    date = (
        f"({year}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"
        "|(0[13-9]|1[0-2])-(29|30)"
        "|(0[13578]|1[02])-31)"
        f"|{leap_year}-02-29)"
    )
    hours = "([01][0-9]|2[0-3])"
    time = f"{hours}(:[0-5][0-9](:[0-5][0-9]([.,][0-9]+)?)?)?"
    offset = f"(Z|[+-]{hours}(:?[0-5][0-9])?)?"
    return f"^{date}([T ]{time}{offset})?$"


ISO_TIME: JsonSchema = {
    "type": "string",
    "pattern": _iso_pattern(),
    "description": (
        "ISO 8601 date or date-time (UTC when no offset is given) of an instant from "
        "1900-01-01T00:00:00Z to 2299-12-31T23:59:59.999Z; cut to milliseconds."
    ),
}

# Numeric strings read as epoch seconds too; nine digits stay inside the stored range
# whatever the sign, so the pattern never admits a time that is then refused.
NUMERIC_SECONDS: JsonSchema = {
    "type": "string",
    "pattern": "^-?[0-9]{1,9}(\\.[0-9]+)?$",
    "description": "Epoch seconds as a numeric string.",
}

BODY_TIME: JsonSchema = {
    "anyOf": [EPOCH_SECONDS, ISO_TIME, NUMERIC_SECONDS],
    "description": "ISO 8601 date-time or epoch seconds; answered as ISO 8601 UTC.",
}

# JSON Schema cannot state the 64-bit bound on the integers of metadata and of a service's
# further keys: 1e20 arrives as a float (stored) and 100000000000000000000 as an integer
# (refused), yet they are the same JSON number. The bound is said in words instead and
# its 400 declared in schemathesis.toml.
PLAIN_JSON = "an integer written without fraction or exponent must fit in 64 bits"


# Python's whitespace (str.isspace, what str.strip removes), spelt out so that every
# regex dialect agrees.
WHITESPACE = "\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
# A note must contain at least one character that is not whitespace.
NOT_BLANK = f"[^{WHITESPACE}]"


def query_values(choices: list[str] | None = None) -> JsonSchema:
    """A query array: repeated keys or comma-separated values, at most ``MAX_VALUES``.

    The values are the pieces between commas, stripped, and blank ones are ignored: so
    any number of blank items is allowed, and at most ``MAX_VALUES`` others. An item that
    holds several values is left undescribed: each of its values counts towards the limit
    in a way no schema can state.
    """
    blank = {"pattern": f"^[{WHITESPACE},]*$"}
    value: JsonSchema = {"not": blank}
    # "type" stays outside the anyOf: a query string cannot tell "true" from true, so no
    # item may look as if it could be other than a string.
    item: JsonSchema = {"type": "string"}
    if choices is not None:
        value = {"enum": choices}
        item["anyOf"] = [value, blank]
    return {
        "type": "array",
        "items": item,
        "contains": value,
        "minContains": 0,
        "maxContains": MAX_VALUES,
        "description": (
            "Repeat the parameter (`type=A&type=B`) or separate values by commas "
            f"(`type=A,B`); blank values are ignored; at most {MAX_VALUES} values."
        ),
    }
