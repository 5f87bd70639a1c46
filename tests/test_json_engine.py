"""NDJSON and JSON arrays read by the embedded engine against the same input decoded in
Python.

``ingest.json_engine`` stands in for orjson and the per-item checks; whatever the
input, both must give the same stored rows, the same valid items in the same order and
the same errors by index and field. Where the engine cannot vouch for its rows it must
say so and leave the lines to Python, never read them differently.
"""

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clickhouse import Store, StoreConfig
from ingest import json_engine
from ingest.batch import UnreadableInput, json_array, json_lines
from ingest.json_engine import read_array, read_lines
from tests.conftest import fresh_database
from tests.helpers import incident
from tests.test_columns import INSTANTS, SHORT, STRINGS, TIMES, items
from vocabulary.incident import Service

pytestmark = pytest.mark.integration

# SMALLEST as shipped; the module's store lowers it to 0, so the engine reads small inputs too.
SMALLEST = json_engine.SMALLEST
TEXT_FIELDS = ["title", "incidentId", "status", "resolution", "startTime"]


@pytest.fixture(scope="module")
def embedded(chdb_engine: StoreConfig) -> Iterator[Store]:
    """An embedded store whose engine reads inputs of any size, small ones too."""
    with fresh_database(chdb_engine) as store, pytest.MonkeyPatch.context() as patch:
        patch.setattr(json_engine, "SMALLEST", 0)
        yield store


TEXTS_AS_SENT: dict[str, st.SearchStrategy[Any]] = {
    "type": st.sampled_from(["INCIDENT", "ANOMALY", "incident"]),
    "incidentId": st.one_of(st.sampled_from(["a", "b", "c"]), STRINGS, st.just("i" * 17)),
    "title": STRINGS,
    "status": st.sampled_from(["OPEN", "RESOLVED", "CLOSED"]),
    "resolution": STRINGS,
    "services": st.lists(
        st.fixed_dictionaries({"name": STRINGS}, optional={"namespace": STRINGS}), max_size=3
    ),
    "metricNames": st.lists(st.none() | STRINGS, max_size=3),
    "startTime": TIMES.filter(lambda t: t is None or isinstance(t, str)),
    "endTime": TIMES.filter(lambda t: t is None or isinstance(t, str)),
    "severity": st.none() | STRINGS,
    "metadata": st.dictionaries(
        SHORT, st.integers() | st.floats(allow_nan=False, allow_infinity=False) | SHORT, max_size=3
    ),
}


@st.composite
def readable(draw: st.DrawFn) -> dict[str, Any]:
    """An incident whose every value has the JSON type the engine reads its field in
    (valid or not within it), with a few fields replaced or removed (but its metadata,
    without which the engine leaves the input to Python)."""
    item = incident(
        incidentId=draw(st.sampled_from(["a", "b", "c"])),
        startTime=draw(st.sampled_from(INSTANTS)),
    )
    for name in draw(st.lists(st.sampled_from(sorted(TEXTS_AS_SENT)), max_size=4, unique=True)):
        item[name] = draw(TEXTS_AS_SENT[name])
    if draw(st.integers(0, 5)) == 0:
        item.pop(draw(st.sampled_from(sorted(set(item) - {"metadata"}))))
    return item


def _object_for_a_string(item: dict[str, Any], rng: random.Random) -> None:
    """An object where the model wants a string, in a place JSONEachRow reads as text."""
    place = rng.choice(["field", "metric", "service"])
    if place == "field":
        item[rng.choice(TEXT_FIELDS)] = {"a": 1}
    elif place == "metric":
        item["metricNames"] = ["m", {"a": 1}]
    else:
        item["services"] = [{"name": {"a": 1}, "namespace": "n"}]


