"""``SessionStore`` in Redis, shared by several ``synth-ai serve`` replicas.

Keys (all under one prefix, ``synth:`` by default); session ids are scoped per org, so every
key of one session names its org: ``session:{org}/{id}`` (JSON document), ``current:{org}:{user}``
(id of the current session), ``sessions:{org}`` and ``sessions:{org}:{user}`` (sorted sets by
creation time), ``reservation:{id}`` with ``reservations:{org}/{session}`` (a sorted set by lease
end, to release lapsed ones), and the ledger lists ``ledger:{org}``,
``ledger-session:{org}/{id}``, ``ledger-nosession:{org}`` (newest first). Reserve, settle, renew
and create run as Lua scripts (atomic; create is insert-if-absent); admin changes (end, limits)
use WATCH/MULTI around the pure Python rules. Sessions written under the keys of an older
synth-ai (``session:{id}``) are not read.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import redis
from synth_ai.adapters.redis.client import connect, reachable
from synth_ai.adapters.redis.session_scripts import CREATE, RELEASE, RENEW, RESERVE, SETTLE
from synth_ai.adapters.wire import session_documents as docs
from synth_ai.domain.errors import LimitExceeded
from synth_ai.domain.sessions import model, rules
from synth_ai.domain.sessions.errors import SessionIdTaken, SessionNotFound
from synth_ai.domain.sessions.model import Amounts, LedgerEntry, Reservation, Session


class RedisSessionStore:
    def __init__(self, client: redis.Redis, *, prefix: str = "synth:"):
        self._redis = client
        self._prefix = prefix
        self._reserve = client.register_script(RESERVE)
        self._settle = client.register_script(SETTLE)
        self._create = client.register_script(CREATE)
        self._renew = client.register_script(RENEW)
        self._release = client.register_script(RELEASE)

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "synth:") -> RedisSessionStore:
        return cls(connect(url), prefix=prefix)

    def _key(self, *parts: str) -> str:
        return self._prefix + ":".join(parts)

    def _scoped(self, kind: str, org_id: str, session_id: str) -> str:
        """``{prefix}{kind}:{org}/{id}``: ids are scoped per org (a session id has no ``/``,
        so the key splits one way only)."""
        return f"{self._prefix}{kind}:{org_id}/{session_id}"

    def _reachable(self):
        return reachable(self._redis)

    def _run_create(self, session: Session, mode: str, now: float) -> Session:
        keys = [
            self._key("current", session.org_id, session.user_id),
            self._scoped("session", session.org_id, session.id),
            self._key("sessions", session.org_id),
            self._key("sessions", session.org_id, session.user_id),
        ]
        args = [
            docs.dumps(session),
            repr(now),
            session.id,
            repr(session.created_at),
            self._prefix,
            mode,
            session.org_id,
        ]
        with self._reachable():
            raw = self._create(keys=keys, args=args)
        if raw is None:
            raise SessionIdTaken(
                f"session {session.id!r} already exists — choose another id", param="session_id"
            )
        return docs.session(raw)

    # -- SessionStore -----------------------------------------------------------------------
    def create(self, session: Session, *, make_active: bool = True) -> Session:
        self._run_create(session, "make_active" if make_active else "plain", session.created_at)
        return session

    def get(self, org_id: str, session_id: str) -> Session | None:
        with self._reachable():
            raw = self._redis.get(self._scoped("session", org_id, session_id))
        return docs.session(raw) if raw else None

    def current(self, org_id: str, user_id: str, now: float) -> Session | None:
        with self._reachable():
            session_id = self._redis.get(self._key("current", org_id, user_id))
        session = self.get(org_id, session_id.decode()) if session_id else None
        if session is None:
            return None
        if rules.effective(session, now).status not in model.CURRENT:
            self.update(org_id, session.id, lambda s: rules.effective(s, now))
            return None
        return session

    def current_or_create(self, org_id: str, user_id: str, new: Session, now: float) -> Session:
        return self._run_create(new, "current_or_create", now)

    def list(
        self,
        org_id: str,
        *,
        user_id: str | None = None,
        status: str | None = None,
        limit: int = 100,
        offset: int = 0,
        now: float | None = None,
    ) -> list[Session]:
        index = (
            self._key("sessions", org_id, user_id)
            if user_id is not None
            else self._key("sessions", org_id)
        )
        with self._reachable():
            ids = [i.decode() for i in self._redis.zrevrange(index, 0, -1)]
            raws = (
                self._redis.mget([self._scoped("session", org_id, i) for i in ids]) if ids else []
            )
        found = [docs.session(raw) for raw in raws if raw]
        if now is not None:
            found = rules.with_status(found, status, now)
        elif status is not None:
            found = [s for s in found if s.status == status]
        return found[offset : offset + limit]

    def update(self, org_id: str, session_id: str, change: Callable[[Session], Session]) -> Session:
        key = self._scoped("session", org_id, session_id)
        with self._reachable(), self._redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    if raw is None:
                        raise SessionNotFound(f"no session {session_id!r}", param="session_id")
                    session = docs.session(raw)
                    changed = change(session)
                    if changed == session:  # nothing to write: leave others' WATCH intact
                        pipe.reset()
                        return changed
                    current_key = self._key("current", changed.org_id, changed.user_id)
                    pipe.watch(current_key)
                    points_here = (pipe.get(current_key) or b"").decode() == session_id
                    pipe.multi()
                    pipe.set(key, docs.dumps(changed))
                    if changed.status not in model.CURRENT and points_here:
                        pipe.delete(current_key)
                    pipe.execute()
                    return changed
                except redis.WatchError:
                    continue

    def reserve(
        self, reservation: Reservation, now: float, *, stale_before: float | None = None
    ) -> tuple[str, ...]:
        keys = [
            self._scoped("session", reservation.org_id, reservation.session_id),
            self._key("reservation", reservation.id),
            self._scoped("reservations", reservation.org_id, reservation.session_id),
        ]
        args = [
            json.dumps(reservation.amounts.as_dict()),
            repr(now),
            docs.dumps(reservation),
            "" if stale_before is None else repr(stale_before),
            reservation.id,
            repr(reservation.expiry()),
            self._prefix,
        ]
        with self._reachable():
            verdict, raw = self._reserve(keys=keys, args=args)
        if verdict == b"missing":
            raise SessionNotFound(f"no session {reservation.session_id!r}", param="X-Session-ID")
        # The script returned the session as it was before; the pure rule names the reason.
        decision = rules.decide_reservation(docs.session(raw), reservation.amounts, now)
        if verdict == b"ok":
            return decision.warnings
        decision.raise_if_refused()
        # The script's verdict is what holds budget: a refusal the Python rule would not have
        # made must still never let the request run unreserved.
        raise LimitExceeded(
            f"session {reservation.session_id} could not reserve this request — check it with "
            "'synth-ai session show' and retry",
            session_id=reservation.session_id,
        )

    def settle(self, reservation_id: str, actual: Amounts, entry: LedgerEntry, now: float) -> bool:
        keys = [self._key("reservation", reservation_id), self._key("ledger", entry.org_id)]
        args = [json.dumps(actual.as_dict()), repr(now), docs.dumps(entry), self._prefix]
        with self._reachable():
            return bool(self._settle(keys=keys, args=args))

    def release_lapsed(self, org_id: str, session_id: str, now: float) -> Session | None:
        keys = [
            self._scoped("session", org_id, session_id),
            self._scoped("reservations", org_id, session_id),
        ]
        with self._reachable():
            raw = self._release(keys=keys, args=[repr(now), self._prefix])
        return docs.session(raw) if raw else None

    def renew(self, reservation_id: str, expires_at: float, progress: Amounts) -> bool:
        keys = [self._key("reservation", reservation_id)]
        args = [repr(expires_at), json.dumps(progress.as_dict()), reservation_id, self._prefix]
        with self._reachable():
            return bool(self._renew(keys=keys, args=args))

    def get_reservation(self, reservation_id: str) -> Reservation | None:
        with self._reachable():
            raw = self._redis.get(self._key("reservation", reservation_id))
        return docs.reservation(raw) if raw else None

    def open_reservations(self) -> dict[str, int]:
        """Summed over the per-session sets ``reservations:{org}/{session}`` (SCAN, not KEYS,
        so a scrape never blocks Redis)."""
        head = self._prefix + "reservations:"
        counts: dict[str, int] = {}
        with self._reachable():
            for key in self._redis.scan_iter(match=head + "*", count=500):
                org_id = key.decode()[len(head) :].rsplit("/", 1)[0]
                held = int(self._redis.zcard(key))
                if held:
                    counts[org_id] = counts.get(org_id, 0) + held
        return counts

    def held_reservations(self, org_id: str, session_id: str) -> list[Reservation]:
        with self._reachable():
            held = self._redis.zrange(self._scoped("reservations", org_id, session_id), 0, -1)
            ids = [i.decode() for i in held]
            raws = self._redis.mget([self._key("reservation", i) for i in ids]) if ids else []
        return docs.oldest_first(docs.reservation(raw) for raw in raws if raw)

    def record(self, entry: LedgerEntry) -> None:
        data = docs.dumps(entry)
        with self._reachable(), self._redis.pipeline(transaction=True) as pipe:
            pipe.lpush(self._key("ledger", entry.org_id), data)
            if entry.session_id is None:
                pipe.lpush(self._key("ledger-nosession", entry.org_id), data)
            else:
                pipe.lpush(self._scoped("ledger-session", entry.org_id, entry.session_id), data)
            pipe.execute()

    def ledger(
        self,
        org_id: str,
        *,
        session_id: str | None = None,
        no_session: bool = False,
        limit: int = 100,
        offset: int = 0,
    ) -> list[LedgerEntry]:
        if session_id is not None:
            key = self._scoped("ledger-session", org_id, session_id)
        elif no_session:
            key = self._key("ledger-nosession", org_id)
        else:
            key = self._key("ledger", org_id)
        with self._reachable():
            raws = self._redis.lrange(key, offset, offset + limit - 1)
        entries = [docs.entry(raw) for raw in raws]
        return [e for e in entries if e.org_id == org_id]
