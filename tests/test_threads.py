"""Threads are started, and the thread limit changed, only by steps named for it.

No database: a store that is opened but never asked runs nothing.
"""

import threading
from pathlib import Path

import anyio
import pytest
from anyio import to_thread

from clickhouse import Store, StoreConfig
from ingest.group import GroupCommit
from ingest.writer import Patch, Writer
from service.app import default_thread_limit
from tests.helpers import patch
from vocabulary.incident import IncidentPatch


def flushers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "group-commit"]


def test_a_group_commit_runs_its_flusher_from_start_to_close(tmp_path: Path) -> None:
    store = Store(StoreConfig(data_dir=tmp_path))
    before = flushers()
    group = GroupCommit(Writer(store))
    assert flushers() == before
    # Nothing would ever commit a write queued now: it is refused, not left waiting.
    with pytest.raises(RuntimeError, match="start"):
        group.submit([Patch("acme", 1, IncidentPatch.model_validate(patch()))])
    assert group.start() is group
    assert len(flushers()) == len(before) + 1
    assert group.close(timeout=10)
    assert flushers() == before
    store.close()


def test_the_default_thread_limit_is_set_for_a_while_and_then_restored() -> None:
    async def check() -> None:
        limiter = to_thread.current_default_thread_limiter()
        before = limiter.total_tokens
        with default_thread_limit(7):
            assert limiter.total_tokens == 7
        assert limiter.total_tokens == before

    anyio.run(check)
