"""Fast unique identifiers in UUID form (request ids, message ids).

``uuid.uuid4()`` costs a system call per id; on the hot path that is several percent of a request.
These ids are a random 64-bit prefix drawn once per process (so nodes never collide) and a counter,
formatted as a version-4-shaped UUID string. They are unique, not unpredictable: never use them as secrets.
"""

from __future__ import annotations

import itertools
import os
import threading

_PREFIX = int.from_bytes(os.urandom(8), "big")
_counter = itertools.count(int.from_bytes(os.urandom(4), "big"))
_lock = threading.Lock()


# the first three groups come from the prefix alone: formatted once
_HEAD = f"{_PREFIX >> 32:08x}-{(_PREFIX >> 16) & 0xFFFF:04x}-4{_PREFIX & 0xFFF:03x}-"


def unique_id() -> str:
    with _lock:  # itertools.count is not guaranteed atomic across threads
        n = next(_counter) & 0xFFFFFFFFFFFFFFF
    # the last two groups: "8" to "b" then 15 bits, and 48 bits (as before: (n >> 48) & 0x3FFF | 0x8000, n's low 48)
    return f"{_HEAD}{0x8000 | (n >> 48) & 0x3FFF:04x}-{n & 0xFFFFFFFFFFFF:012x}"
