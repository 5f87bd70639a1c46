"""Schemathesis hooks for this API, loaded through ``schemathesis.toml``.

Two media types schemathesis cannot handle by itself: create-or-update answers its id
as ``text/plain`` (the links from it read that body), and the batch endpoint takes
NDJSON, which the document describes as the array of its lines.
"""

import json
from typing import Any

import schemathesis
from schemathesis.core.deserialization import DeserializationContext
from schemathesis.core.transport import Response
from schemathesis.transport import SerializationContext


@schemathesis.deserializer("text/plain")
def plain_text(_ctx: DeserializationContext, response: Response) -> Any:
    return response.text


@schemathesis.serializer("application/x-ndjson")
def json_lines(_ctx: SerializationContext, value: Any) -> bytes:
    items = value if isinstance(value, list) else [value]
    return "\n".join(json.dumps(item) for item in items).encode()
