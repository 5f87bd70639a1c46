"""Many incidents validated as columns, without a model object per item.

The batch endpoint and the loader come here with decoded items (a dict per item from
orjson), or with Arrow rows: a Parquet file's, or JSON the engine read
(``ingest.json_engine``). Each field's values are checked as one column, by
checks whose limits are read off ``IncidentIn``'s own constraints, and come out as the
values the incidents table stores: an Arrow table, one row per valid item.

An item that any check refuses, or that is not in the plain shape the checks know (an
extra or snake_case key, a time in a form other than ISO 8601 with a zone or epoch
seconds), goes to the model itself. The model says what is wrong, so every error an
answer gives is pydantic's; or it accepts the item, and its canonical dump (which the
checks always pass) joins the columns. The checks can therefore be stricter than the
model but never looser; tests/test_columns.py holds both paths to the same rows, ids and
errors on random items.
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from itertools import repeat
from typing import Any, get_args

import numpy as np
import orjson
import polars as pl
import pyarrow as pa
import pyarrow.compute
from annotated_types import MaxLen, MinLen
from pydantic import StringConstraints, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from clickhouse.tables import INCIDENTS, Column
from vocabulary.fields import FIELDS, Field, Kind
from vocabulary.incident import (
    METADATA_LIMIT,
    IncidentIn,
    Service,
    storable_json,
    storable_texts,
    stored_as_sent,
)
from vocabulary.problems import FieldError, field_errors
from vocabulary.timestamps import EARLIEST, LATEST, epoch_micros, epoch_millis, parse_time

# pyarrow's stubs know few compute overloads for list, struct and string arrays.
pc: Any = pyarrow.compute

_MODEL = TypeAdapter(IncidentIn)
_ALIASES = frozenset(f.api for f in FIELDS)
_SERVICE_KEYS = frozenset(Service.model_fields)
# Names of the stored columns a batch of items fills, in the incidents table's order.
# The writer's own: the tenant, the id, what the rules settle and what commits derive.
_WRITERS = ("org_id", "id", "resolved_at", "updated_at", "version", "is_deleted", "document")
COLUMNS = tuple(name for name in INCIDENTS.names if name not in _WRITERS)
_SCHEMA = pa.schema([INCIDENTS.field(name) for name in COLUMNS])
# ISO 8601 as Arrow parses it exactly like datetime.fromisoformat: a full date and time
# with seconds, up to six fractional digits and a zone. Anything else goes one by one.
_ISO = (
    r"^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?"
    r"(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$"
)
_MICROS = pa.timestamp("us", tz="UTC")
_TIME = INCIDENTS.field("end_time").type
_STRINGS = INCIDENTS.field("metric_names").type
_ENUMS: dict[str, type[Enum]] = {
    f.column: kind
    for f in FIELDS
    if isinstance(kind := IncidentIn.model_fields[f.attribute].annotation, type)
    and issubclass(kind, Enum)
}
_FIRST_MICRO = epoch_micros(EARLIEST)
_LAST_MICRO = epoch_micros(LATEST)
# A JSON number of 20 or more digits may be past 64 bits, which orjson reads as a float
# where pydantic keeps the integer (and refuses it): such texts are decoded by json.
# Digits as 0 and the rest as spaces, then a substring search: 2 ns a byte, where a
# regex took 23 (benchmarks.columns).
_DIGITS = bytes(ord("0") if chr(c).isdigit() and c < 128 else ord(" ") for c in range(256))
_LONG_NUMBER = b"0" * 20


def strict_json(text: bytes | str) -> Any:
    """``json.loads``, refusing what pydantic's JSON parser refuses and json takes: a
    lone surrogate escape (``"\\ud800"``), which no UTF-8 text can hold or store."""
    value = json.loads(text)
    try:
        json.dumps(value, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise ValueError("a string holds a lone surrogate escape, not valid UTF-8") from None
    return value


def reader(text: bytes) -> Callable[[bytes | str], Any]:
    """What decodes ``text`` (or pieces of it) the way pydantic would see its numbers."""
    return strict_json if _LONG_NUMBER in text.translate(_DIGITS) else orjson.loads


def decode(text: bytes) -> Any:
    """JSON text as Python values, the way pydantic would see its numbers."""
    return reader(text)(text)


@dataclass(frozen=True)
class _Limits:
    """What a field's checks need, read off the model."""

    min_length: int
    max_length: int | None
    item_max_length: int | None = None  # each string of a list of strings
    required: bool = True


