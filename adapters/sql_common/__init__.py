"""What the SQL stores (SQLite, PostgreSQL) share whatever their dialect: a ``Dialect`` and the
stores' queries and row logic (experiments and their journal, responses, tunnels), written once."""
