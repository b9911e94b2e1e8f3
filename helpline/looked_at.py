"""Files that are read once and looked at again now and then: the phone menu's flow files, the
opening hours, and (in demo and development) the SMS wording, keywords and vocabulary. Their
modification times are looked at (stat) at most once a second, not on every request, so an
edit is live within a second."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

RECHECK_SECONDS = 1.0
_looked: dict[str, tuple[float, Any]] = {}


def looked_at(key: str, look: Callable[[], T]) -> T:
    """What `look()` gave for `key`, looked at again when RECHECK_SECONDS have passed."""
    now = time.monotonic()
    seen = _looked.get(key)
    if seen is None or now - seen[0] >= RECHECK_SECONDS:
        seen = _looked[key] = (now, look())
    return seen[1]  # type: ignore[no-any-return]
