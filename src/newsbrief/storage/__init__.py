"""Storage: one schema for SQLite (default) and PostgreSQL; every write goes through ``repo``."""