def line_of(value: Any, form: str, rng: random.Random) -> bytes:
    """``value`` as one NDJSON line, written one of the ways senders write them."""
    if form == "object for a string" and isinstance(value, dict):
        value = dict(value)
        _object_for_a_string(value, rng)
    ascii_only = form == "ascii escapes"
    text = json.dumps(value, ensure_ascii=ascii_only, allow_nan=True)
    if form == "compact":
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=True)
    elif form == "spaced":
        text = f"  {text}\t "
    elif form == "broken":
        text = text[:-1]
    elif form == "repeated key" and text.startswith("{"):
        text = '{"title": "twice", ' + text[1:]
    elif form == "two on a line":
        text = f"{text} {text}"
    elif form == "trailing comma":
        text += ","
    elif form == "in an array":
        text = f"[{text}]"
    elif form == "raw tab":
        text = text.replace('"', '"\t', 1)
    elif form == "carriage return":
        text += "\r"
    return text.encode()


FORMS = ["plain"] * 20 + [
    "compact",
    "ascii escapes",
    "spaced",
    "object for a string",
    "broken",
    "repeated key",
    "two on a line",
    "trailing comma",
    "in an array",
    "raw tab",
    "carriage return",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(readable() | readable() | readable() | items(), st.sampled_from(FORMS)),
        min_size=1,
        max_size=8,
    ),
    st.randoms(use_true_random=False),
)
def test_the_engine_reads_lines_as_python_decodes_them(
    embedded: Store, drawn: list[tuple[Any, str]], rng: random.Random
) -> None:
    lines = [line_of(value, form, rng) for value, form in drawn]
    lines = [line for line in lines if line.strip()]
    by_python = json_lines(lines)
    by_engine = json_lines(lines, embedded)
    assert by_engine.errors == by_python.errors
    assert by_engine.index.tolist() == by_python.index.tolist()
    assert by_engine.table.equals(by_python.table)
    assert by_engine.total == by_python.total


READABLE_FORMS = [
    "plain",
    "compact",
    "ascii escapes",
    "spaced",
    "object for a string",
    "carriage return",
]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(readable(), st.sampled_from(READABLE_FORMS)), min_size=1, max_size=30),
    st.randoms(use_true_random=False),
)
def test_lines_the_engine_reads_are_judged_as_python_judges_them(
    embedded: Store, drawn: list[tuple[Any, str]], rng: random.Random
) -> None:
    """Many lines, each of the types the engine reads: the engine reads them all, and
    its rows, valid or not, are judged as Python judges them."""
    lines = [line_of(value, form, rng) for value, form in drawn]
    assert read_lines(embedded, lines) is not None
    by_python, by_engine = json_lines(lines), json_lines(lines, embedded)
    assert (by_engine.errors, by_engine.index.tolist()) == (
        by_python.errors,
        by_python.index.tolist(),
    )
    assert by_engine.table.equals(by_python.table)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(readable(), max_size=12) | st.lists(readable() | items(), max_size=12),
    st.sampled_from(["plain", "compact", "indented", "ascii escapes"]),
    st.booleans(),
)
def test_the_engine_reads_arrays_as_python_decodes_them(
    embedded: Store, values: list[Any], form: str, object_for_a_string: bool
) -> None:
    if object_for_a_string and values and isinstance(values[0], dict):
        values[0] = {**values[0], "title": {"a": 1}}
    body = json.dumps(
        values,
        ensure_ascii=form == "ascii escapes",
        indent=2 if form == "indented" else None,
        separators=(",", ":") if form == "compact" else None,
    ).encode()
    by_python, by_engine = json_array(body), json_array(body, embedded)
    assert (by_engine.errors, by_engine.index.tolist()) == (
        by_python.errors,
        by_python.index.tolist(),
    )
    assert by_engine.table.equals(by_python.table)
    assert by_engine.total == by_python.total == len(values)


def test_an_array_of_plain_objects_is_read_by_the_engine(embedded: Store) -> None:
    values = [incident(incidentId=f"i{n}") for n in range(5)] + [incident(title={"a": 1})]
    read = read_array(embedded, json.dumps(values, indent=1).encode())
    assert read is not None
    assert read.plain.tolist() == [True] * 5 + [False]
    checks = json_array(json.dumps(values).encode(), embedded)
    assert (checks.valid, sorted(checks.errors), checks.by_model) == (5, [5], 1)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (json.dumps([incident()] * 3).encode(), "at most 2 items, got 3"),
        (json.dumps(incident()).encode(), "expected a JSON array of incidents"),
        (json.dumps([incident()]).encode() + b" x", "not valid JSON"),
        (b"[]", None),
    ],
    ids=["too many", "an object", "something after it", "empty"],
)
def test_arrays_the_engine_does_not_read_are_answered_as_before(
    embedded: Store, body: bytes, message: str | None
) -> None:
    if message is None:
        assert json_array(body, embedded, limit=2).total == 0
        return
    with pytest.raises(UnreadableInput, match=message):
        json_array(body, embedded, limit=2)


