"""The columnar write path against the model and the one-by-one rules it stands in for.

The same random items, valid and not, go through ``ingest.columns.check`` and a
columnar commit into one database, and through ``IncidentIn`` and single upserts into
another. Both must store the same rows, give the same ids and the same errors by index.
"""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import ingest.writer
from clickhouse import Store, StoreConfig
from clickhouse.tables import SCHEMAS
from ingest.batch import UnreadableInput, json_array, json_lines
from ingest.columns import check, check_table, table_row
from ingest.rules import IncidentState, InvalidIncident
from ingest.writer import Rows, RowsOutcome, Upsert, Writer
from tests.conftest import fresh_database
from tests.helpers import incident, tenant
from vocabulary.fields import FIELDS, Kind
from vocabulary.incident import IncidentIn, storable_texts, stored_as_sent
from vocabulary.problems import FieldError, field_errors

pytestmark = pytest.mark.integration

MOMENT = datetime(2024, 6, 1, 12, 0, 0, 123000, tzinfo=UTC)
INSTANTS = ["2024-05-01T10:00:00Z", "2024-05-01T12:00:00.5+02:00", "2024-05-02T00:00:00.25Z"]
TIMES = st.one_of(
    st.sampled_from(INSTANTS),
    st.sampled_from([1714557600, 1714557600.25, "1714557600", " 2024-05-01T10:00:00Z "]),
    st.sampled_from(["2024-05-01T10:00:00", "2024-05-01", "2024-05-01T10:00:00.1234567Z"]),
    st.sampled_from(["2023-02-29T00:00:00Z", "1899-12-31T23:59:59Z", "2299-12-31T23:59:59.9995Z"]),
    st.sampled_from(["yesterday", "", True, [], 10**12, -(10**20), float("inf")]),
    st.none(),
)
SHORT = st.text(st.sampled_from('ab é"\\\n\x00🙂'), max_size=4)
STRINGS = st.one_of(
    SHORT, st.sampled_from(["x" * 11, "y" * 21, "z" * 51, "v" * 101, "é" * 255, "w" * 256])
)
JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**66), 2**66),
        st.floats(allow_nan=True, allow_infinity=True),
        SHORT,
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(SHORT, inner, max_size=3),
    max_leaves=6,
)
SERVICE = st.fixed_dictionaries(
    {"name": st.one_of(SHORT, st.just(""), st.just(7))},
    optional={
        "namespace": st.one_of(SHORT, st.none()),
        "team": JSON_VALUES,
    },
)
FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "type": st.sampled_from(["INCIDENT", "ANOMALY", "ALERT", "incident", 5]),
    "incidentId": st.one_of(st.sampled_from(["a", "b", "c"]), STRINGS, st.just("i" * 17)),
    "title": STRINGS,
    "category": st.sampled_from(["PERFORMANCE", "SECURITY", "OTHER", None]),
    "source": st.sampled_from(["s1", "s2", "", 3]),
    "status": st.sampled_from(["OPEN", "RESOLVED", "RESOLVED", "CLOSED"]),
    "resolution": STRINGS,
    "services": st.one_of(st.lists(SERVICE, max_size=3), st.just("svc")),
    "metricNames": st.one_of(st.lists(STRINGS, max_size=3), st.just([1]), st.just("m")),
    "startTime": TIMES,
    "endTime": TIMES,
    "severity": STRINGS,
    "metadata": st.one_of(st.dictionaries(SHORT, JSON_VALUES, max_size=3), st.just([])),
}


@st.composite
def items(draw: st.DrawFn) -> Any:
    """An incident with a few of its fields replaced, removed, renamed or added."""
    item = incident(
        incidentId=draw(st.sampled_from(["a", "b", "c"])),
        status=draw(st.sampled_from(["OPEN", "RESOLVED"])),
    )
    for name in ("startTime", "endTime"):
        moment = draw(st.none() | st.sampled_from(INSTANTS))
        if moment is not None:
            item[name] = moment
    for name in draw(st.lists(st.sampled_from(sorted(FIELD_VALUES)), max_size=4, unique=True)):
        item[name] = draw(FIELD_VALUES[name])
    change = draw(st.sampled_from(["none"] * 6 + ["drop", "extra", "snake", "not an object"]))
    if change == "drop":
        item.pop(draw(st.sampled_from(sorted(item))))
    elif change == "extra":
        item["bogus"] = 1
    elif change == "snake":
        item["source_site"] = item.pop("sourceSite")
    elif change == "not an object":
        return draw(st.sampled_from([None, 3, "incident", [item]]))
    return item