def _lengths(metadata: Sequence[Any]) -> tuple[int, int | None]:
    low, high = 0, None
    for limit in metadata:
        if isinstance(limit, StringConstraints | MinLen) and limit.min_length is not None:
            low = limit.min_length
        if isinstance(limit, StringConstraints | MaxLen) and limit.max_length is not None:
            high = limit.max_length
    return low, high


def _limits(info: FieldInfo) -> _Limits:
    low, high = _lengths(info.metadata)
    item_high = None
    for argument in get_args(info.annotation):
        item_high = _lengths(getattr(argument, "__metadata__", ()))[1] or item_high
    return _Limits(low, high, item_high, info.is_required())


_FIELD_LIMITS = {name: _limits(info) for name, info in IncidentIn.model_fields.items()}
_SERVICE_LIMITS = {name: _limits(info) for name, info in Service.model_fields.items()}
# Metadata's size is its stored JSON's, in bytes.
_METADATA_LIMITS = _Limits(0, METADATA_LIMIT)


@dataclass
class Checked:
    """One field's column as stored, and which rows it refuses."""

    values: Column
    bad: np.ndarray


Columns = dict[str, Checked]


def _none(count: int) -> np.ndarray:
    return np.zeros(count, bool)


def _all(values: Sequence[Any], kind: type) -> bool:
    return set(map(type, values)) <= {kind}


def _outside(lengths: Column, limits: _Limits) -> np.ndarray:
    counts = lengths.to_numpy(zero_copy_only=False)
    bad: np.ndarray = counts < limits.min_length
    if limits.max_length is not None:
        bad |= counts > limits.max_length
    return bad


# --- the checks: on Arrow columns, whichever form the items came in ---------------------


def _null(array: Column) -> np.ndarray:
    nulls: np.ndarray = array.is_null().to_numpy(zero_copy_only=False)
    return nulls


def _text(array: Column, bad: np.ndarray, limits: _Limits) -> Checked:
    lengths = pc.utf8_length(array.fill_null(""))
    return Checked(array, bad | _null(array) | _outside(lengths, limits))


def _enum(array: Column, bad: np.ndarray, kind: type[Enum]) -> Checked:
    known = pc.is_in(array, value_set=pa.array([member.value for member in kind]))
    return Checked(array, bad | ~known.fill_null(False).to_numpy(zero_copy_only=False))


def _string_list(array: Column, bad: np.ndarray, limits: _Limits) -> Checked:
    bad = bad | _null(array) | _outside(pc.list_value_length(array).fill_null(0), limits)
    flat = array.flatten()
    refused = _null(flat)
    if limits.item_max_length is not None:
        refused |= pc.utf8_length(flat.fill_null("")).to_numpy() > limits.item_max_length
    if refused.any():
        bad[pc.list_parent_indices(array).to_numpy()[refused]] = True
    return Checked(array.fill_null([]) if bad.any() else array, bad)


def _in_range(micros: np.ndarray) -> np.ndarray:
    return (micros >= _FIRST_MICRO) & (micros <= _LAST_MICRO)


