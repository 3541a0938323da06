"""Small fakes of the ports, for unit tests (no MagicMock)."""

from __future__ import annotations

import itertools
import threading


class FakeClock:
    def __init__(self, start: float = 1_700_000_000.0):
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


# -- task apps and tunnels (issue 3) --------------------------------------------------------


class InMemoryServiceRecords:
    """``ServiceRecords`` in memory; ``alive`` says which pids still run."""

    def __init__(self, alive: set[int] | None = None):
        self.alive = alive if alive is not None else set()
        self._records: dict = {}

    def add(self, record) -> None:
        self._records[record.id] = record

    def list(self) -> list:
        self._records = {k: r for k, r in self._records.items() if r.pid in self.alive}
        return list(self._records.values())

    def list_all(self) -> list:
        return list(self._records.values())

    def get(self, record_id: str):
        return next((r for r in self.list() if r.id == record_id), None)

    def remove(self, record_id: str) -> bool:
        return self._records.pop(record_id, None) is not None


class InMemoryCloudflareApi:
    """``CloudflareApi`` in memory: tunnels with ingress, DNS records and tokens."""

    def __init__(self):
        self.tunnels: dict[str, dict] = {}
        self.dns: dict[str, str] = {}
        self._ids = itertools.count(1)

    def create_tunnel(self, name: str) -> str:
        tunnel_id = f"cf-tunnel-{next(self._ids)}"
        self.tunnels[tunnel_id] = {"name": name, "ingress": {}}
        return tunnel_id

    def configure_ingress(self, tunnel_id: str, hostname: str, service: str) -> None:
        self.tunnels[tunnel_id]["ingress"] = {hostname: service}

    def route_dns(self, tunnel_id: str, hostname: str) -> None:
        self.dns[hostname] = f"{tunnel_id}.cfargotunnel.com"

    def tunnel_token(self, tunnel_id: str) -> str:
        return f"token-for-{tunnel_id}"

    def delete_tunnel(self, tunnel_id: str) -> None:
        del self.tunnels[tunnel_id]


class InMemoryTunnelRecords:
    def __init__(self):
        self._rows: dict[str, tuple[str, object]] = {}

    def add(self, org_id: str, record) -> None:
        self._rows[record.id] = (org_id, record)

    def list(self, org_id: str) -> list:
        return sorted(
            (r for o, r in self._rows.values() if o == org_id), key=lambda r: r.created_at
        )

    def find_subdomain(self, subdomain: str):
        return next(((o, r) for o, r in self._rows.values() if r.subdomain == subdomain), None)


class LoopbackTunnels:
    """``TunnelProvider`` without a tunnel: the "public" URL is the local one (checked once)."""

    def __init__(self):
        self.opened: list = []
        self.closed = False

    def close(self) -> None:
        self.closed = True

    def open(
        self, local_host: str, local_port: int, *, mode: str = "quick", subdomain: str | None = None
    ):
        import http.client

        from synth_ai.domain.task_apps.errors import TunnelFailed

        try:
            conn = http.client.HTTPConnection(local_host, local_port, timeout=2)
            conn.request("GET", "/health")
            conn.getresponse().read()
            conn.close()
        except OSError as exc:
            raise TunnelFailed(f"nothing answers on {local_host}:{local_port} ({exc})") from exc
        handle = _LoopbackTunnel(f"http://{local_host}:{local_port}", mode)
        self.opened.append(handle)
        return handle


class _LoopbackTunnel:
    def __init__(self, url: str, mode: str):
        self.url = url
        self.mode = mode
        self.pid = None
        self.hostname = url.split("//", 1)[1]
        self.closed = False

    def close(self) -> None:
        self.closed = True


class SequentialIds:
    def __init__(self):
        self._counter = itertools.count(1)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._counter):06d}"

    def new_uuid(self) -> str:
        import uuid

        return str(uuid.UUID(int=next(self._counter)))