@pytest.fixture(scope="module")
def stores(chdb_engine: StoreConfig) -> Iterator[tuple[Store, Store]]:
    """Two databases, without background merges: each keeps every row a commit wrote,
    so both can be compared row for row whenever a merge would have run."""
    with fresh_database(chdb_engine) as columnar, fresh_database(chdb_engine) as one_by_one:
        for store in (columnar, one_by_one):
            for table in TABLES:
                store.statement("stop_merges", f"SYSTEM STOP MERGES {store.database}.{table}")
        yield columnar, one_by_one


class Clock:
    """The writers' "now", the same for both paths and moved on between commits."""

    def __init__(self) -> None:
        self.moment = MOMENT

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture(scope="module")
def clock() -> Iterator[Clock]:
    with pytest.MonkeyPatch.context() as patch:
        fixed = Clock()
        patch.setattr(ingest.writer, "now", fixed)
        yield fixed


TABLES = ("incidents", "incident_keys", "incident_events")
Answer = tuple[list[int | None], dict[int, list[FieldError]]]


def by_model(org: str, values: list[Any], writer: Writer) -> Answer:
    """The reference: the model item by item, then single upserts decided one by one."""
    errors: dict[int, list[FieldError]] = {}
    upserts: list[tuple[int, Upsert]] = []
    for index, value in enumerate(values):
        try:
            upserts.append((index, Upsert(org, IncidentIn.model_validate(value))))
        except ValidationError as invalid:
            errors[index] = field_errors(invalid.errors())
    ids: list[int | None] = [None] * len(values)
    outcomes = writer.commit([u for _, u in upserts]) if upserts else []
    for (index, _), outcome in zip(upserts, outcomes, strict=True):
        if isinstance(outcome, IncidentState):
            ids[index] = outcome.id
        else:
            assert isinstance(outcome, InvalidIncident)
            errors[index] = [(f, f"{f}: {m}") for f, m in outcome.errors]
    return ids, errors


def as_columns(org: str, values: list[Any], writer: Writer) -> Answer:
    (outcome,) = writer.commit([Rows(org, check(values))])
    assert isinstance(outcome, RowsOutcome)
    return outcome.ids, outcome.errors


def stored(store: Store, org: str) -> dict[str, list[dict[str, Any]]]:
    """Every row ``org`` has in the incident tables, versions as their rank."""
    found = {}
    for table in TABLES:
        rows = store.client.query_arrow(
            f"SELECT * FROM {table} WHERE org_id = {{org:String}}", parameters={"org": org}
        ).to_pylist()
        rows.sort(key=lambda row: (row["version"], repr(row)))
        versions = sorted({row["version"] for row in rows})
        for row in rows:
            row["version"] = versions.index(row["version"])
            if table == "incident_events":
                row["payload"] = json.loads(row["payload"])
        assert list(rows[0]) == SCHEMAS[table].names if rows else True
        found[table] = rows
    return found


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(items(), min_size=1, max_size=8), min_size=1, max_size=3))
def test_columns_store_what_the_model_and_the_rules_store(
    stores: tuple[Store, Store], clock: Clock, commits: list[list[Any]]
) -> None:
    """Several commits in a row, so that later ones find prior state stored."""
    columnar, one_by_one = stores
    org = tenant()["X-Scope-OrgID"]
    for number, values in enumerate(commits):
        clock.moment = MOMENT + timedelta(minutes=number)
        assert as_columns(org, values, Writer(columnar)) == by_model(
            org, values, Writer(one_by_one)
        )
    assert stored(columnar, org) == stored(one_by_one, org)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(items(), min_size=1, max_size=8))
