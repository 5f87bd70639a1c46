"""Scan reports: store them, read a source's newest, and score the cluster.

Every report is kept (``scan_reports`` is a plain MergeTree); "newest" means by
``createdAt``, ties by arrival (the writer clock's version). Any payload up to 16 MiB of
UTF-8 is stored and returned as sent; whether it counts towards the score is decided
when the score is read (``service.scans.scores``), so a payload nobody understands yet is
never refused.
"""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from clickhouse import Store
from clickhouse.tables import insert_rows
from ingest.writer import Writer
from service.scans.scores import ScoreInputs, cluster_score
from vocabulary.documents import Document
from vocabulary.incident import Name, Timestamp
from vocabulary.problems import BadRequest, NotFound, PayloadTooLarge
from vocabulary.timestamps import format_time

PAYLOAD_LIMIT = 16 * 1024 * 1024


class ScanReportIn(BaseModel):
    """Body of ``POST /scan-reports``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    source: Name
    created_at: Annotated[Timestamp, Field(alias="createdAt")]
    payload: Annotated[
        str,
        Field(description="Any text up to 16 MiB as UTF-8 (413 beyond); JSON when it is to score."),
    ]


class ScanReportQuery(BaseModel):
    """Query of ``GET /scan-reports``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Name


def _utf8_size(field: str, text: str) -> int:
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError:
        # JSON's \ud800 escapes decode to lone surrogates, which no store can hold.
        raise BadRequest((field, f"{field}: must be valid Unicode (no lone surrogates)")) from None


def report_document(source: str, created_at: datetime, payload: str) -> Document:
    return {"source": source, "createdAt": format_time(created_at), "payload": payload}


def add(store: Store, writer: Writer, org_id: str, report: ScanReportIn) -> Document:
    """Store a report; a payload over 16 MiB of UTF-8 is refused with 413."""
    _utf8_size("source", report.source)
    size = _utf8_size("payload", report.payload)
    if size > PAYLOAD_LIMIT:
        raise PayloadTooLarge(
            ("payload", f"payload: at most {PAYLOAD_LIMIT} bytes of UTF-8, got {size}")
        )
    row: dict[str, Any] = {
        "org_id": org_id,
        "source": report.source,
        "created_at": report.created_at,
        "version": writer.clock.next(),
        "payload": report.payload,
    }
    insert_rows(store, "scan_reports", [row])
    return report_document(report.source, report.created_at, report.payload)


def latest(store: Store, org_id: str, source: str) -> Document:
    """The newest report of ``source``."""
    found = store.query("scan_latest", {"org": org_id, "source": source}).to_pylist()
    if not found:
        raise NotFound(("source", f"source: no scan report from {source!r}"))
    row = found[0]
    return report_document(row["source"], row["created_at"], row["payload"])


def score(store: Store, org_id: str) -> Document:
    """The cluster score from each source's newest report, if any of them carries one."""
    rows = store.query("scan_score_inputs", {"org": org_id}).to_pylist()
    result = cluster_score(
        [
            ScoreInputs(
                popeye_score=row["popeye_score"],
                kube_bench_totals=row["kube_bench_totals"],
                kubescape_score=row["kubescape_score"],
                trivy_summaries=tuple(row["trivy_summaries"]),
                score=row["score"],
            )
            for row in rows
        ]
    )
    if result is None:
        raise NotFound(("", "no newest scan report of any source carries a score"))
    return {"score": result.score, "grade": result.grade}
