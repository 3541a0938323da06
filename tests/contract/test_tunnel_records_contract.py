"""``TunnelRecords``: managed tunnels the backend issued, in SQLite, PostgreSQL and the fake."""

import abc

import pytest
from synth_ai.adapters.sqlite import Database
from synth_ai.adapters.sqlite.tunnels import SqliteTunnelRecords
from synth_ai.domain.tunnels.model import TunnelRecord
from synth_ai.ports.tunnels import TunnelRecords

from tests.fakes.tunnels import InMemoryTunnelRecords
from tests.support.ports import port_mismatches


def tunnel(record_id: str, subdomain: str, created_at: float = 1.0) -> TunnelRecord:
    return TunnelRecord(
        record_id,
        subdomain,
        f"{subdomain}.example.test",
        "127.0.0.1",
        8114,
        "tok",
        "active",
        created_at,
        "cf-1",
    )


class TunnelRecordsContract(abc.ABC):
    @abc.abstractmethod
    def make_records(self, request: pytest.FixtureRequest) -> TunnelRecords:
        """Empty records."""

    @pytest.fixture
    def records(self, request):
        return self.make_records(request)

    def test_it_offers_every_method_of_the_port(self, records):
        assert port_mismatches(records, TunnelRecords) == []

    def test_records_are_listed_per_org_in_creation_order(self, records):
        records.add("org_a", tunnel("t2", "b", 2.0))
        records.add("org_a", tunnel("t1", "a", 1.0))
        records.add("org_b", tunnel("t3", "c"))
        assert [r.id for r in records.list("org_a")] == ["t1", "t2"]

    def test_a_subdomain_is_found_with_its_owner(self, records):
        records.add("org_a", tunnel("t1", "demo"))
        owner, found = records.find_subdomain("demo")
        assert owner == "org_a" and found == tunnel("t1", "demo")
        assert records.find_subdomain("other") is None


class TestSqliteTunnelRecords(TunnelRecordsContract):
    def make_records(self, request):
        database = Database(request.getfixturevalue("tmp_path") / "synth.db")
        request.addfinalizer(database.close)
        return SqliteTunnelRecords(database)


class TestPostgresTunnelRecords(TunnelRecordsContract):
    def make_records(self, request):
        from synth_ai.adapters.postgres import Database as PostgresDatabase
        from synth_ai.adapters.postgres.tunnels import PostgresTunnelRecords

        database = PostgresDatabase(
            request.getfixturevalue("postgres_url"),
            schema=request.getfixturevalue("postgres_schema"),
            max_size=2,
        )
        request.addfinalizer(database.close)
        return PostgresTunnelRecords(database)

    def test_adding_a_subdomain_again_replaces_its_record(self, records):
        records.add("org_a", tunnel("t1", "demo"))
        records.add("org_b", tunnel("t2", "demo", 2.0))
        owner, found = records.find_subdomain("demo")
        assert (owner, found.id) == ("org_b", "t2") and records.list("org_a") == []


class TestInMemoryTunnelRecords(TunnelRecordsContract):
    def make_records(self, request):
        return InMemoryTunnelRecords()