def test_a_commit_of_new_incidents_stores_what_the_rules_store(
    stores: tuple[Store, Store], clock: Clock, values: list[Any]
) -> None:
    """No incident stored yet and none named twice: every write creates its incident,
    which the columnar rules settle without the join and sort of the general case."""
    columnar, one_by_one = stores
    org = tenant()["X-Scope-OrgID"]
    for number, value in enumerate(values):
        if isinstance(value, dict) and isinstance(value.get("incidentId"), str):
            value["incidentId"] += f"-{number}"
    clock.moment = MOMENT
    assert as_columns(org, values, Writer(columnar)) == by_model(org, values, Writer(one_by_one))
    assert stored(columnar, org) == stored(one_by_one, org)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(items(), min_size=1, max_size=8), min_size=2, max_size=4))
@pytest.mark.usefixtures("clock")
def test_chunks_prepared_while_the_one_before_inserts_store_the_same(
    stores: tuple[Store, Store], commits: list[list[Any]]
) -> None:
    """A bulk load's pipeline, each chunk settled against the one still in flight,
    stores what one commit after another stores."""
    piped, one_after_another = stores
    org = tenant()["X-Scope-OrgID"]
    writer = Writer(piped)
    answers = [
        outcome
        for outcomes in writer.commit_chunks([Rows(org, check(values))] for values in commits)
        for outcome in outcomes
    ]
    expected = [as_columns(org, values, Writer(one_after_another)) for values in commits]
    assert [(a.ids, a.errors) for a in answers if isinstance(a, RowsOutcome)] == expected
    assert stored(piped, org) == stored(one_after_another, org)


@settings(max_examples=60, deadline=None)
@given(st.lists(items(), min_size=1, max_size=8), st.sets(st.integers(0, 7)))
def test_ndjson_lines_are_judged_as_the_json_they_were_sent(
    values: list[Any], broken: set[int]
) -> None:
    lines = [
        (json.dumps(value)[:-1] if n in broken else json.dumps(value)).encode()
        for n, value in enumerate(values)
    ]
    checks = json_lines(lines)
    expected: dict[int, list[FieldError]] = {}
    for n, line in enumerate(lines):
        try:
            IncidentIn.model_validate_json(line)
        except ValidationError as invalid:
            expected[n] = field_errors(invalid.errors())
    assert checks.errors == expected
    assert checks.index.tolist() == [n for n in range(len(lines)) if n not in expected]


def test_plain_items_never_need_the_model() -> None:
    """The common case, valid items as senders write them, is decided by the columns."""
    values = [
        incident(incidentId=f"i{n}", startTime=INSTANTS[n % 3], endTime=1714600000 + n)
        for n in range(30)
    ]
    values[0]["services"] = [{"name": "a", "namespace": "b", "team": {"on": "call"}}]
    values[1]["services"] = [{"name": "a"}]
    # Every limit reached but none passed.
    values[2] |= {
        "incidentId": "i" * 16,
        "title": "é" * 255,
        "description": "d" * 2000,
        "resolution": "r" * 20,
        "services": [{"name": "n" * 255, "namespace": "s" * 255}] * 100,
        "metricNames": ["m" * 255] * 100,
        "sourceSite": "s" * 50,
        "severity": "v" * 10,
        "metadata": {"k": "x" * (64 * 1024 - 10)},
    }
    checks = check(values)
    assert (checks.valid, checks.by_model, checks.errors) == (30, 0, {})


TABLE_TIMES: dict[str, tuple[pa.DataType, st.SearchStrategy[Any]]] = {
    "timestamp": (
        pa.timestamp("us"),
        st.none() | st.sampled_from([datetime(2024, 5, 1, 10, 0, 0, 250999), datetime(1850, 1, 1)]),
    ),
    "seconds": (pa.int64(), st.none() | st.sampled_from([1714557600, -(10**12), 10**11])),
    "text": (pa.string(), st.none() | TIMES.filter(lambda t: isinstance(t, str))),
}
NAMESPACES = st.none() | SHORT | st.just("n" * 256)


