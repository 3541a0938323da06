"""Label values with bounded cardinality: a scrape never grows with what callers send."""

from __future__ import annotations

import threading

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # a path no route serves (its text is never a label)
OTHER = "other"


def method_label(method: str) -> str:
    return method if method in METHODS else OTHER


class BoundedLabel:
    """Passes the first ``limit`` distinct values through and maps every later one to
    ``other``, so a caller inventing model names cannot make the scrape grow without end."""

    def __init__(self, limit: int = 200):
        self._limit = limit
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, value: str | None) -> str:
        value = value or "none"
        with self._lock:
            if value in self._seen:
                return value
            if len(self._seen) < self._limit:
                self._seen.add(value)
                return value
        return OTHER