def _lines(*values: dict[str, Any]) -> list[bytes]:
    return [json.dumps(value).encode() for value in values]


def test_plain_lines_are_read_by_the_engine_and_need_no_model(embedded: Store) -> None:
    values = [incident(incidentId=f"i{n}", startTime="2024-05-01T10:00:00Z") for n in range(20)]
    values[0]["title"] = "é🙂 (sent as ASCII escapes by json.dumps)"
    values[1]["services"] = [{"name": "a"}]  # the namespace the model defaults
    read = read_lines(embedded, _lines(*values))
    assert read is not None
    assert read.plain.all()
    checks = json_lines(_lines(*values), embedded)
    assert (checks.valid, checks.by_model, checks.errors) == (20, 0, {})
    default = Service.model_fields["namespace"].default
    assert checks.table["service_namespaces"][1].as_py() == [default]


def test_what_the_engine_cannot_tell_apart_goes_to_the_model(embedded: Store) -> None:
    omitted = {k: v for k, v in incident().items() if k != "metricNames"}
    lines = _lines(
        incident(),
        incident(title={"a": 1}),
        omitted,
        incident(metricNames=[]),
        incident(title="{looks like an object}"),
    )
    read = read_lines(embedded, lines)
    assert read is not None
    assert read.plain.tolist() == [True, False, True, True, False]
    checks = json_lines(lines, embedded)
    assert sorted(checks.errors) == [1, 2]
    assert checks.errors[2] == json_lines(lines).errors[2]
    assert checks.index.tolist() == [0, 3, 4]
    assert checks.table["metric_names"][1].as_py() == []
    assert checks.table["title"][2].as_py() == "{looks like an object}"


@pytest.mark.parametrize(
    "line",
    [
        b'{"title": "twice", ' + json.dumps(incident())[1:].encode(),
        json.dumps(incident()).encode() * 2,
        json.dumps(incident()).encode() + b",",
        json.dumps(incident(title="a\tb")).replace("\\t", "\t").encode(),
        json.dumps(incident(startTime=1714557600)).encode(),
        json.dumps(incident(bogus=1)).encode(),
        b"[" + json.dumps(incident()).encode() + b"]",
        json.dumps(incident(metadata='{"threshold": 2.0}')).encode(),
    ],
    ids=[
        "repeated key",
        "two objects",
        "trailing comma",
        "raw tab",
        "epoch time",
        "extra",
        "array",
        "metadata as a string",
    ],
)
def test_lines_the_engine_cannot_vouch_for_are_left_to_python(embedded: Store, line: bytes) -> None:
    assert read_lines(embedded, [json.dumps(incident()).encode(), line]) is None


def test_small_inputs_are_read_in_python(embedded: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Below ``SMALLEST`` bytes the engine's fixed cost outweighs what it saves."""
    monkeypatch.setattr(json_engine, "SMALLEST", SMALLEST)
    lines = _lines(incident())
    assert read_lines(embedded, lines) is None
    assert read_array(embedded, b"[" + lines[0] + b"]") is None
    many = _lines(*[incident(incidentId=f"i{n}") for n in range(SMALLEST // len(lines[0]) + 1)])
    assert read_lines(embedded, many) is not None


def test_a_server_reads_lines_in_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine reads a file this process wrote, which only the embedded one can."""
    monkeypatch.setattr(json_engine, "SMALLEST", 0)
    server = Store(StoreConfig(url="http://127.0.0.1:1"))
    asked: list[str] = []
    server.observers.append(lambda operation, _seconds, _ok: asked.append(operation))
    assert read_lines(server, _lines(incident())) is None
    assert read_array(server, json.dumps([incident()]).encode()) is None
    assert asked == []
