"""What the SQL stores (SQLite, PostgreSQL) share whatever their dialect: versioned migrations,
a ``Dialect``, and the stores' queries and row logic (experiments and their journal, responses,
tunnels, the artifact catalog's reads), written once."""
