"""The OpenAPI document: FastAPI's generation, completed with what no single route says.

Routes declare their own answers (the success document, a 404 where something may be
missing); this module adds, in one pass over the generated document, everything that
is the same everywhere: the error body on every non-2xx answer and the statuses every
operation shares (never FastAPI's 422: validation answers 400), the headers the gate
checks and the bearer keys, the links from a created incident or note to the
operations on it, the bodies that routes read from raw bytes (``service.http.bodies``),
and the request-body fields whose checks pydantic's schema cannot show
(``vocabulary.schemas``). The document is built once per app and cached; nothing
here runs per request.
"""

import copy
from collections.abc import Iterator, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic.alias_generators import to_camel
from starlette.routing import BaseRoute

from service.http.bodies import JsonBody
from service.http.gate import ORG_PATTERN, PREFIX
from vocabulary.documents import Error
from vocabulary.incident import METADATA_LIMIT
from vocabulary.schemas import BODY_TIME, NOT_BLANK, PLAIN_JSON, JsonSchema

DESCRIPTION = """\
Incidents of many tenants, stored in ClickHouse. Every `/api/v1` request names its tenant
in `X-Scope-OrgID`. Times in query strings are epoch seconds; times in bodies are ISO 8601
or epoch seconds, and are answered as ISO 8601 UTC. Every answer that is not 2xx has the
`Error` body (validation answers 400, never 422); 405 answers carry `Allow`.
"""

COMPONENTS = "#/components/schemas/"
ERROR_BODY = {"application/json": {"schema": {"$ref": COMPONENTS + "Error"}}}
BEARER = "bearerKey"

TENANT = {
    "name": "X-Scope-OrgID",
    "in": "header",
    "required": True,
    "description": (
        "The tenant; every read and write is confined to it. May be left out when the "
        "bearer key is allowed exactly one org (that org is the tenant) or the service "
        "has a default org."
    ),
    "schema": {
        "type": "string",
        "pattern": f"^{ORG_PATTERN.pattern}$",
        "not": {"enum": [".", ".."]},
    },
}
# The gate compares the stripped, lower-cased value with 1 and v1.
VERSION = {
    "name": "Api-Version",
    "in": "header",
    "required": False,
    "description": "The API version: 1 or v1 (any case); absent means 1.",
    "schema": {"type": "string", "pattern": "^[vV]?1$"},
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}

# Why each shared status happens; a route's own description (a 404's) wins.
REASONS = {
    400: "Bad input: every offending field is named in `_embedded.errors`.",
    401: "No valid tenant (X-Scope-OrgID), or API keys are configured and no valid key sent.",
    403: "API keys are configured and this key may not use the tenant.",
    413: "The body is too large (an incident over 1 MiB, a batch over 32 MiB, a scan "
    "report over 16 MiB).",
    500: "Internal error; nothing was changed.",
    503: "Overloaded or a query ran out of time; retry after `Retry-After` seconds.",
}

ONE_INCIDENT = (
    "getIncident",
    "patchIncident",
    "incidentHistory",
    "acknowledge",
    "listNotes",
    "addNote",
)
ONE_NOTE = ("getNote", "editNote", "deleteNote")
_TO_INCIDENT = {op: {"incident_id": "$response.body#/id"} for op in ONE_INCIDENT}
_TO_NOTE = {op: {"note_id": "$response.body#/id"} for op in ONE_NOTE}
# (operation, status) -> {target operation: its parameters, from the answer}. Whatever
# answers an incident or a note leads on to the operations on it, so that a client (and
# schemathesis's stateful phase) can walk from a write to every operation.
LINKS: dict[tuple[str, str], dict[str, dict[str, str]]] = {
    ("createOrUpdate", "200"): {op: {"incident_id": "$response.body"} for op in ONE_INCIDENT},
    ("createOrUpdateMany", "200"): {
        op: {"incident_id": "$response.body#/ids/0"} for op in ONE_INCIDENT
    },
    ("getIncident", "200"): _TO_INCIDENT,
    ("patchIncident", "200"): _TO_INCIDENT,
    ("acknowledge", "200"): _TO_INCIDENT,
    ("addNote", "201"): _TO_NOTE,
    ("getNote", "200"): _TO_NOTE,
    ("editNote", "200"): _TO_NOTE,
    ("addReport", "201"): {
        "newestReport": {"source": "$response.body#/source"},
        "clusterScore": {},
    },
}


