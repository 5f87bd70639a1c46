"""The documents the API answers, as plain JSON-ready values, and their one JSON encoder."""

from typing import Any

import orjson

Document = dict[str, Any]


def compact(value: Any) -> str:
    """Compact JSON text; orjson because the writer encodes three documents per row."""
    return orjson.dumps(value).decode()
