"""Cognito user pools' SQL (portable, ? placeholders): pools, clients, groups, users and their aliases, group
members, signing keys, sign-in sessions, pending challenges, captured messages, domains and resource servers.
Documents are JSON text; nothing here decides anything."""

from __future__ import annotations

import json
from typing import Any

from ...store.base import Tx


def _doc(row: tuple[Any, ...] | None) -> dict[str, Any] | None:
    return None if row is None else json.loads(row[0])


def _dump(doc: dict[str, Any]) -> str:
    return json.dumps(doc, separators=(",", ":"))


# --- pools -------------------------------------------------------------------------------------------------------


def insert_pool(tx: Tx, pool_id: str, account: str, region: str, name: str, now: float, doc: dict[str, Any]) -> None:
    tx.execute(
        "INSERT INTO cognito_pools (id, account, region, name, created_at, doc) VALUES (?, ?, ?, ?, ?, ?)",
        (pool_id, account, region, name, now, _dump(doc)),
    )


def get_pool(tx: Tx, pool_id: str) -> dict[str, Any] | None:
    return _doc(tx.one("SELECT doc FROM cognito_pools WHERE id = ?", (pool_id,)))


def put_pool(tx: Tx, pool_id: str, doc: dict[str, Any]) -> None:
    tx.execute("UPDATE cognito_pools SET doc = ?, name = ? WHERE id = ?", (_dump(doc), doc["Name"], pool_id))


def list_pools(tx: Tx, account: str, region: str) -> list[dict[str, Any]]:
    rows = tx.all(
        "SELECT doc FROM cognito_pools WHERE account = ? AND region = ? ORDER BY created_at, id", (account, region)
    )
    return [json.loads(row[0]) for row in rows]


def delete_pool(tx: Tx, pool_id: str) -> None:
    for table in (
        "cognito_clients",
        "cognito_groups",
        "cognito_users",
        "cognito_aliases",
        "cognito_members",
        "cognito_keys",
        "cognito_sessions",
        "cognito_challenges",
        "cognito_messages",
        "cognito_domains",
        "cognito_resource_servers",
        "cognito_identity_providers",
    ):
        tx.execute(f"DELETE FROM {table} WHERE pool_id = ?", (pool_id,))
    tx.execute("DELETE FROM cognito_pools WHERE id = ?", (pool_id,))


def pool_of_arn(tx: Tx, account: str, region: str, pool_id: str) -> dict[str, Any] | None:
    return _doc(
        tx.one("SELECT doc FROM cognito_pools WHERE id = ? AND account = ? AND region = ?", (pool_id, account, region))
    )


# --- clients -----------------------------------------------------------------------------------------------------


def insert_client(tx: Tx, pool_id: str, client_id: str, doc: dict[str, Any]) -> None:
    tx.execute(
        "INSERT INTO cognito_clients (client_id, pool_id, doc) VALUES (?, ?, ?)", (client_id, pool_id, _dump(doc))
    )


def get_client(tx: Tx, client_id: str) -> dict[str, Any] | None:
    return _doc(tx.one("SELECT doc FROM cognito_clients WHERE client_id = ?", (client_id,)))


def put_client(tx: Tx, client_id: str, doc: dict[str, Any]) -> None:
    tx.execute("UPDATE cognito_clients SET doc = ? WHERE client_id = ?", (_dump(doc), client_id))


def list_clients(tx: Tx, pool_id: str) -> list[dict[str, Any]]:
    rows = tx.all("SELECT doc FROM cognito_clients WHERE pool_id = ? ORDER BY client_id", (pool_id,))
    return [json.loads(row[0]) for row in rows]


def delete_client(tx: Tx, client_id: str) -> None:
    tx.execute("DELETE FROM cognito_clients WHERE client_id = ?", (client_id,))


# --- groups ------------------------------------------------------------------------------------------------------