def operation_id(route: APIRoute) -> str:
    """``list_incidents`` as ``listIncidents``: the ids the links name."""
    return to_camel(route.name)


def install(app: FastAPI) -> None:
    """Serve the completed document at ``app.openapi_url``."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            generated = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            document_json_bodies(generated, app.routes)
            app.openapi_schema = complete(generated)
        return app.openapi_schema

    # FastAPI's documented way to change the document is to replace this method.
    app.openapi = openapi  # type: ignore[method-assign]


def document_json_bodies(document: dict[str, Any], routes: Sequence[BaseRoute]) -> None:
    """Describe each body a route reads with ``JsonBody``, as FastAPI describes a declared
    one: its model (in the components) and its examples."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for route in iter_route_contexts(routes):
        if not isinstance(route.original_route, APIRoute):
            continue
        for dependency in route.original_route.dependant.dependencies:
            body = dependency.call
            if not isinstance(body, JsonBody):
                continue
            name = body.model.__name__
            content: dict[str, Any] = {"schema": {"$ref": COMPONENTS + name}}
            if body.examples:
                content["examples"] = body.examples
            for method in route.methods or ():
                operation = document["paths"][route.path_format][method.lower()]
                operation["requestBody"] = {
                    "content": {"application/json": content},
                    "required": True,
                }
            schema = body.model.model_json_schema(ref_template=COMPONENTS + "{model}")
            schemas.update(schema.pop("$defs", {}))
            schemas[name] = schema


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """The generated document with the shared answers, headers, links and body fields."""
    document = copy.deepcopy(document)
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas.update(_error_schemas())
    _patch_bodies(schemas)
    components["securitySchemes"] = {
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key, when the service is configured with keys.",
        }
    }
    for path, operation in _operations(document):
        _complete_operation(path, operation)
    return document


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for operation in item.values():
            yield path, operation


def _error_schemas() -> dict[str, JsonSchema]:
    schema = Error.model_json_schema(ref_template=COMPONENTS + "{model}", mode="serialization")
    nested: dict[str, JsonSchema] = schema.pop("$defs", {})
    return {**nested, "Error": schema}


def _nullable(schema: JsonSchema) -> JsonSchema:
    return {"anyOf": [*schema["anyOf"], {"type": "null"}], "description": schema["description"]}


def _patch_bodies(schemas: dict[str, Any]) -> None:
    """The request-body fields checked by validators pydantic's schema does not show.

    A renamed model or field fails here (KeyError) rather than leave the document wrong.
    """
    incident = schemas["IncidentIn"]["properties"]
    for name in ("startTime", "endTime"):
        incident[name] = {"title": incident[name]["title"], **_nullable(BODY_TIME)}
    incident["metadata"]["description"] = (
        f"Any JSON object of at most {METADATA_LIMIT} bytes as compact JSON; {PLAIN_JSON}."
    )
    schemas["Service"]["description"] = (
        f"A service the incident touches; further keys are kept as sent ({PLAIN_JSON})."
    )
    report = schemas["ScanReportIn"]["properties"]
    report["createdAt"] = {"title": report["createdAt"]["title"], **BODY_TIME}
    schemas["NoteBody"]["properties"]["body"]["pattern"] = NOT_BLANK


def _complete_operation(path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation["responses"]
    responses.pop("422", None)
    statuses = [500]
    if path.startswith(PREFIX + "/"):
        statuses += [400, 401, 403, 503]
        operation["parameters"] = [*operation.get("parameters", []), TENANT, VERSION]
        operation["security"] = [{}, {BEARER: []}]
    if "requestBody" in operation:
        statuses.append(413)
    for status in statuses:
        responses.setdefault(str(status), {})
    for code, response in responses.items():
        status = int(code)
        if status < 400:
            continue
        phrase = HTTPStatus(status).phrase
        # FastAPI fills a route's own error answer with the bare phrase when it says nothing.
        if response.get("description", phrase) == phrase:
            response["description"] = REASONS.get(status, phrase)
        response["content"] = ERROR_BODY
        if status == 503:
            response["headers"] = RETRY_AFTER
    _link(operation, responses)
    operation["responses"] = dict(sorted(responses.items()))


def _link(operation: dict[str, Any], responses: dict[str, Any]) -> None:
    for (source, status), targets in LINKS.items():
        if operation.get("operationId") == source:
            responses[status]["links"] = {
                target: {"operationId": target, "parameters": parameters}
                for target, parameters in targets.items()
            }
