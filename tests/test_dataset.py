"""The benchmark dataset's drawing of lists (services, metrics): sizes and values."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.dataset import METRIC_COUNTS, _lists


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 300))
def test_each_list_has_a_drawn_size_and_no_repeat_of_its_first(seed: int, count: int) -> None:
    """Lists may be empty, the last one too: 2M incidents at seed 7 once ended on one."""
    offsets, values = _lists(np.random.default_rng(seed), METRIC_COUNTS, 100, count)
    assert len(offsets) == count + 1
    assert offsets[0] == 0
    assert offsets[-1] == len(values)
    lists = [values[offsets[n] : offsets[n + 1]].tolist() for n in range(count)]
    assert all(len(items) in METRIC_COUNTS for items in lists)
    assert all(0 <= v < 100 for items in lists for v in items)
    assert all(v != items[0] for items in lists for v in items[1:])
