"""The incident's fields: how a stored row of the incident columns reads as the API's fields."""

import json
from typing import Any

from vocabulary.timestamps import format_time


def row_fields(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row of the incident columns as the API's request fields, in contract order
    (times as ISO text). The one mapping from columns back to fields: responses add id,
    resolvedAt, the acknowledgement and updatedAt; a PATCH validates it as a request."""
    return {
        "type": row["type"],
        "incidentId": row["incident_id"],
        "title": row["title"],
        "category": row["category"],
        "description": row["description"],
        "recommendation": row["recommendation"],
        "source": row["source"],
        "status": row["status"],
        "resolution": row["resolution"],
        "services": json.loads(row["services"]),
        "metricNames": row["metric_names"],
        "startTime": format_time(row["start_time"]),
        "endTime": format_time(row["end_time"]),
        "sourceSite": row["source_site"],
        "severity": row["severity"],
        "priority": row["priority"],
        "metadata": json.loads(row["metadata"]),
    }
