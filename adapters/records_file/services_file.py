"""``~/.synth-ai/services.json``: deployment records, written atomically under a file lock.

Every write re-reads the file under an exclusive ``fcntl`` lock on ``services.json.lock``,
changes it, writes a temp file in the same folder and ``os.replace``s it, so readers never see
a half-written file and concurrent writers never lose each other's records. Records whose
process is gone are dropped on every read.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import cattrs
from synth_ai.adapters.procfs import ProcfsInspector
from synth_ai.domain.errors import InvalidInput
from synth_ai.domain.task_apps.deployments import ServiceRecord

log = logging.getLogger("synth_ai.records_file")
_converter = cattrs.Converter()


_processes = ProcfsInspector()
SYNTH_AI_WORDS = ("synth_ai", "synth-ai")


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` runs (kept for callers; the ``ProcessInspector`` port answers it)."""
    return _processes.is_alive(pid)


def runs_synth_ai(pid: int) -> bool:
    """Whether ``pid`` runs synth-ai (so a record whose pid was reused is not trusted)."""
    return _processes.runs(pid, *SYNTH_AI_WORDS)


def deployment_alive(pid: int) -> bool:
    return pid_alive(pid) and runs_synth_ai(pid)


class ServicesFile:
    def __init__(self, path: str | Path, *, is_alive: Callable[[int], bool] = pid_alive):
        self.path = Path(path)
        self._is_alive = is_alive

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> list[dict]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        if not text.strip():
            return []
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InvalidInput(
                f"{self.path} is not valid JSON ({exc}) — delete it; it is rebuilt "
                "by the next 'synth-ai deploy'"
            ) from exc
        services = data.get("services", []) if isinstance(data, dict) else data
        return [item for item in services if isinstance(item, dict)]

    def _write(self, items: list[dict]) -> None:
        tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.tmp")
        tmp.write_text(json.dumps({"services": items}, indent=2), encoding="utf-8")
        os.replace(tmp, self.path)

    def _records(self, items: list[dict]) -> tuple[list[ServiceRecord], bool]:
        live, changed = [], False
        for item in items:
            try:
                record = _converter.structure(item, ServiceRecord)
            except Exception:  # noqa: BLE001 - a foreign or damaged entry is dropped
                log.warning("dropping unreadable service record %r", item)
                changed = True
                continue
            if self._is_alive(record.pid):
                live.append(record)
            else:
                log.info("dropping stale service record %s (pid %s is gone)", record.id, record.pid)
                changed = True
        return live, changed

    def add(self, record: ServiceRecord) -> None:
        with self._locked():
            live, _ = self._records(self._read())
            live = [r for r in live if r.id != record.id] + [record]
            self._write([_converter.unstructure(r) for r in live])
        log.info("recorded service %s at %s (pid %s)", record.id, record.url, record.pid)

    def list(self) -> list[ServiceRecord]:
        with self._locked():
            live, changed = self._records(self._read())
            if changed:
                self._write([_converter.unstructure(r) for r in live])
        return live

    def list_all(self) -> list[ServiceRecord]:
        """Every readable record as written, stale ones too, without pruning (``scan``)."""
        with self._locked():
            items = self._read()
        records = []
        for item in items:
            try:
                records.append(_converter.structure(item, ServiceRecord))
            except Exception:  # noqa: BLE001 - a foreign or damaged entry is skipped
                log.warning("skipping unreadable service record %r", item)
        return records

    def get(self, record_id: str) -> ServiceRecord | None:
        return next((r for r in self.list() if r.id == record_id), None)

    def remove(self, record_id: str) -> bool:
        with self._locked():
            items = self._read()
            kept = [item for item in items if item.get("id") != record_id]
            if len(kept) == len(items):
                return False
            self._write(kept)
        log.info("removed service record %s", record_id)
        return True
