"""Versioned schema: numbered migrations, applied once, in one transaction, under an advisory lock.

``soma_schema_version`` (in the configured schema) records, per table, the
number of migrations applied. Opening takes a transaction-scoped advisory
lock first, so processes opening at once apply each migration exactly once;
when the table is already current, opening issues no DDL at all (a role
without CREATE privilege may then use a table prepared by an administrator).
A later release appends to :data:`MIGRATIONS` and never edits an entry.
"""

from __future__ import annotations

from psycopg import AsyncConnection, sql

VERSION_TABLE = "soma_schema_version"

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: keys per namespace in code point order (COLLATE "C"); partial index for the expiry sweep.
        'CREATE TABLE {table} (namespace text NOT NULL, key text COLLATE "C" NOT NULL, value bytea NOT NULL,'
        " expires_at timestamptz, PRIMARY KEY (namespace, key))",
        "CREATE INDEX {expiry_index} ON {table} (expires_at) WHERE expires_at IS NOT NULL",
    ),
)
"""Statements of each schema version; version N is the first N entries applied in order."""

LATEST = len(MIGRATIONS)


class SchemaTooNewError(Exception):
    """The table was migrated by a newer release of this plugin."""

    def __init__(self, found: int) -> None:
        self.found = found
        super().__init__(f"schema version {found} is newer than this plugin knows ({LATEST}); upgrade soma-postgres")


async def migrate(conn: AsyncConnection, schema: str, table: str) -> int:
    """Bring ``schema.table`` to :data:`LATEST`; returns the version found before."""
    versions = sql.Identifier(schema, VERSION_TABLE)
    names = {"table": sql.Identifier(schema, table), "expiry_index": sql.Identifier(f"{table}_expires_at_idx")}
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"soma_postgres:{schema}"])
        if not await _exists(conn, "SELECT 1 FROM pg_namespace WHERE nspname = %s", schema):
            await conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        if not await _exists(conn, "SELECT to_regclass(%s) IS NOT NULL", f'"{schema}"."{VERSION_TABLE}"'):
            await conn.execute(
                sql.SQL(
                    "CREATE TABLE {} (table_name text PRIMARY KEY, version integer NOT NULL,"
                    " updated_at timestamptz NOT NULL DEFAULT now())"
                ).format(versions)
            )
        cur = await conn.execute(sql.SQL("SELECT version FROM {} WHERE table_name = %s").format(versions), [table])
        row = await cur.fetchone()
        found = row[0] if row else 0
        if found > LATEST:
            raise SchemaTooNewError(found)
        for statements in MIGRATIONS[found:]:
            for statement in statements:
                await conn.execute(sql.SQL(statement).format(**names))
        if found < LATEST:
            await conn.execute(
                sql.SQL(
                    "INSERT INTO {} (table_name, version) VALUES (%s, %s)"
                    " ON CONFLICT (table_name) DO UPDATE SET version = EXCLUDED.version, updated_at = now()"
                ).format(versions),
                [table, LATEST],
            )
    return found


async def _exists(conn: AsyncConnection, query: str, name: str) -> bool:
    cur = await conn.execute(query, [name])
    row = await cur.fetchone()
    return bool(row and row[0])