def insert_group(tx: Tx, pool_id: str, name: str, doc: dict[str, Any]) -> bool:
    if tx.one("SELECT 1 FROM cognito_groups WHERE pool_id = ? AND name = ?", (pool_id, name)) is not None:
        return False
    tx.execute("INSERT INTO cognito_groups (pool_id, name, doc) VALUES (?, ?, ?)", (pool_id, name, _dump(doc)))
    return True


def get_group(tx: Tx, pool_id: str, name: str) -> dict[str, Any] | None:
    return _doc(tx.one("SELECT doc FROM cognito_groups WHERE pool_id = ? AND name = ?", (pool_id, name)))


def put_group(tx: Tx, pool_id: str, name: str, doc: dict[str, Any]) -> None:
    tx.execute("UPDATE cognito_groups SET doc = ? WHERE pool_id = ? AND name = ?", (_dump(doc), pool_id, name))


def list_groups(tx: Tx, pool_id: str) -> list[dict[str, Any]]:
    rows = tx.all("SELECT doc FROM cognito_groups WHERE pool_id = ? ORDER BY name", (pool_id,))
    return [json.loads(row[0]) for row in rows]


def delete_group(tx: Tx, pool_id: str, name: str) -> None:
    tx.execute("DELETE FROM cognito_members WHERE pool_id = ? AND group_name = ?", (pool_id, name))
    tx.execute("DELETE FROM cognito_groups WHERE pool_id = ? AND name = ?", (pool_id, name))


def add_member(tx: Tx, pool_id: str, group: str, username: str) -> None:
    if (
        tx.one(
            "SELECT 1 FROM cognito_members WHERE pool_id = ? AND group_name = ? AND username = ?",
            (pool_id, group, username),
        )
        is None
    ):
        tx.execute(
            "INSERT INTO cognito_members (pool_id, group_name, username) VALUES (?, ?, ?)", (pool_id, group, username)
        )


def remove_member(tx: Tx, pool_id: str, group: str, username: str) -> None:
    tx.execute(
        "DELETE FROM cognito_members WHERE pool_id = ? AND group_name = ? AND username = ?", (pool_id, group, username)
    )


def groups_of(tx: Tx, pool_id: str, username: str) -> list[dict[str, Any]]:
    rows = tx.all(
        "SELECT g.doc FROM cognito_members m JOIN cognito_groups g ON g.pool_id = m.pool_id AND g.name = m.group_name"
        " WHERE m.pool_id = ? AND m.username = ? ORDER BY g.name",
        (pool_id, username),
    )
    return [json.loads(row[0]) for row in rows]


def members(tx: Tx, pool_id: str, group: str) -> list[str]:
    rows = tx.all(
        "SELECT username FROM cognito_members WHERE pool_id = ? AND group_name = ? ORDER BY username", (pool_id, group)
    )
    return [row[0] for row in rows]


# --- users -------------------------------------------------------------------------------------------------------


def insert_user(tx: Tx, pool_id: str, username: str, sub: str, now: float, doc: dict[str, Any]) -> None:
    tx.execute(
        "INSERT INTO cognito_users (pool_id, username, sub, created_at, doc) VALUES (?, ?, ?, ?, ?)",
        (pool_id, username, sub, now, _dump(doc)),
    )


def get_user(tx: Tx, pool_id: str, username: str) -> dict[str, Any] | None:
    return _doc(tx.one("SELECT doc FROM cognito_users WHERE pool_id = ? AND username = ?", (pool_id, username)))


def user_by_sub(tx: Tx, pool_id: str, sub: str) -> dict[str, Any] | None:
    return _doc(tx.one("SELECT doc FROM cognito_users WHERE pool_id = ? AND sub = ?", (pool_id, sub)))


def put_user(tx: Tx, pool_id: str, username: str, doc: dict[str, Any]) -> None:
    tx.execute("UPDATE cognito_users SET doc = ? WHERE pool_id = ? AND username = ?", (_dump(doc), pool_id, username))