def _iso_millis(strings: Column, millis: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """Parse the plain ISO 8601 strings among ``strings`` into ``millis`` (refusing those
    out of range in ``bad``); which ones were parsed."""
    matched = pc.match_substring_regex(strings, _ISO).fill_null(False)
    iso: np.ndarray = matched.to_numpy(zero_copy_only=False)
    if iso.any():
        try:
            parsed = pc.cast(strings.filter(pa.array(iso)), _MICROS)
        except pa.ArrowInvalid:
            return _none(len(strings))  # an impossible date among them: all one by one
        micros = parsed.cast(pa.int64()).to_numpy()
        bad[iso] = ~_in_range(micros)
        millis[iso] = micros // 1000
    return iso


def _time(millis: np.ndarray, missing: np.ndarray, bad: np.ndarray, limits: _Limits) -> Checked:
    if limits.required:
        bad = bad | missing
    return Checked(pa.array(millis, _TIME, mask=missing), bad)


def _service_texts(names: Column, spaces: Column, offsets: Column) -> Column:
    """Services without further keys as Service dumps them: ``[{"name":..,"namespace":..}]``."""
    services = pa.ListArray.from_arrays(
        offsets, pa.StructArray.from_arrays([names, spaces], ["name", "namespace"])
    )
    frame = pl.from_arrow(pa.table({"services": services}))
    assert isinstance(frame, pl.DataFrame)
    encoded = frame.select(pl.struct("services").struct.json_encode()).to_series()
    text = encoded.str.strip_prefix('{"services":').str.strip_suffix("}")
    return text.to_arrow().cast(pa.string())


def _services(
    names: Column, spaces: Column, counts: np.ndarray, bad: np.ndarray, limits: _Limits
) -> tuple[Column, Column, Column, np.ndarray]:
    """The services' name and namespace lists and which rows they refuse."""
    bad = bad | (counts < limits.min_length)
    if limits.max_length is not None:
        bad |= counts > limits.max_length
    offsets: Column = pa.array(np.concatenate([[0], np.cumsum(counts)]).astype(np.int32))
    refused = _null(names) | _null(spaces)
    refused |= _outside(pc.utf8_length(names.fill_null("")), _SERVICE_LIMITS["name"])
    refused |= _outside(pc.utf8_length(spaces.fill_null("")), _SERVICE_LIMITS["namespace"])
    bad[np.repeat(np.arange(len(counts)), counts)[refused]] = True
    return (
        offsets,
        pa.ListArray.from_arrays(offsets, names.fill_null("")),
        pa.ListArray.from_arrays(offsets, spaces.fill_null("")),
        bad,
    )


def _metadata_texts(values: Sequence[Any], texts: Column | None = None) -> Checked:
    """Objects as the JSON text stored, within its size; anything else refused.
    ``texts``: the stored texts already, as ``stored_as_sent`` found them."""
    objects = np.fromiter((type(value) is dict for value in values), bool, len(values))
    if texts is None:
        texts = pa.array(storable_texts(values), pa.string())
    size = pc.binary_length(texts).fill_null(0)
    bad = ~objects | _null(texts) | _outside(size, _METADATA_LIMITS)
    return Checked(pc.if_else(pa.array(bad), pa.scalar(None, pa.string()), texts), bad)


# --- decoded JSON items: Python values per field ---------------------------------------


def _strings(values: Sequence[Any]) -> tuple[Column, np.ndarray]:
    """Strings as Arrow; anything that is not a string is null and refused."""
    if _all(values, str):
        return pa.array(values, pa.string()), _none(len(values))
    bad = np.fromiter((type(v) is not str for v in values), bool, len(values))
    return pa.array([None if b else v for v, b in zip(values, bad, strict=True)], pa.string()), bad


def _py_string_lists(values: Sequence[Any], limits: _Limits) -> Checked:
    good = [type(v) is list and _all(v, str) for v in values]
    lists = [v if ok else [] for v, ok in zip(values, good, strict=True)]
    return _string_list(pa.array(lists, _STRINGS), ~np.array(good, bool), limits)


def _plain_service(service: Any) -> bool:
    if type(service) is not dict or type(service.get("name")) is not str:
        return False
    if type(service.get("namespace", "")) is not str:
        return False
    if service.keys() <= _SERVICE_KEYS:
        return True
    try:
        storable_json({k: v for k, v in service.items() if k not in _SERVICE_KEYS})
    except ValueError:
        return False
    return True


def _extra_service_text(services: list[dict[str, Any]]) -> str:
    # As Service dumps itself: name, namespace (default ""), then the further keys.
    listed = [{"name": s["name"], "namespace": s.get("namespace", ""), **s} for s in services]
    return orjson.dumps(listed).decode()


def _py_services(values: Sequence[Any], limits: _Limits) -> Columns:
    good = [type(v) is list and all(map(_plain_service, v)) for v in values]
    lists = [v if ok else [] for v, ok in zip(values, good, strict=True)]
    counts = np.fromiter(map(len, lists), np.int32, len(lists))
    names, name_bad = _strings([s["name"] for v in lists for s in v])
    spaces, space_bad = _strings([s.get("namespace", "") for v in lists for s in v])
    names = pc.if_else(pa.array(name_bad), None, names)
    spaces = pc.if_else(pa.array(space_bad), None, spaces)
    offsets, name_lists, space_lists, bad = _services(
        names, spaces, counts, ~np.array(good, bool), limits
    )
    text = _service_texts(name_lists.flatten(), space_lists.flatten(), offsets)
    extras = [n for n, v in enumerate(lists) if any(s.keys() - _SERVICE_KEYS for s in v)]
    if extras:
        texts = text.to_pylist()
        for n in extras:
            texts[n] = _extra_service_text(lists[n])
        text = pa.array(texts, pa.string())
    ok = _none(len(values))
    return {
        "services": Checked(text, bad),
        "service_names": Checked(name_lists, ok),
        "service_namespaces": Checked(space_lists, ok),
    }


def _one_time(value: Any) -> int | None:
    """Epoch milliseconds of a time in a form the vectorised parse does not take."""
    try:
        if type(value) in (int, float):
            return epoch_millis(value)
        if type(value) is str:
            return epoch_micros(parse_time(value)) // 1000
    except ValueError:
        pass
    return None


def _py_times(values: Sequence[Any], limits: _Limits) -> Checked:
    """ISO 8601 with a zone parsed by Arrow; numbers and other forms one by one."""
    count = len(values)
    millis = np.zeros(count, np.int64)
    missing = np.fromiter((v is None for v in values), bool, count)
    bad = _none(count)
    iso = _iso_millis(_strings(values)[0], millis, bad)
    for index in np.flatnonzero(~iso & ~missing):
        found = _one_time(values[int(index)])
        if found is None:
            bad[index] = True
        else:
            millis[index] = found
    return _time(millis, missing, bad, limits)


def _py_column(fld: Field, values: Sequence[Any]) -> Columns:
    limits = _FIELD_LIMITS[fld.attribute]
    if fld.kind is Kind.ENUM:
        return {fld.column: _enum(*_strings(values), _ENUMS[fld.column])}
    if fld.kind is Kind.TEXT:
        return {fld.column: _text(*_strings(values), limits)}
    if fld.kind is Kind.STRINGS:
        return {fld.column: _py_string_lists(values, limits)}
    if fld.kind is Kind.TIME:
        return {fld.column: _py_times(values, limits)}
    if fld.column == "services":
        return _py_services(values, limits)
    return {fld.column: _metadata_texts(values)}


def _py_columns(items: Sequence[dict[str, Any]]) -> Columns:
    columns: Columns = {}
    for fld in FIELDS:
        columns |= _py_column(fld, list(map(dict.get, items, repeat(fld.api))))
    return columns


# --- Arrow columns (Parquet): converted without leaving Arrow where the type is plain ---


def _arrow_strings(column: Column) -> Column | None:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column.cast(pa.string())
    return None


def _arrow_times(column: Column, limits: _Limits) -> Checked | None:
    count = len(column)
    missing = _null(column)
    bad = _none(count)
    millis = np.zeros(count, np.int64)
    if pa.types.is_timestamp(column.type):
        # A time without a zone is UTC, and finer units are cut to milliseconds.
        micros = column.cast(pa.timestamp("us")).cast(pa.int64()).fill_null(0).to_numpy()
        return _time(micros // 1000, missing, bad | ~_in_range(micros), limits)
    if pa.types.is_integer(column.type):
        seconds = column.cast(pa.int64()).fill_null(0).to_numpy()
        bad |= (seconds < _FIRST_MICRO // 1_000_000) | (seconds > _LAST_MICRO // 1_000_000)
        return _time(np.where(bad, 0, seconds) * 1000, missing, bad, limits)
    strings = _arrow_strings(column)
    if strings is None:
        return None
    iso = _iso_millis(strings, millis, bad)
    for index in np.flatnonzero(~iso & ~missing):
        found = _one_time(strings[index].as_py())
        bad[index] |= found is None
        millis[index] = found or 0
    return _time(millis, missing, bad, limits)


def _arrow_services(column: Column, limits: _Limits) -> Columns | None:
    kind = column.type
    if not pa.types.is_list(kind) or not pa.types.is_struct(kind.value_type):
        return None
    members = {kind.value_type.field(n).name for n in range(kind.value_type.num_fields)}
    if "name" not in members or not members <= _SERVICE_KEYS:
        return None
    flat = column.flatten()
    names = _arrow_strings(flat.field("name"))
    spaces = (
        _arrow_strings(flat.field("namespace"))
        if "namespace" in members
        else pa.array([""] * len(flat), pa.string())
    )
    if names is None or spaces is None:
        return None
    counts = pc.list_value_length(column).fill_null(0).to_numpy(zero_copy_only=False)
    nulls = _null(column) | np.isin(
        np.arange(len(column)), pc.list_parent_indices(column).to_numpy()[_null(flat)]
    )
    offsets, name_lists, space_lists, bad = _services(names, spaces, counts, nulls, limits)
    ok = _none(len(column))
    return {
        "services": Checked(
            _service_texts(name_lists.flatten(), space_lists.flatten(), offsets), bad
        ),
        "service_names": Checked(name_lists, ok),
        "service_namespaces": Checked(space_lists, ok),
    }


def _arrow_metadata(column: Column) -> Checked | None:
    strings = _arrow_strings(column)
    if strings is None:
        return None
    # One look for long numbers in all the texts at once (the data buffer), not per row.
    data = strings.buffers()[2]
    read = reader(data.to_pybytes() if data is not None else b"")
    texts = strings.to_pylist()
    try:
        values = list(map(read, texts)) if not strings.null_count else None
    except ValueError:
        values = None
    if values is None:  # a null, or a text that is not JSON, among them: one by one
        values = [_decoded_or_none(read, text) for text in texts]
    elif stored_as_sent(values, texts):
        return _metadata_texts(values, strings)
    return _metadata_texts(values)


def _decoded_or_none(read: Callable[[bytes | str], Any], text: str | None) -> Any:
    try:
        return None if text is None else read(text)
    except ValueError:
        return None


def _arrow_text(fld: Field, column: Column, limits: _Limits) -> Checked | None:
    strings = _arrow_strings(column)
    if strings is None:
        return None
    if fld.kind is Kind.ENUM:
        return _enum(strings, _null(strings), _ENUMS[fld.column])
    return _text(strings, _none(len(column)), limits)


def _arrow_string_lists(column: Column, limits: _Limits) -> Checked | None:
    if not pa.types.is_list(column.type) or _arrow_strings(column.flatten()) is None:
        return None
    return _string_list(column.cast(_STRINGS), _none(len(column)), limits)


def _arrow_column(fld: Field, column: Column) -> Columns | None:
    """One field from an Arrow column, or None where its type is not the plain one."""
    limits = _FIELD_LIMITS[fld.attribute]
    if fld.column == "services":
        return _arrow_services(column, limits)
    found: Checked | None
    if fld.kind in (Kind.ENUM, Kind.TEXT):
        found = _arrow_text(fld, column, limits)
    elif fld.kind is Kind.STRINGS:
        found = _arrow_string_lists(column, limits)
    elif fld.kind is Kind.TIME:
        found = _arrow_times(column, limits)
    else:
        found = _arrow_metadata(column)
    return None if found is None else {fld.column: found}


def _arrow_columns(table: pa.Table) -> Columns | None:
    if not set(table.column_names) <= _ALIASES:
        return None
    columns: Columns = {}
    for fld in FIELDS:
        if fld.api not in table.column_names:
            if _FIELD_LIMITS[fld.attribute].required:
                return None
            column = pa.nulls(table.num_rows, _TIME)
        else:
            column = table[fld.api].combine_chunks()
        found = _arrow_column(fld, column)
        if found is None:
            return None
        columns |= found
    return columns


def table_row(table: pa.Table, index: int) -> dict[str, Any]:
    """One row of an Arrow table as the model takes it: Parquet has no free-form
    objects, so metadata may come as JSON text."""
    row: dict[str, Any] = table.slice(index, 1).to_pylist()[0]
    if isinstance(row.get("metadata"), str):
        try:
            return {**row, "metadata": json.loads(row["metadata"])}
        except ValueError:
            return row
    return row


# --- the verdict ------------------------------------------------------------------------


@dataclass
class Checks:
    """Validated items in input order: ``table`` row n is input item ``index[n]``."""

    table: pa.Table
    index: np.ndarray
    total: int  # items in the input, valid or not
    errors: dict[int, list[FieldError]] = field(default_factory=dict)
    # Items the checks sent to the model (valid or not): how often the fast path missed.
    by_model: int = 0

    @property
    def valid(self) -> int:
        return self.table.num_rows

    def before(self, count: int) -> "Checks":
        """Only the first ``count`` items (a strict load stops at its first bad row)."""
        keep = self.index < count
        errors = {n: found for n, found in self.errors.items() if n < count}
        return Checks(kept_rows(self.table, keep), self.index[keep], count, errors)


def _by_model(item: Any) -> tuple[dict[str, Any] | None, list[FieldError]]:
    """The model's verdict on a decoded item or on its JSON text: the item's canonical
    dump, or what is wrong with it."""
    try:
        if isinstance(item, bytes):
            model = _MODEL.validate_json(item)
        else:
            model = _MODEL.validate_python(item)
    except ValidationError as invalid:
        return None, field_errors(invalid.errors())
    return model.model_dump(mode="json", by_alias=True), []


def kept_rows(table: pa.Table, keep: np.ndarray) -> pa.Table:
    """The rows of ``table`` where ``keep`` holds. A filter copies every column, even
    when it leaves nothing out (40 ms of a 100k-row chunk's checks), so none is made
    then."""
    return table if keep.all() else table.filter(pa.array(keep))


def _table(columns: Columns) -> tuple[pa.Table, np.ndarray]:
    bad = np.logical_or.reduce([c.bad for c in columns.values()])
    return pa.table([columns[name].values for name in COLUMNS], schema=_SCHEMA), bad


def _verdict(total: int, fast: np.ndarray, columns: Columns, item: Callable[[int], Any]) -> Checks:
    """Rows of ``fast`` (input positions) the checks passed stand; every other item is
    judged by the model, and those it accepts join in input order."""
    table, bad = _table(columns) if len(fast) else (_SCHEMA.empty_table(), _none(0))
    judged = np.ones(total, bool)
    judged[fast[~bad]] = False
    errors: dict[int, list[FieldError]] = {}
    dumped: list[dict[str, Any]] = []
    accepted: list[int] = []
    slow = np.flatnonzero(judged).tolist()
    for n in slow:
        canonical, problems = _by_model(item(n))
        if canonical is None:
            errors[n] = problems
        else:
            dumped.append(canonical)
            accepted.append(n)
    index = fast[~bad]
    table = kept_rows(table, ~bad)
    if dumped:
        extra, refused = _table(_py_columns(dumped))
        if refused.any():
            raise AssertionError("the columnar checks refuse a canonical incident")
        table = pa.concat_tables([table, extra])
        index = np.concatenate([index, np.array(accepted, np.int64)])
        order = np.argsort(index, kind="stable")
        table, index = table.take(order), index[order]
    return Checks(table, index, total, errors, len(slow))


def check(items: Sequence[Any], texts: Sequence[bytes] | None = None) -> Checks:
    """Validate decoded ``items``. Where each came as JSON text of its own (NDJSON), the
    model judges that ``texts[n]``, so its errors are those of the JSON it was sent."""
    plain = [n for n, item in enumerate(items) if type(item) is dict and item.keys() <= _ALIASES]
    columns = _py_columns([items[n] for n in plain]) if plain else {}
    judged = items if texts is None else texts
    return _verdict(len(items), np.array(plain, np.int64), columns, judged.__getitem__)


def check_read(table: pa.Table, plain: np.ndarray, item: Callable[[int], Any]) -> Checks:
    """Validate JSON items the engine read into ``table``, row n from item n: the rows
    ``plain`` holds as columns, and every other by the model, which judges ``item(n)``
    (its JSON text or its decoded value)."""
    fast = np.flatnonzero(plain)
    columns = _arrow_columns(kept_rows(table, plain)) if len(fast) else {}
    if columns is None:
        raise AssertionError("the engine read a field in a type the checks do not know")
    return _verdict(len(plain), fast, columns, item)


def check_table(table: pa.Table) -> Checks:
    """Validate the rows of an Arrow table (a Parquet row group), column by column where
    the columns have the plain types, else row by row as decoded items."""
    columns = _arrow_columns(table)
    if columns is None:
        return check([table_row(table, n) for n in range(table.num_rows)])
    everything = np.arange(table.num_rows, dtype=np.int64)
    return _verdict(table.num_rows, everything, columns, lambda n: table_row(table, n))