class FakeSessionStore:
    """An in-memory ``SessionStore``: one lock around the same pure rules the real stores use."""

    def __init__(self):
        self._lock = threading.RLock()
        self.sessions: dict = {}
        self.pointers: dict = {}
        self.reservations: dict = {}
        self.entries: list = []

    def create(self, session, *, make_active=True):
        from synth_ai.domain.sessions import model as rules

        with self._lock:
            if make_active:
                previous = self._current(session.org_id, session.user_id, session.created_at)
                if previous is not None:
                    self.sessions[previous.id] = rules.end(previous, session.created_at)
                self.pointers[(session.org_id, session.user_id)] = session.id
            self.sessions[session.id] = session
            return session

    def _current(self, org_id, user_id, now):
        from synth_ai.domain.sessions import model as rules

        session_id = self.pointers.get((org_id, user_id))
        if session_id is None:
            return None
        session = rules.effective(self.sessions[session_id], now)
        self.sessions[session_id] = session
        if session.status not in rules.CURRENT:
            del self.pointers[(org_id, user_id)]
            return None
        return session

    def get(self, session_id):
        return self.sessions.get(session_id)

    def current(self, org_id, user_id, now):
        with self._lock:
            return self._current(org_id, user_id, now)

    def current_or_create(self, org_id, user_id, new, now):
        with self._lock:
            current = self._current(org_id, user_id, now)
            if current is not None:
                return current
            self.sessions[new.id] = new
            self.pointers[(org_id, user_id)] = new.id
            return new

    def list(self, org_id, *, user_id=None, status=None, limit=100, offset=0, now=None):
        from synth_ai.domain.sessions import model as rules

        found = [
            s
            for s in self.sessions.values()
            if s.org_id == org_id
            and (user_id is None or s.user_id == user_id)
            and (status is None or now is not None or s.status == status)
        ]
        if now is not None:
            found = rules.with_status(found, status, now)
        found.sort(key=lambda s: (s.created_at, s.id), reverse=True)
        return found[offset : offset + limit]

    def update(self, session_id, change):
        from synth_ai.domain.errors import SessionNotFound
        from synth_ai.domain.sessions import model as rules

        with self._lock:
            if session_id not in self.sessions:
                raise SessionNotFound(f"no session {session_id!r}")
            changed = change(self.sessions[session_id])
            self.sessions[session_id] = changed
            key = (changed.org_id, changed.user_id)
            if changed.status not in rules.CURRENT and self.pointers.get(key) == session_id:
                del self.pointers[key]
            return changed

    def reserve(self, reservation, now, *, stale_before=None):
        from synth_ai.domain.errors import SessionNotFound
        from synth_ai.domain.sessions import model as rules
        from synth_ai.domain.sessions.model import Amounts

        with self._lock:
            session = self.sessions.get(reservation.session_id)
            if session is None:
                raise SessionNotFound(f"no session {reservation.session_id!r}")
            for held in list(self.reservations.values()):
                if (
                    stale_before is not None
                    and held.session_id == session.id
                    and held.created_at < stale_before
                ):
                    session = rules.settle(session, held.amounts, Amounts(), now)
                    del self.reservations[held.id]
            decision = rules.decide_reservation(session, reservation.amounts, now)
            self.sessions[session.id] = decision.session
            if decision.refusal is None and decision.inactive is None:
                self.reservations[reservation.id] = reservation
        decision.raise_if_refused()
        return decision.warnings

    def settle(self, reservation_id, actual, entry, now):
        from synth_ai.domain.sessions import model as rules

        with self._lock:
            held = self.reservations.pop(reservation_id, None)
            if held is None:
                return False
            session = self.sessions.get(held.session_id)
            if session is not None:
                self.sessions[session.id] = rules.settle(session, held.amounts, actual, now)
            self.entries.append(entry)
            return True

    def get_reservation(self, reservation_id):
        return self.reservations.get(reservation_id)

    def record(self, entry):
        with self._lock:
            self.entries.append(entry)

    def ledger(self, org_id, *, session_id=None, no_session=False, limit=100, offset=0):
        found = [
            e
            for e in reversed(self.entries)
            if e.org_id == org_id
            and (session_id is None or e.session_id == session_id)
            and (not no_session or session_id is not None or e.session_id is None)
        ]
        return found[offset : offset + limit]


# --- artifacts ---------------------------------------------------------------------------