def list_users(tx: Tx, pool_id: str, after: str | None, limit: int) -> list[dict[str, Any]]:
    rows = tx.all(
        "SELECT doc FROM cognito_users WHERE pool_id = ? AND username > ? ORDER BY username LIMIT ?",
        (pool_id, after or "", limit),
    )
    return [json.loads(row[0]) for row in rows]


def count_users(tx: Tx, pool_id: str) -> int:
    row = tx.one("SELECT COUNT(*) FROM cognito_users WHERE pool_id = ?", (pool_id,))
    return int(row[0]) if row else 0


def delete_user(tx: Tx, pool_id: str, username: str) -> None:
    tx.execute("DELETE FROM cognito_users WHERE pool_id = ? AND username = ?", (pool_id, username))
    tx.execute("DELETE FROM cognito_aliases WHERE pool_id = ? AND username = ?", (pool_id, username))
    tx.execute("DELETE FROM cognito_members WHERE pool_id = ? AND username = ?", (pool_id, username))
    tx.execute("UPDATE cognito_sessions SET revoked = 1 WHERE pool_id = ? AND username = ?", (pool_id, username))


def alias_owner(tx: Tx, pool_id: str, kind: str, value: str) -> str | None:
    row = tx.one(
        "SELECT username FROM cognito_aliases WHERE pool_id = ? AND kind = ? AND value = ?", (pool_id, kind, value)
    )
    return None if row is None else str(row[0])


def set_aliases(tx: Tx, pool_id: str, username: str, aliases: dict[str, str]) -> None:
    """Replace the user's aliases (kind → value); a value another user held moves to this one (as AWS moves a
    verified alias to the user who verified it last)."""
    tx.execute("DELETE FROM cognito_aliases WHERE pool_id = ? AND username = ?", (pool_id, username))
    for kind, value in aliases.items():
        tx.execute("DELETE FROM cognito_aliases WHERE pool_id = ? AND kind = ? AND value = ?", (pool_id, kind, value))
        tx.execute(
            "INSERT INTO cognito_aliases (pool_id, kind, value, username) VALUES (?, ?, ?, ?)",
            (pool_id, kind, value, username),
        )


# --- signing keys ------------------------------------------------------------------------------------------------


def insert_key(tx: Tx, pool_id: str, kid: str, now: float, pem: str) -> None:
    tx.execute("INSERT INTO cognito_keys (pool_id, kid, created_at, pem) VALUES (?, ?, ?, ?)", (pool_id, kid, now, pem))


def keys(tx: Tx, pool_id: str) -> list[tuple[str, float, str]]:
    """(kid, created at, PEM), newest first."""
    rows = tx.all(
        "SELECT kid, created_at, pem FROM cognito_keys WHERE pool_id = ? ORDER BY created_at DESC, kid", (pool_id,)
    )
    return [(str(r[0]), float(r[1]), str(r[2])) for r in rows]


def delete_keys_before(tx: Tx, pool_id: str, before: float) -> None:
    tx.execute("DELETE FROM cognito_keys WHERE pool_id = ? AND created_at < ?", (pool_id, before))


# --- sign-in sessions --------------------------------------------------------------------------------------------


def insert_session(
    tx: Tx,
    jti: str,
    pool_id: str,
    username: str,
    client_id: str,
    refresh_hash: str | None,
    auth_time: float,
    expires: float,
    scopes: str | None = None,
) -> None:
    tx.execute(
        "INSERT INTO cognito_sessions (jti, pool_id, username, client_id, refresh_hash, auth_time, expires_at, revoked,"
        " scopes) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)",
        (jti, pool_id, username, client_id, refresh_hash, auth_time, expires, scopes),
    )


def session_scopes(tx: Tx, jti: str) -> list[str] | None:
    """The scopes an OAuth grant gave a session (None: a sign-in through the API, default scopes)."""
    row = tx.one("SELECT scopes FROM cognito_sessions WHERE jti = ?", (jti,))
    return str(row[0]).split() if row is not None and row[0] else None


