"""The SQL of every operation, composed once per table with safely quoted identifiers.

Each batch is one statement (one round trip). Expiry uses the server's clock
(``now()``), so processes on hosts with skewed clocks agree on what is expired.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg import sql

LIVE = sql.SQL("(expires_at IS NULL OR expires_at > now())")


@dataclass(frozen=True, slots=True)
class Queries:
    """Statements for one ``schema.table``."""

    table: sql.Identifier
    mget: sql.Composed
    mset: sql.Composed
    mdelete: sql.Composed
    delete: sql.Composed
    add: sql.Composed
    drop_spent: sql.Composed
    sweep: sql.Composed
    ping: sql.SQL

    @classmethod
    def for_table(cls, schema: str, table: str) -> Queries:
        t = sql.Identifier(schema, table)
        return cls(
            table=t,
            mget=sql.SQL("SELECT key, value FROM {t} WHERE namespace = %s AND key = ANY(%s) AND {live}").format(
                t=t, live=LIVE
            ),
            # unnest keeps the (sorted) input order, so concurrent batches lock rows in the same order.
            mset=sql.SQL(
                "INSERT INTO {t} (namespace, key, value, expires_at)"
                " SELECT %s, k, v, now() + %s::float8 * interval '1 second'"
                " FROM unnest(%s::text[], %s::bytea[]) AS u(k, v)"
                " ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at"
            ).format(t=t),
            mdelete=sql.SQL(
                "WITH gone AS (DELETE FROM {t} WHERE namespace = %s AND key = ANY(%s) RETURNING expires_at)"
                " SELECT count(*) FILTER (WHERE {live}) FROM gone"
            ).format(t=t, live=LIVE),
            delete=sql.SQL("DELETE FROM {t} WHERE namespace = %s AND key = ANY(%s)").format(t=t),
            # counters: ASCII decimal in the bytea value; an expired row counts as 0; the sum never expires.
            add=sql.SQL(
                "INSERT INTO {t} AS cur (namespace, key, value, expires_at)"
                " SELECT %s, k, convert_to(d::text, 'UTF8'), NULL FROM unnest(%s::text[], %s::bigint[]) AS u(k, d)"
                " ON CONFLICT (namespace, key) DO UPDATE SET value = convert_to(("
                "CASE WHEN cur.expires_at IS NULL OR cur.expires_at > now()"
                " THEN convert_from(cur.value, 'UTF8')::bigint ELSE 0 END"
                " + convert_from(EXCLUDED.value, 'UTF8')::bigint)::text, 'UTF8'), expires_at = NULL"
            ).format(t=t),
            drop_spent=sql.SQL(
                "DELETE FROM {t} WHERE namespace = %s AND key = ANY(%s) AND convert_from(value, 'UTF8')::bigint <= 0"
            ).format(t=t),
            sweep=sql.SQL("DELETE FROM {t} WHERE expires_at <= now()").format(t=t),
            ping=sql.SQL("SELECT 1"),
        )

    def scan(self, namespace: str, prefix: str, after: str | None, limit: int) -> tuple[sql.Composed, list[Any]]:
        """A range scan on the primary key: ``lower <(=) key < upper_bound(prefix)``, never LIKE."""
        lower, op = (after, ">") if after is not None and after >= prefix else (prefix, ">=")
        upper = prefix_upper_bound(prefix)
        params: list[Any] = [namespace, lower]
        bound = sql.SQL("")
        if upper is not None:
            bound = sql.SQL(" AND key < %s")
            params.append(upper)
        params.append(limit)
        query = sql.SQL(
            "SELECT key, value FROM {t} WHERE namespace = %s AND key {op} %s{bound} AND {live} ORDER BY key LIMIT %s"
        ).format(t=self.table, op=sql.SQL(op), bound=bound, live=LIVE)
        return query, params


def prefix_upper_bound(prefix: str) -> str | None:
    """The smallest string above every string starting with ``prefix``; None when there is none.

    Code point order equals the byte order of UTF-8, which COLLATE "C" compares.
    Surrogates cannot be stored, so the successor of U+D7FF is U+E000.
    """
    stripped = prefix.rstrip("\U0010ffff")
    if not stripped:
        return None
    point = ord(stripped[-1]) + 1
    if 0xD800 <= point <= 0xDFFF:
        point = 0xE000
    return stripped[:-1] + chr(point)
