"""The facets endpoint: a page of the filtered list plus facets over the whole filtered set.

Facets are disjunctive (each computed with every filter but its own), so a dashboard can
offer several values of one field at once; all twelve come from one query. The page is
the list's own paging (``service.lists.paging``).
"""

from typing import Annotated, Any

import polars as pl
from pydantic import Field

from clickhouse import Store
from service.analytics import shaping
from service.lists import paging
from service.lists.filters import Cursor, IncidentFilters, ListQuery
from vocabulary.documents import Document
from vocabulary.enums import Direction


class FacetsQuery(IncidentFilters):
    """Query of ``GET /incidents/facets``: the list's filters and paging; ``limit`` is the
    page size."""

    cursor: Cursor | None = None
    direction: Direction = Direction.NEXT
    limit: Annotated[int, Field(ge=1, le=100)] = 20

    def list_query(self) -> ListQuery:
        return ListQuery(**self.model_dump(exclude={"limit"}), pageSize=self.limit)


def facets(store: Store, org_id: str, filters: IncidentFilters) -> list[dict[str, Any]]:
    """Every facet of the filtered set, in contract order."""
    frame = pl.from_arrow(store.query("facets", filters.params(org_id)))
    assert isinstance(frame, pl.DataFrame)
    return shaping.facet_documents(frame)


def page_with_facets(store: Store, org_id: str, query: FacetsQuery) -> Document:
    """The page the list would answer, with ``facets`` beside ``data`` and ``paging``:
    the facets are read on a thread beside the page, so the answer waits for the longer
    of the two, not for both."""
    counted = paging.BESIDE.submit(facets, store, org_id, query)
    document = paging.page(store, org_id, query.list_query())
    document["facets"] = counted.result()
    return document