def session(tx: Tx, jti: str) -> tuple[str, str, str, float, float, bool] | None:
    """(pool id, username, client id, auth time, expires at, revoked)."""
    row = tx.one(
        "SELECT pool_id, username, client_id, auth_time, expires_at, revoked FROM cognito_sessions WHERE jti = ?",
        (jti,),
    )
    if row is None:
        return None
    return str(row[0]), str(row[1]), str(row[2]), float(row[3]), float(row[4]), bool(row[5])


def session_by_refresh(tx: Tx, refresh_hash: str) -> str | None:
    row = tx.one("SELECT jti FROM cognito_sessions WHERE refresh_hash = ?", (refresh_hash,))
    return None if row is None else str(row[0])


def revoke_session(tx: Tx, jti: str) -> None:
    tx.execute("UPDATE cognito_sessions SET revoked = 1 WHERE jti = ?", (jti,))


def revoke_user_sessions(tx: Tx, pool_id: str, username: str) -> None:
    tx.execute("UPDATE cognito_sessions SET revoked = 1 WHERE pool_id = ? AND username = ?", (pool_id, username))


def delete_expired_sessions(tx: Tx, now: float) -> None:
    tx.execute("DELETE FROM cognito_sessions WHERE expires_at < ?", (now,))
    tx.execute("DELETE FROM cognito_challenges WHERE expires_at < ?", (now,))


# --- challenges in progress --------------------------------------------------------------------------------------


def put_challenge(tx: Tx, session_id: str, pool_id: str, expires: float, doc: dict[str, Any]) -> None:
    tx.execute("DELETE FROM cognito_challenges WHERE session = ?", (session_id,))
    tx.execute(
        "INSERT INTO cognito_challenges (session, pool_id, expires_at, doc) VALUES (?, ?, ?, ?)",
        (session_id, pool_id, expires, _dump(doc)),
    )


def peek_challenge(tx: Tx, session_id: str, now: float) -> tuple[str, dict[str, Any]] | None:
    """(pool id, doc) of a row still valid, left in place."""
    row = tx.one("SELECT pool_id, doc, expires_at FROM cognito_challenges WHERE session = ?", (session_id,))
    if row is None or float(row[2]) < now:
        return None
    return str(row[0]), json.loads(row[1])


def take_challenge(tx: Tx, session_id: str, now: float) -> dict[str, Any] | None:
    row = tx.one("SELECT doc, expires_at FROM cognito_challenges WHERE session = ?", (session_id,))
    if row is None:
        return None
    tx.execute("DELETE FROM cognito_challenges WHERE session = ?", (session_id,))
    return None if float(row[1]) < now else json.loads(row[0])


# --- captured messages -------------------------------------------------------------------------------------------


def insert_message(
    tx: Tx,
    pool_id: str,
    username: str,
    kind: str,
    medium: str,
    destination: str,
    code: str | None,
    message: str,
    now: float,
) -> None:
    tx.execute(
        "INSERT INTO cognito_messages (pool_id, username, kind, medium, destination, code, message, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (pool_id, username, kind, medium, destination, code, message, now),
    )


def messages(tx: Tx, pool_id: str | None, username: str | None, limit: int) -> list[dict[str, Any]]:
    sql = "SELECT pool_id, username, kind, medium, destination, code, message, created_at FROM cognito_messages"
    where, params = [], []
    if pool_id:
        where.append("pool_id = ?")
        params.append(pool_id)
    if username:
        where.append("username = ?")
        params.append(username)
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = tx.all(sql + " ORDER BY id DESC LIMIT ?", (*params, limit))
    names = ("userPoolId", "username", "kind", "medium", "destination", "code", "message", "createdAt")
    return [dict(zip(names, row, strict=True)) for row in rows]


def clear_messages(tx: Tx, pool_id: str | None) -> int:
    if pool_id:
        return int(tx.execute("DELETE FROM cognito_messages WHERE pool_id = ?", (pool_id,)).rowcount)
    return int(tx.execute("DELETE FROM cognito_messages").rowcount)


# --- domains and resource servers --------------------------------------------------------------------------------


