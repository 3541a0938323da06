"""``ServiceRecords``: the same assertions for services.json and the in-memory fake."""

import abc
import os

import pytest
from synth_ai.adapters.records_file import ServicesFile
from synth_ai.domain.task_apps.deployments import ServiceRecord
from synth_ai.ports.services import ServiceRecords

from tests.fakes.task_apps import InMemoryServiceRecords
from tests.support.ports import port_mismatches

ALIVE, DEAD = 1001, 1002


def record(record_id: str, pid: int = ALIVE, **kw) -> ServiceRecord:
    return ServiceRecord(
        id=record_id,
        url=f"http://127.0.0.1:{8000 + pid % 10}",
        port=8000,
        type="local",
        pid=pid,
        created_at=1.0,
        **kw,
    )


class ServiceRecordsContract(abc.ABC):
    @abc.abstractmethod
    def make(self, tmp_path) -> ServiceRecords:
        """Empty records in which pid ``ALIVE`` runs and ``DEAD`` does not."""

    def test_it_offers_every_method_of_the_port(self, tmp_path):
        assert port_mismatches(self.make(tmp_path), ServiceRecords) == []

    def test_added_records_are_listed_and_found_by_id(self, tmp_path):
        records = self.make(tmp_path)
        records.add(record("a"))
        records.add(record("b", app_id="arithmetic"))
        assert {r.id for r in records.list()} == {"a", "b"}
        assert records.get("b").app_id == "arithmetic"

    def test_adding_the_same_id_replaces_the_record(self, tmp_path):
        records = self.make(tmp_path)
        records.add(record("a"))
        records.add(record("a", app_id="new"))
        assert [r.app_id for r in records.list()] == ["new"]

    def test_records_whose_process_is_gone_are_dropped(self, tmp_path):
        records = self.make(tmp_path)
        records.add(record("live"))
        records.add(record("stale", pid=DEAD))
        assert [r.id for r in records.list()] == ["live"]
        assert records.get("stale") is None

    def test_list_all_shows_stale_records_too_and_prunes_nothing(self, tmp_path):
        records = self.make(tmp_path)
        records.add(record("live"))
        records.add(record("stale", pid=DEAD))
        assert {r.id for r in records.list_all()} == {"live", "stale"}
        assert {r.id for r in records.list_all()} == {"live", "stale"}

    def test_removing_reports_whether_the_record_existed(self, tmp_path):
        records = self.make(tmp_path)
        records.add(record("a"))
        assert records.remove("a") is True
        assert records.remove("a") is False
        assert records.list() == []


class TestServicesFile(ServiceRecordsContract):
    def make(self, tmp_path):
        return ServicesFile(tmp_path / "services.json", is_alive=lambda pid: pid == ALIVE)

    def test_the_file_holds_the_fields_scan_reads(self, tmp_path):
        import json

        records = self.make(tmp_path)
        records.add(record("a", hostname="127.0.0.1", task_app_path="/x/app.py", app_id="arith"))
        stored = json.loads((tmp_path / "services.json").read_text())["services"][0]
        assert {
            "url",
            "port",
            "type",
            "pid",
            "hostname",
            "task_app_path",
            "app_id",
            "created_at",
        } <= set(stored)
        assert stored["type"] == "local"

    def test_concurrent_writers_from_several_processes_lose_no_record(self, tmp_path):
        import subprocess
        import sys

        code = (
            "import os,sys; from synth_ai.adapters.records_file import ServicesFile; "
            "from synth_ai.domain.task_apps.deployments import ServiceRecord; f=ServicesFile(sys.argv[1], is_alive=lambda p: True)\n"
            "for i in range(15): f.add(ServiceRecord(f'{sys.argv[2]}-{i}','u',1,'local',1,1.0))"
        )
        procs = [
            subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "services.json"), f"w{n}"])
            for n in range(3)
        ]
        assert [p.wait(60) for p in procs] == [0, 0, 0]
        assert len(ServicesFile(tmp_path / "services.json", is_alive=lambda pid: True).list()) == 45

    def test_real_pid_liveness_keeps_this_process_and_drops_a_finished_one(self, tmp_path):
        import subprocess
        import sys

        done = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
        )
        records = ServicesFile(tmp_path / "services.json")
        records.add(record("me", pid=os.getpid()))
        records.add(record("gone", pid=int(done.stdout)))
        assert [r.id for r in records.list()] == ["me"]

    def test_a_damaged_file_is_named_with_what_to_do(self, tmp_path):
        from synth_ai.domain.errors import InvalidInput

        (tmp_path / "services.json").write_text("{not json")
        with pytest.raises(InvalidInput, match="services.json is not valid JSON .* delete it"):
            self.make(tmp_path).list()


class TestInMemoryServiceRecords(ServiceRecordsContract):
    def make(self, tmp_path):
        return InMemoryServiceRecords(alive={ALIVE})
