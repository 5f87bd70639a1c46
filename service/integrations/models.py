"""The webhook bodies as the OpenAPI document describes them.

The route reads the body as decoded JSON (``service.integrations.alerts``), not through
these models, which would cost a model object per alert; they say what is read and
what is ignored. Unknown fields are allowed, as the route ignores them.
"""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from ingest.batch import MAX_ITEMS
from service.integrations.alerts import ZERO_TIME
from vocabulary.incident import Name

_OPEN = ConfigDict(extra="allow", frozen=True)


# The route refuses only a body without an alerts array: every other field is read
# where it has the form the senders give it and otherwise left out (or refused for its
# one alert, in the batch answer), so the schema allows any value and says what is read.
Kept = Annotated[Any, Field(description="kept in each incident's metadata as sent")]
Ignored = Annotated[Any, Field(description="ignored")]


class Alert(BaseModel):
    """One alert; Grafana adds ``values``, ``valueString``, ``silenceURL``,
    ``dashboardURL`` and ``panelURL``, which are ignored."""

    model_config = _OPEN

    status: Annotated[Any, Field(description="resolved, else firing")] = "firing"
    labels: Annotated[Any, Field(description="an object of strings; kept in metadata")] = {}
    annotations: Annotated[Any, Field(description="an object of strings; kept in metadata")] = {}
    startsAt: Annotated[Any, Field(description=f"the startTime; {ZERO_TIME} is none")] = None  # noqa: N815
    endsAt: Annotated[  # noqa: N815
        Any, Field(description=f"the endTime when resolved; {ZERO_TIME} is none")
    ] = None
    generatorURL: Kept = None  # noqa: N815
    fingerprint: Annotated[
        Any, Field(description="the incidentId; absent: a hash of the labels")
    ] = None


class AlertWebhook(BaseModel):
    """An Alertmanager webhook (``version`` 4) or a Grafana alerting webhook, which adds
    ``orgId``, ``state``, ``title`` and ``message`` (ignored). An alert that is not an
    object is refused in the answer, by index."""

    model_config = _OPEN

    alerts: Annotated[list[Alert | Any], Field(max_length=MAX_ITEMS)]
    receiver: Kept = None
    groupKey: Kept = None  # noqa: N815
    externalURL: Kept = None  # noqa: N815
    version: Ignored = None
    status: Ignored = None
    groupLabels: Ignored = None  # noqa: N815
    commonLabels: Ignored = None  # noqa: N815
    commonAnnotations: Ignored = None  # noqa: N815
    truncatedAlerts: Ignored = None  # noqa: N815


class WebhookQuery(BaseModel):
    """Query of the alert webhook."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Annotated[Name, Field(description="the incidents' source")] = "alertmanager"


def body_schema() -> dict[str, Any]:
    """``AlertWebhook``'s JSON schema with ``Alert`` written in place, so that it needs no
    entry in the document's components."""
    schema = AlertWebhook.model_json_schema()
    alert = schema.pop("$defs")["Alert"]
    refused = {"description": "anything else: refused in the answer, by index"}
    schema["properties"]["alerts"]["items"] = {"anyOf": [alert, refused]}
    return schema