class FakeArtifactCatalog:
    """In-memory ``ArtifactCatalog`` with the same semantics as the SQLite adapter."""

    def __init__(self):
        self.models: dict = {}
        self.jobs: dict = {}
        self.snapshots: dict = {}  # job_id -> {snapshot_id: snapshot}, insertion-ordered

    def register_model(self, model):
        self.models[model.id] = model
        return model

    def register_prompt_job(self, job):
        import attrs

        old = self.jobs.get(job.job_id)
        if old is not None:
            job = attrs.evolve(
                old,
                status=job.status,
                algorithm=job.algorithm or old.algorithm,
                metadata={**old.metadata, **job.metadata},
                updated_at=job.updated_at,
            )
        self.jobs[job.job_id] = job
        return job

    def add_snapshot(self, snapshot):
        import attrs

        job = self.get_prompt_job(snapshot.job_id)
        shots = self.snapshots.setdefault(snapshot.job_id, {})
        shots.pop(snapshot.snapshot_id, None)
        shots[snapshot.snapshot_id] = snapshot
        scored = [s for s in shots.values() if s.score is not None]
        best = max(scored, key=lambda s: s.score, default=None)  # first of equals wins
        job = attrs.evolve(
            job,
            best_snapshot_id=best.snapshot_id if best else None,
            best_score=best.score if best else None,
            best_validation_score=best.validation_score if best else None,
            updated_at=max(job.updated_at, snapshot.created_at),
        )
        self.jobs[job.job_id] = job
        return job

    def list_artifacts(self, *, kind="all", status=None, limit=50):
        from synth_ai.ports.artifacts import ArtifactListing

        def keep(items):
            return sorted(
                [i for i in items if status is None or i.status == status],
                key=lambda i: -i.created_at,
            )

        models = keep(self.models.values()) if kind in ("models", "all") else []
        prompts = keep(self.jobs.values()) if kind in ("prompts", "all") else []
        return ArtifactListing.newest(
            models[:limit], prompts[:limit], limit, len(models) + len(prompts)
        )

    def get_model(self, model_id):
        from synth_ai.domain.errors import UnknownArtifactId

        if model_id not in self.models:
            raise UnknownArtifactId(f"no model with id {model_id!r}", param="id")
        return self.models[model_id]

    def get_prompt_job(self, job_id):
        from synth_ai.domain.errors import UnknownArtifactId

        if job_id not in self.jobs:
            raise UnknownArtifactId(f"no prompt job with id {job_id!r}", param="job_id")
        return self.jobs[job_id]

    def get_snapshot(self, job_id, snapshot_id):
        from synth_ai.domain.errors import UnknownSnapshot

        self.get_prompt_job(job_id)
        shot = self.snapshots.get(job_id, {}).get(snapshot_id)
        if shot is None:
            raise UnknownSnapshot(
                f"job {job_id} has no snapshot {snapshot_id!r}", param="snapshot_id"
            )
        return shot

    def list_snapshots(self, job_id):
        self.get_prompt_job(job_id)
        return list(self.snapshots.get(job_id, {}).values())


class FakeModelHub:
    """Records uploads instead of talking to a hub."""

    def __init__(self):
        self.uploads: list[dict] = []

    def upload_folder(self, folder, *, repo_id, private, model_card, token=None, progress=None):
        from synth_ai.ports.artifacts import HubUpload

        files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
        self.uploads.append(
            {
                "folder": folder,
                "repo_id": repo_id,
                "private": private,
                "model_card": model_card,
                "token": token,
                "files": files,
            }
        )
        return HubUpload(
            repo_id, f"https://hub.invalid/{repo_id}", [*files, "README.md"], "fakecommit"
        )


# -- Responses bridge ---------------------------------------------------------------------------
class InMemoryResponseStore:
    """``ResponseStore`` in a dict, keyed by (org, id)."""

    def __init__(self):
        self._records: dict[tuple[str, str], object] = {}

    def save(self, record) -> None:
        self._records[(record.org_id, record.id)] = record

    def get(self, org_id: str, response_id: str):
        return self._records.get((org_id, response_id))


