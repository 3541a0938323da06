"""``TrialStore`` on PostgreSQL: interceptor trials shared by several ``serve`` replicas.

A trial is one row (its JSON); each rollout's call counter is a row incremented in place
(``INSERT … ON CONFLICT DO UPDATE SET calls = calls + 1``), so replicas serving one trial at once
never lose a call; the last ``MAX_EXCHANGES`` exchanges of a rollout are kept. Trials older than
``ttl_seconds`` are removed when a new one is stored (their rollouts and exchanges cascade).
"""

from __future__ import annotations

import json

from synth_ai.adapters.postgres.database import Database
from synth_ai.ports.optimisation import Exchange, RolloutCalls, Trial

DEFAULT_TTL = 6 * 3600
MAX_EXCHANGES = 8


class PostgresTrialStore:
    def __init__(self, database: Database, *, ttl_seconds: int = DEFAULT_TTL):
        self._db = database
        self._ttl = ttl_seconds

    def put(self, trial: Trial) -> None:
        data = {
            "trial_id": trial.trial_id,
            "org_id": trial.org_id,
            "user_id": trial.user_id,
            "key_id": trial.key_id,
            "session_id": trial.session_id,
            "prefix": trial.prefix,
            "model": trial.model,
        }
        with self._db.transaction() as conn:
            conn.execute(
                "DELETE FROM interceptor_trials WHERE created_at < now() - make_interval(secs => %s)",
                (self._ttl,),
            )
            conn.execute(
                "INSERT INTO interceptor_trials (trial_id, doc) VALUES (%s, %s) "
                "ON CONFLICT (trial_id) DO UPDATE SET doc = excluded.doc",
                (trial.trial_id, json.dumps(data)),
            )

    def get(self, trial_id: str) -> Trial | None:
        with self._db.transaction() as conn:
            return self._read(conn, trial_id)

    @staticmethod
    def _read(conn, trial_id: str) -> Trial | None:
        row = conn.execute(
            "SELECT doc FROM interceptor_trials WHERE trial_id = %s", (trial_id,)
        ).fetchone()
        if row is None:
            return None
        counters = conn.execute(
            "SELECT tag, calls, refused FROM interceptor_rollouts WHERE trial_id = %s",
            (trial_id,),
        ).fetchall()
        exchanges: dict[str, list[Exchange]] = {}
        for item in conn.execute(
            "SELECT tag, item FROM interceptor_exchanges WHERE trial_id = %s ORDER BY seq",
            (trial_id,),
        ):
            raw = json.loads(item["item"])
            exchanges.setdefault(item["tag"], []).append(Exchange(raw["messages"], raw["output"]))
        data = json.loads(row["doc"])
        rollouts = {
            c["tag"]: RolloutCalls(
                c["calls"], c["refused"], tuple(exchanges.get(c["tag"], ())[-MAX_EXCHANGES:])
            )
            for c in counters
        }
        return Trial(
            data["trial_id"],
            data["org_id"],
            data["user_id"],
            data["key_id"],
            data["session_id"],
            data["prefix"],
            rollouts,
            data.get("model"),
        )

    def record(
        self, trial_id: str, rollout: str, exchange: Exchange | None, *, refused: bool = False
    ) -> None:
        with self._db.transaction() as conn:
            counted = conn.execute(
                "INSERT INTO interceptor_rollouts (trial_id, tag, calls, refused) "
                "SELECT %s, %s, 1, %s WHERE EXISTS "
                "(SELECT 1 FROM interceptor_trials WHERE trial_id = %s) "
                "ON CONFLICT (trial_id, tag) DO UPDATE SET "
                "calls = interceptor_rollouts.calls + 1, "
                "refused = interceptor_rollouts.refused OR excluded.refused",
                (trial_id, rollout, refused, trial_id),
            ).rowcount
            if not counted or exchange is None:  # an unknown (or popped) trial: ignored
                return
            item = {"messages": exchange.messages, "output": exchange.output}
            conn.execute(
                "INSERT INTO interceptor_exchanges (trial_id, tag, item) VALUES (%s, %s, %s)",
                (trial_id, rollout, json.dumps(item)),
            )
            conn.execute(
                "DELETE FROM interceptor_exchanges WHERE trial_id = %s AND tag = %s AND seq < "
                "(SELECT MIN(seq) FROM (SELECT seq FROM interceptor_exchanges "
                " WHERE trial_id = %s AND tag = %s ORDER BY seq DESC LIMIT %s) AS kept)",
                (trial_id, rollout, trial_id, rollout, MAX_EXCHANGES),
            )

    def pop(self, trial_id: str) -> Trial | None:
        with self._db.transaction() as conn:
            conn.execute(
                "SELECT 1 FROM interceptor_trials WHERE trial_id = %s FOR UPDATE", (trial_id,)
            )
            trial = self._read(conn, trial_id)
            if trial is not None:
                conn.execute("DELETE FROM interceptor_trials WHERE trial_id = %s", (trial_id,))
        return trial