def get_domain(tx: Tx, domain: str) -> tuple[str, dict[str, Any]] | None:
    row = tx.one("SELECT pool_id, doc FROM cognito_domains WHERE domain = ?", (domain,))
    return None if row is None else (str(row[0]), json.loads(row[1]))


def insert_domain(tx: Tx, domain: str, pool_id: str, doc: dict[str, Any]) -> None:
    tx.execute("INSERT INTO cognito_domains (domain, pool_id, doc) VALUES (?, ?, ?)", (domain, pool_id, _dump(doc)))


def put_domain(tx: Tx, domain: str, doc: dict[str, Any]) -> None:
    tx.execute("UPDATE cognito_domains SET doc = ? WHERE domain = ?", (_dump(doc), domain))


def delete_domain(tx: Tx, domain: str) -> None:
    tx.execute("DELETE FROM cognito_domains WHERE domain = ?", (domain,))


def domain_of_pool(tx: Tx, pool_id: str) -> str | None:
    row = tx.one("SELECT domain FROM cognito_domains WHERE pool_id = ? ORDER BY domain LIMIT 1", (pool_id,))
    return None if row is None else str(row[0])


def put_resource_server(tx: Tx, pool_id: str, identifier: str, doc: dict[str, Any]) -> None:
    tx.execute("DELETE FROM cognito_resource_servers WHERE pool_id = ? AND identifier = ?", (pool_id, identifier))
    tx.execute(
        "INSERT INTO cognito_resource_servers (pool_id, identifier, doc) VALUES (?, ?, ?)",
        (pool_id, identifier, _dump(doc)),
    )


def get_resource_server(tx: Tx, pool_id: str, identifier: str) -> dict[str, Any] | None:
    return _doc(
        tx.one("SELECT doc FROM cognito_resource_servers WHERE pool_id = ? AND identifier = ?", (pool_id, identifier))
    )


def list_resource_servers(tx: Tx, pool_id: str) -> list[dict[str, Any]]:
    rows = tx.all("SELECT doc FROM cognito_resource_servers WHERE pool_id = ? ORDER BY identifier", (pool_id,))
    return [json.loads(row[0]) for row in rows]


def delete_resource_server(tx: Tx, pool_id: str, identifier: str) -> None:
    tx.execute("DELETE FROM cognito_resource_servers WHERE pool_id = ? AND identifier = ?", (pool_id, identifier))


# --- identity providers -----------------------------------------------------------------------------------------


def insert_identity_provider(tx: Tx, pool_id: str, name: str, doc: dict[str, Any]) -> bool:
    """False when the pool has a provider of that name already."""
    return bool(
        tx.execute(
            "INSERT INTO cognito_identity_providers (pool_id, name, doc) VALUES (?, ?, ?) "
            "ON CONFLICT (pool_id, name) DO NOTHING",
            (pool_id, name, _dump(doc)),
        ).rowcount
    )


def get_identity_provider(tx: Tx, pool_id: str, name: str) -> dict[str, Any] | None:
    return _doc(tx.one("SELECT doc FROM cognito_identity_providers WHERE pool_id = ? AND name = ?", (pool_id, name)))


def put_identity_provider(tx: Tx, pool_id: str, name: str, doc: dict[str, Any]) -> None:
    tx.execute(
        "UPDATE cognito_identity_providers SET doc = ? WHERE pool_id = ? AND name = ?", (_dump(doc), pool_id, name)
    )


def list_identity_providers(tx: Tx, pool_id: str) -> list[dict[str, Any]]:
    rows = tx.all("SELECT doc FROM cognito_identity_providers WHERE pool_id = ? ORDER BY name", (pool_id,))
    return [json.loads(row[0]) for row in rows]


def delete_identity_provider(tx: Tx, pool_id: str, name: str) -> bool:
    return bool(
        tx.execute("DELETE FROM cognito_identity_providers WHERE pool_id = ? AND name = ?", (pool_id, name)).rowcount
    )
