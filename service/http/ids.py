"""Random ids for requests and error answers: 128 bits as 32 hex digits.

Drawn from the process's own generator, not the OS: ``os.urandom`` (and so ``uuid4``)
is a system call that releases the GIL, and under load the event loop then waits for
the flusher's threads to hand it back, up to a switch interval (5 ms) each time. These
ids correlate log lines; nothing relies on them being unguessable.
"""

import random

_bits = random.Random()


def random_id() -> str:
    return f"{_bits.getrandbits(128):032x}"
