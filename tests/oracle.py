"""A plain-Python reading of API.md's facets and statistics, to check the service against.

It knows the incidents from the writes a test made (applying the contract's start and
resolution rules itself) and computes every answer from those final states with loops
and sets: no SQL, no polars, no code of the reads under test. The strategies and
``load`` at the end make the data through the write path: incidents with several
versions (moved starts, resolutions, reopenings), acknowledgements (rows of
incident_acks), several services and metrics.
"""

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import strategies as st

from clickhouse import Store
from clickhouse.tables import insert_rows
from ingest.rules import IncidentState
from ingest.writer import Upsert, Writer
from tests.helpers import incident as incident_body
from vocabulary.incident import IncidentIn

TYPES = ("INCIDENT", "ANOMALY", "ALERT")
STATUSES = ("OPEN", "RESOLVED")


@dataclass
class Known:
    """An incident's current state, as the oracle derives it from the writes."""

    id: int
    source: str
    type: str
    status: str
    category: str
    severity: str
    priority: str
    resolution: str
    source_site: str
    services: list[tuple[str, str]]
    metrics: list[str]
    start: datetime
    end: datetime | None
    resolved_at: datetime | None
    acknowledged: bool = False


@dataclass
class Oracle:
    """Final states by incident id, built one write at a time in arrival order."""

    incidents: dict[int, Known] = field(default_factory=dict)

    def write(self, incident_id: int, body: dict[str, Any], moment: datetime) -> None:
        """Apply one create-or-update the way API.md states the rules; ``moment`` is now."""
        prior = self.incidents.get(incident_id)
        start = body.get("startTime") or (prior.start if prior else moment)
        end = body.get("endTime")
        resolved = None
        if body["status"] == "RESOLVED":
            resolved = end or (prior.resolved_at if prior else None) or moment
        self.incidents[incident_id] = Known(
            id=incident_id,
            source=body["source"],
            type=body["type"],
            status=body["status"],
            category=body["category"],
            severity=body["severity"],
            priority=body["priority"],
            resolution=body["resolution"],
            source_site=body["sourceSite"],
            services=[(s["name"], s.get("namespace", "")) for s in body["services"]],
            metrics=list(body["metricNames"]),
            start=start,
            end=end,
            resolved_at=resolved,
            acknowledged=prior.acknowledged if prior else False,
        )

    def all(self) -> list[Known]:
        return list(self.incidents.values())


def millis(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


# --- facets ---------------------------------------------------------------------------

FILTERS = (
    "type",
    "status",
    "category",
    "source",
    "service",
    "namespace",
    "metric",
    "resolution",
    "acknowledged",
)


def _facet_values(incident: Known, name: str) -> set[Any]:
    single = {
        "type": incident.type,
        "status": incident.status,
        "category": incident.category,
        "severity": incident.severity,
        "priority": incident.priority,
        "resolution": incident.resolution,
        "source": incident.source,
        "sourceSite": incident.source_site,
        "acknowledged": incident.acknowledged,
    }
    if name in single:
        return {single[name]}
    if name == "service":
        return {s for s, _ in incident.services}
    if name == "namespace":
        return {n for _, n in incident.services}
    return set(incident.metrics)


def _passes(incident: Known, name: str, wanted: Any) -> bool:
    if name in ("resolution", "acknowledged"):
        return wanted is None or _facet_values(incident, name) == {wanted}
    return not wanted or bool(_facet_values(incident, name) & set(wanted))


def in_window(incident: Known, start: datetime | None, end: datetime | None, now: datetime) -> bool:
    """The list's window: starts by ``end`` and lasts (end, resolution, now) to ``start``."""
    last = incident.end or incident.resolved_at or now
    return (end is None or incident.start <= end) and (start is None or last >= start)


def matching(
    incidents: Iterable[Known], filters: dict[str, Any], now: datetime, skip: str = ""
) -> list[Known]:
    """The incidents passing every filter but ``skip``; ``filters`` uses the query names."""
    return [
        i
        for i in incidents
        if in_window(i, filters.get("startTimestamp"), filters.get("endTimestamp"), now)
        and all(_passes(i, f, filters.get(f)) for f in FILTERS if f != skip)
    ]


FACETS = (
    "type",
    "status",
    "category",
    "severity",
    "priority",
    "resolution",
    "source",
    "sourceSite",
    "service",
    "namespace",
    "metric",
    "acknowledged",
)


def facets(incidents: Sequence[Known], filters: dict[str, Any], now: datetime) -> list[Any]:
    answer = []
    for name in FACETS:
        counts: Counter[Any] = Counter()
        for incident in matching(incidents, filters, now, skip=name):
            counts.update(_facet_values(incident, name))
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:50]
        answer.append({"name": name, "values": [{"value": v, "count": n} for v, n in ranked]})
    return answer