class FakeChatStream:
    def __init__(self, chunks: list, error: Exception | None = None):
        self._chunks = chunks
        self._error = error
        self.closed = False

    def __iter__(self):
        for chunk in self._chunks:
            if self.closed:
                return
            yield chunk
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class ScriptedChatProvider:
    """``ChatProvider`` answering from a queue of chunk lists (or raising a queued error).

    ``push(chunks, error=None)``: the next call streams ``chunks`` then raises ``error`` if given;
    ``push_error(exc)``: the next call fails before streaming. ``requests`` records bodies.
    """

    def __init__(self):
        self.requests: list[dict] = []
        self.streams: list[FakeChatStream] = []
        self._queue: list = []

    def push(self, chunks: list, error: Exception | None = None) -> None:
        self._queue.append((chunks, error))

    def push_error(self, error: Exception) -> None:
        self._queue.append(error)

    def _next(self, request: dict):
        self.requests.append(request)
        item = self._queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    def stream(self, request: dict) -> FakeChatStream:
        chunks, error = self._next(request)
        stream = FakeChatStream(chunks, error)
        self.streams.append(stream)
        return stream

    def complete(self, request: dict) -> dict:
        chunks, error = self._next(request)
        if error is not None:
            raise error
        text, calls, finish, usage = "", {}, "stop", None
        for chunk in chunks:
            usage = chunk.get("usage") or usage
            for choice in chunk.get("choices") or []:
                delta = choice.get("delta") or {}
                text += delta.get("content") or ""
                for call in delta.get("tool_calls") or []:
                    entry = calls.setdefault(
                        call["index"],
                        {
                            "id": call.get("id"),
                            "type": "function",
                            "function": {"name": "", "arguments": ""},
                        },
                    )
                    fn = call.get("function") or {}
                    entry["function"]["name"] += fn.get("name") or ""
                    entry["function"]["arguments"] += fn.get("arguments") or ""
                finish = choice.get("finish_reason") or finish
        message = {"role": "assistant", "content": text or None}
        if calls:
            message["tool_calls"] = [calls[i] for i in sorted(calls)]
        return {
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": usage,
        }

    def models(self) -> list[dict]:
        return []


class RecordingMeter:
    """``Meter`` that records reservations and settlements; refuses when ``refuse`` is set."""

    def __init__(self, refuse: Exception | None = None):
        self.refuse = refuse
        self.reservations: list[dict] = []
        self.settled: list = []

    def reserve(
        self, *, model: str, prompt_tokens: int, max_output_tokens: int | None, choices: int = 1
    ):
        if self.refuse is not None:
            raise self.refuse
        self.reservations.append(
            {"model": model, "prompt_tokens": prompt_tokens, "max_output_tokens": max_output_tokens}
        )
        meter = self

        class _Charge:
            session_id = None
            warnings: list = []
            max_output_tokens = None

            def settle(self, usage) -> None:
                meter.settled.append(usage)

        return _Charge()


def chat_chunks(
    text: str = "",
    *,
    reasoning: str = "",
    tool_calls: list | None = None,
    finish: str | None = None,
    usage: dict | None = None,
    size: int = 5,
) -> list[dict]:
    """Chat chunks as an upstream streams them: role, reasoning, text, tool calls, finish, usage."""

    def chunk(delta, finish_reason=None):
        return {"choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}

    pieces = [chunk({"role": "assistant", "content": ""})]
    pieces += [
        chunk({"reasoning_content": reasoning[i : i + size]})
        for i in range(0, len(reasoning), size)
    ]
    pieces += [chunk({"content": text[i : i + size]}) for i in range(0, len(text), size)]
    for index, (name, arguments, *rest) in enumerate(tool_calls or []):
        call_id = rest[0] if rest else f"call_{index}"
        pieces.append(
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": index,
                            "id": call_id,
                            "type": "function",
                            "function": {"name": name, "arguments": ""},
                        }
                    ]
                }
            )
        )
        pieces += [
            chunk(
                {
                    "tool_calls": [
                        {"index": index, "function": {"arguments": arguments[i : i + size]}}
                    ]
                }
            )
            for i in range(0, len(arguments), size)
        ]
    pieces.append(chunk({}, finish or ("tool_calls" if tool_calls else "stop")))
    if usage is not None:
        pieces.append({"choices": [], "usage": usage})
    return pieces


class RecordingMeterFactory:
    """``MeterFactory`` handing out one shared ``RecordingMeter``; ``refuse`` makes it say no."""

    def __init__(self):
        self.meter = RecordingMeter()
        self.calls: list[dict] = []

    def meter_for(self, principal, *, session_id, opt_out):
        self.calls.append(
            {"org_id": principal.org_id, "session_id": session_id, "opt_out": opt_out}
        )
        return self.meter
