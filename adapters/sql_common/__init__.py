"""What the SQL stores (SQLite, PostgreSQL) share whatever their dialect: versioned migrations."""