def list_ids(incidents: Sequence[Known], filters: dict[str, Any], now: datetime) -> list[int]:
    """The filtered list's ids in list order: newest start first, then larger id."""
    found = matching(incidents, filters, now)
    return [i.id for i in sorted(found, key=lambda i: (i.start, i.id), reverse=True)]


# --- statistics -----------------------------------------------------------------------


def buckets(start: int, end: int, count: int) -> list[tuple[int, int]]:
    """API.md's buckets, from its formula."""
    return [
        (start + (i * (end - start)) // count, start + ((i + 1) * (end - start)) // count)
        for i in range(count)
    ]


def _in(moment: datetime | None, lo: int, hi: int) -> bool:
    return moment is not None and lo * 1000 <= millis(moment) < hi * 1000


def _millis_or_none(moment: datetime | None) -> int | None:
    return None if moment is None else millis(moment)


def types(
    incidents: Sequence[Known],
    start: int,
    end: int,
    count: int,
    *,
    wanted: Sequence[str] = (),
    status: str | None = None,
    resolution: str | None = None,
) -> list[Any]:
    keys = [t for t in TYPES if not wanted or t in wanted]
    # (type, start, resolution time) in milliseconds, worked out once rather than per bucket:
    # up to 10,000 buckets are asked for.
    chosen = [
        (i.type, millis(i.start), _millis_or_none(i.resolved_at))
        for i in incidents
        if i.type in keys and (resolution is None or i.resolution == resolution)
    ]
    answer = []
    for lo, hi in buckets(start, end, count):
        lo_ms, hi_ms = lo * 1000, hi * 1000
        counts = dict.fromkeys(keys, 0)
        for kind, started, resolved in chosen:
            if status == "RESOLVED":
                counted = resolved is not None and lo_ms <= resolved < hi_ms
            else:
                counted = started < hi_ms and (resolved is None or resolved >= lo_ms)
            counts[kind] += counted
        answer.append({"from": lo, "to": hi, "counts": counts})
    return answer


def severities(incidents: Sequence[Known], start: int, end: int, count: int) -> list[Any]:
    keys = sorted({i.severity for i in incidents if _in(i.start, start, end)})
    started = [(i.severity, millis(i.start)) for i in incidents]
    answer = []
    for lo, hi in buckets(start, end, count):
        lo_ms, hi_ms = lo * 1000, hi * 1000
        counts = dict.fromkeys(keys, 0)
        for severity, moment in started:
            if severity in counts and lo_ms <= moment < hi_ms:
                counts[severity] += 1
        answer.append({"from": lo, "to": hi, "counts": counts})
    return answer


def current_priorities(
    incidents: Sequence[Known], status: str, wanted: Sequence[str] = ()
) -> dict[str, int]:
    counts = Counter(
        i.priority for i in incidents if i.status == status and (not wanted or i.type in wanted)
    )
    return dict(sorted(counts.items()))


def type_count(incidents: Sequence[Known], kind: str, start: int, end: int) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for i in incidents:
        if i.type == kind and _in(i.start, start, end):
            counts[i.status] += 1
    return counts


def top_services(
    incidents: Sequence[Known], kind: str, start: int, end: int, limit: int
) -> list[dict[str, Any]]:
    counts: Counter[tuple[str, str]] = Counter()
    for i in incidents:
        if i.type == kind and _in(i.start, start, end):
            counts.update(set(i.services))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [{"service": s, "namespace": n, "count": c} for (s, n), c in ranked]


# --- the data tests write -------------------------------------------------------------

BASE = 1_700_000_000
SERVICES = (("checkout", "shop"), ("cart", "shop"), ("auth", ""), ("auth", "iam"), ("db", "data"))
METRICS = ("latency", "errors", "cpu", "Mem")
SEVERITIES = ("high", "low", "", "critical")
PRIORITIES = ("P1", "P2", "P3", "")
RESOLUTIONS = ("", "fixed", "wontfix")
SOURCES = ("det-a", "det-b")
SITES = ("eu-1", "us-2", "")


def at_millis(value: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=value)


def moments(start: int, end: int, count: int) -> st.SearchStrategy[datetime]:
    """Times around a window, often exactly on (or a millisecond off) a bucket bound."""
    span = end - start
    edge = st.builds(
        lambda i, off: at_millis((start + i * span // count) * 1000 + off),
        st.integers(0, count),
        st.sampled_from((-1, 0, 0, 1)),
    )
    anywhere = st.integers((start - span) * 1000, (end + span) * 1000).map(at_millis)
    return st.one_of(edge, anywhere)


@st.composite
def version(draw: st.DrawFn, times: st.SearchStrategy[datetime], first: bool) -> dict[str, Any]:
    """One create-or-update body; ``incidentId`` and ``source`` are set by ``plans``."""
    # A first write without a start begins now; a later one keeps the start it had.
    given = draw(st.integers(0, 7)) > 0 if first else draw(st.booleans())
    start = draw(times) if given else None
    end = None
    if start is not None and draw(st.booleans()):
        end = start + timedelta(milliseconds=draw(st.sampled_from((0, 1, 999, 60_000, 10**8))))
    services = draw(st.lists(st.sampled_from(SERVICES), min_size=1, max_size=3))
    return incident_body(
        type=draw(st.sampled_from(TYPES)),
        status=draw(st.sampled_from(STATUSES)),
        category=draw(st.sampled_from(("PERFORMANCE", "SECURITY"))),
        severity=draw(st.sampled_from(SEVERITIES)),
        priority=draw(st.sampled_from(PRIORITIES)),
        resolution=draw(st.sampled_from(RESOLUTIONS)),
        sourceSite=draw(st.sampled_from(SITES)),
        services=[{"name": n, "namespace": ns} for n, ns in services],
        metricNames=draw(st.lists(st.sampled_from(METRICS), max_size=3)),
        startTime=start,
        endTime=end,
    )


@dataclass(frozen=True)
class Plan:
    """What a test writes: each incident's versions in order, and who acknowledges what."""

    versions: list[list[dict[str, Any]]]
    acks: list[int]


@st.composite
def plans(draw: st.DrawFn, times: st.SearchStrategy[datetime], most: int = 10) -> Plan:
    count = draw(st.integers(0, most))
    versions = []
    for number in range(count):
        key = {"incidentId": f"i{number}", "source": draw(st.sampled_from(SOURCES))}
        bodies = [draw(version(times, first=True))]
        bodies += draw(st.lists(version(times, first=False), max_size=2))
        versions.append([{**b, **key} for b in bodies])
    acks = draw(st.lists(st.integers(0, max(count - 1, 0)), max_size=count)) if count else []
    return Plan(versions, acks)


def load(client: TestClient, plan: Plan) -> tuple[str, Oracle]:
    """Write ``plan`` for a fresh tenant through ``Writer.commit``, one commit per round
    of versions so that versions land in separate parts; acknowledgements are rows of
    incident_acks."""
    assert isinstance(client.app, FastAPI)
    store: Store = client.app.state.services.store
    writer = Writer(store)
    org = f"org-{uuid.uuid4().hex[:10]}"
    oracle = Oracle()
    rounds = max((len(v) for v in plan.versions), default=0)
    for round_ in range(rounds):
        bodies = [v[round_] for v in plan.versions if len(v) > round_]
        writes = [Upsert(org, IncidentIn.model_validate(b)) for b in bodies]
        for write, body, outcome in zip(writes, bodies, writer.commit(writes), strict=True):
            assert isinstance(outcome, IncidentState), outcome
            oracle.write(write.id, body, outcome.updated_at)
    ids = [Upsert(org, IncidentIn.model_validate(plan.versions[n][0])).id for n in plan.acks]
    for number, incident_id in enumerate(ids):
        oracle.incidents[incident_id].acknowledged = True
        row = {
            "org_id": org,
            "id": incident_id,
            "ack_time": at_millis(BASE * 1000 + number),
            "user_id": f"user-{number}",
            "user_email": None,
            "version": number + 1,
        }
        insert_rows(store, "incident_acks", [row])
    return org, oracle