def _compact(value: Any) -> str:
    """``value`` as compact JSON: orjson's, as stored, where it takes it."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# Metadata texts as files carry them: many already as stored (all of a table's alike
# are stored as sent, vocabulary.incident.stored_as_sent), others in another style.
COMPACT = st.dictionaries(SHORT, JSON_VALUES, max_size=3).map(_compact)
METADATA_TEXTS = st.one_of(
    st.sampled_from(['{"k": 1}', "[]", "{", '{"n": NaN}', "{}", None]),
    st.sampled_from(['{"n":1e400}', '{"n":1.50}', '{"n":1e2}', '{"a":1,"a":2}', '{"\\u00e9":1}']),
    COMPACT,
    st.dictionaries(SHORT, JSON_VALUES, max_size=3).map(json.dumps),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(METADATA_TEXTS.filter(lambda t: t is not None), st.just("{}")),
        min_size=1,
        max_size=6,
    )
)
def test_texts_are_stored_as_sent_exactly_when_each_is_its_storable_json(
    texts: list[str],
) -> None:
    """One encoding of all the values against the texts joined says what comparing
    each text with its own encoding says (texts that are not JSON go another way)."""
    values = []
    for text in texts:
        try:
            values.append(orjson.loads(text))
        except orjson.JSONDecodeError:
            assume(False)
    each = storable_texts(values) == texts
    assert stored_as_sent(values, texts) == each


@st.composite
def tables(draw: st.DrawFn, metadata: st.SearchStrategy[str | None] = METADATA_TEXTS) -> pa.Table:
    """A Parquet-like table: every column one type, values valid or not within it."""
    time_type, time_values = TABLE_TIMES[draw(st.sampled_from(sorted(TABLE_TIMES)))]
    with_namespace = draw(st.booleans())
    service = pa.struct(
        [("name", pa.string())] + ([("namespace", pa.string())] if with_namespace else [])
    )
    columns: list[tuple[str, pa.DataType]] = [
        *((f.api, pa.string()) for f in FIELDS if f.kind in (Kind.TEXT, Kind.ENUM)),
        ("metricNames", pa.list_(pa.string())),
        ("services", pa.list_(service)),
        ("startTime", time_type),
        ("endTime", time_type),
        ("metadata", pa.string()),
    ]
    rows = []
    for _ in range(draw(st.integers(1, 8))):
        row = incident(incidentId=draw(st.sampled_from(["a", "b", "c"])))
        row["metadata"] = draw(metadata)
        row["startTime"], row["endTime"] = draw(time_values), draw(time_values)
        row["services"] = [
            {
                "name": draw(SHORT | st.none()),
                **({"namespace": draw(NAMESPACES)} if with_namespace else {}),
            }
            for _ in range(draw(st.integers(0, 2)))
        ]
        for name in draw(
            st.lists(st.sampled_from(["title", "type", "severity", "metricNames"]), max_size=2)
        ):
            row[name] = draw(
                FIELD_VALUES[name].filter(
                    lambda v: (
                        isinstance(v, str | list)
                        and all(isinstance(x, str) for x in (v if isinstance(v, list) else [v]))
                    )
                )
            )
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=pa.schema(columns))


@settings(max_examples=150, deadline=None)
@given(st.one_of(tables(), tables(COMPACT)))
def test_arrow_columns_check_as_their_rows_do(table: pa.Table) -> None:
    """A table checked column by column equals its rows checked as decoded items (the
    second kind of table sends its metadata as stored, which takes another path)."""
    columnar = check_table(table)
    by_rows = check([table_row(table, n) for n in range(table.num_rows)])
    assert columnar.errors == by_rows.errors
    assert columnar.index.tolist() == by_rows.index.tolist()
    assert columnar.table.equals(by_rows.table)
    # Columns of the plain types never need the model to accept a row.
    assert columnar.by_model == len(columnar.errors)


def test_a_lone_surrogate_is_refused_as_pydantic_refuses_it() -> None:
    """json takes ``"\\ud800"`` where orjson and pydantic do not: no path may store it."""
    item = json.dumps(incident(title="a\ud800b"))
    with pytest.raises(UnreadableInput, match="surrogate"):
        json_array(f"[{item}]".encode())
    # With a long number in the lines, they are read by json, and still refused.
    lines = [item.encode(), json.dumps(incident(metadata={"n": 10**25})).encode()]
    checks = json_lines(lines)
    assert set(checks.errors) == {0, 1}
    assert checks.valid == 0
