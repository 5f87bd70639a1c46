"""Striped locks: writes that read before they write (PATCH, acknowledge, note edits) of
one object run one at a time within a process."""

import threading


class StripedLocks:
    """A fixed set of locks picked by key: PATCHes of one incident run one at a time."""

    def __init__(self, stripes: int = 64) -> None:
        self._locks = [threading.Lock() for _ in range(stripes)]

    def __call__(self, *key: object) -> threading.Lock:
        return self._locks[hash(key) % len(self._locks)]
