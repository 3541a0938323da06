"""Stop strings over a token stream: nothing past a stop is emitted, nor any tail of a delta
that might turn out to be the start of one (so a streamed answer never shows half a stop)."""

from __future__ import annotations

import codecs


class StopText:
    """Decodes token bytes and holds back any tail that might be the start of a stop string."""

    def __init__(self, stops: tuple[str, ...], markers: tuple[str, ...] = ()):
        """``markers`` are stops of the prompt format (a new turn): an answer cut by its token cap
        part-way through one ends without the partial marker, which is not the model's text."""
        self.markers = tuple(m for m in markers if m)
        self.stops = tuple(s for s in stops if s) + self.markers
        self.pending = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def push(self, data: bytes) -> tuple[str, bool]:
        self.pending += self._decoder.decode(data)
        if not self.stops:
            out, self.pending = self.pending, ""
            return out, False
        hits = [i for i in (self.pending.find(s) for s in self.stops) if i >= 0]
        if hits:
            out, self.pending = self.pending[: min(hits)], ""
            return out, True
        hold = 0
        for stop in self.stops:
            for size in range(min(len(stop) - 1, len(self.pending)), hold, -1):
                if self.pending.endswith(stop[:size]):
                    hold = size
                    break
        cut = len(self.pending) - hold
        out, self.pending = self.pending[:cut], self.pending[cut:]
        return out, False

    def flush(self) -> str:
        out = self.pending + self._decoder.decode(b"", final=True)
        self.pending = ""
        for marker in self.markers:
            for size in range(min(len(marker) - 1, len(out)), 0, -1):
                if out.endswith(marker[:size]):
                    return out[:-size]
        return out
