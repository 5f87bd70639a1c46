"""The query files' text: fragments expanded, conditions on absent parameters left out."""

from importlib import resources

from clickhouse.sql import absent, query_text
from service.lists.filters import ListQuery

PAGE = "incidents_page_newest_first"


def test_absent_filters_leave_no_trace_and_given_ones_stay() -> None:
    params = ListQuery.model_validate(
        {"status": ["OPEN"], "service": ["checkout"], "startTimestamp": 1_700_000_000}
    ).params("org-1")
    sql = query_text(PAGE, absent(params))
    for given in ("statuses", "services", "window_start", "org"):
        assert f"{{{given}:" in sql
    for missing in ("types", "categories", "sources", "namespaces", "metrics", "resolution"):
        assert f"{{{missing}:" not in sql
    assert "{window_end:" not in sql
    assert "incident_acks" not in sql


def test_nothing_is_left_out_of_a_call_that_binds_everything() -> None:
    full = query_text(PAGE)
    assert query_text(PAGE, absent({"org": "o", "limit": 3})) == full
    # A condition whose parameter the call does not bind at all stays, so that a
    # forgotten parameter is the engine's error rather than a filter silently dropped.
    assert "{types:Array(String)}" in full


def test_absent_means_none_or_an_empty_list() -> None:
    assert absent({"a": None, "b": [], "c": [1], "d": "", "e": 0, "f": False}) == {"a", "b"}


def comment_lines(sql: str) -> list[str]:
    return [line for line in sql.splitlines() if line.lstrip().startswith("--")]


def test_comment_lines_are_not_sent_and_guarded_lines_stay() -> None:
    """The files' prose stays in the files (clickhouse-connect scans what is sent, in
    Python); the ``-- if`` mark at the end of a line of SQL is kept for ``absent``."""
    files = resources.files("clickhouse").joinpath("queries")
    names = sorted(f.name.removesuffix(".sql") for f in files.iterdir() if f.name.endswith(".sql"))
    assert any(comment_lines(files.joinpath(f"{name}.sql").read_text()) for name in names)
    for name in names:
        assert comment_lines(query_text(name)) == [], name
    assert "-- if statuses" in query_text(PAGE)
