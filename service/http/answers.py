"""The JSON answer of the read routes, encoded by orjson: it takes the documents a list
page has as text (``orjson.Fragment``) as they are, where the standard encoder would need
them parsed first."""

from typing import Any

import orjson
from fastapi.responses import Response


class JsonAnswer(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
