"""Lambda's SQL: every function runs inside one store transaction (``tx``) on the store's thread.

A function's versions are rows of lambda_functions ($LATEST plus published numbers); the config column holds
functions.Function as JSON.  Code zips live once per (account, CodeSha256) in lambda_code.
"""

from __future__ import annotations

import json
from typing import Any

from ...aws.authorize import RESOURCE_POLICY_CHANNEL
from ...store.base import Tx
from .functions import LATEST, Function


def _function(row: tuple[Any, ...] | None) -> Function | None:
    return None if row is None else Function.from_doc(json.loads(row[0]))


def get_function(tx: Tx, account: str, region: str, name: str, version: str = LATEST) -> Function | None:
    return _function(
        tx.one(
            "SELECT config FROM lambda_functions WHERE account = ? AND region = ? AND name = ? AND version = ?",
            (account, region, name, version),
        )
    )


def lock_function(tx: Tx, account: str, region: str, name: str) -> None:
    """Writers of one function take turns: a read-modify-write of its rows (policy, event invoke config, updates,
    versions, aliases, tags) starts here. PostgreSQL's several writer connections would otherwise interleave two
    of them and lose one; SQLite has one writer."""
    if tx.dialect == "postgresql":
        tx.execute(
            "SELECT 1 FROM lambda_functions WHERE account = ? AND region = ? AND name = ? AND version = ? FOR UPDATE",
            (account, region, name, LATEST),
        )


def insert_function(tx: Tx, fn: Function, tags: dict[str, str]) -> bool:
    """False when the name is taken (a concurrent create of the same name committed first)."""
    tx.notify(RESOURCE_POLICY_CHANNEL, "lambda")  # every node's IAM enforcement drops the policies it cached
    row = tx.one(
        "INSERT INTO lambda_functions (account, region, name, version, config, tags) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (account, region, name, version) DO NOTHING RETURNING id",
        (fn.account, fn.region, fn.name, fn.version, json.dumps(fn.to_doc()), json.dumps(tags)),
    )
    return row is not None


def update_function(tx: Tx, fn: Function) -> None:
    tx.notify(RESOURCE_POLICY_CHANNEL, "lambda")  # every node's IAM enforcement drops the policies it cached
    tx.execute(
        "UPDATE lambda_functions SET config = ? WHERE account = ? AND region = ? AND name = ? AND version = ?",
        (json.dumps(fn.to_doc()), fn.account, fn.region, fn.name, fn.version),
    )


def delete_function(tx: Tx, account: str, region: str, name: str, version: str | None) -> None:
    """Delete one version, or every version when ``version`` is None; code no version uses any more goes too."""
    tx.notify(RESOURCE_POLICY_CHANNEL, "lambda")  # every node's IAM enforcement drops the policies it cached
    if version is None:
        tx.execute(
            "DELETE FROM lambda_functions WHERE account = ? AND region = ? AND name = ?", (account, region, name)
        )
    else:
        tx.execute(
            "DELETE FROM lambda_functions WHERE account = ? AND region = ? AND name = ? AND version = ?",
            (account, region, name, version),
        )
    forget_unused_code(tx, account)


def forget_unused_code(tx: Tx, account: str) -> None:
    """Delete the zips no function version and no layer version refers to any more."""
    used = {
        Function.from_doc(json.loads(row[0])).code_sha
        for row in tx.all("SELECT config FROM lambda_functions WHERE account = ?", (account,))
    }
    used |= {
        json.loads(row[0])["sha"]
        for row in tx.all("SELECT config FROM lambda_layers WHERE account = ? AND deleted = 0", (account,))
    }
    # a layer version deleted stays for the functions that use it, of any account it was shared with
    for fn_row in tx.all("SELECT config FROM lambda_functions WHERE config LIKE ?", (f"%:{account}:layer:%",)):
        used |= {
            layer["sha"]
            for layer in Function.from_doc(json.loads(fn_row[0])).layers
            if layer["Arn"].split(":")[4] == account
        }
    for (sha,) in tx.all("SELECT sha FROM lambda_code WHERE account = ?", (account,)):
        if sha not in used:
            tx.execute("DELETE FROM lambda_code WHERE account = ? AND sha = ?", (account, sha))


def list_functions(tx: Tx, account: str, region: str, after: str, limit: int, all_versions: bool) -> list[Function]:
    where = "" if all_versions else " AND version = ?"
    params: tuple[Any, ...] = (account, region, after) if all_versions else (account, region, after, LATEST)
    rows = tx.all(
        f"SELECT config FROM lambda_functions WHERE account = ? AND region = ? AND name > ?{where} "
        "ORDER BY name, id LIMIT ?",
        (*params, limit),
    )
    return [Function.from_doc(json.loads(row[0])) for row in rows]


def list_versions(tx: Tx, account: str, region: str, name: str) -> list[Function]:
    rows = tx.all(
        "SELECT config FROM lambda_functions WHERE account = ? AND region = ? AND name = ? ORDER BY id",
        (account, region, name),
    )
    return [Function.from_doc(json.loads(row[0])) for row in rows]


def next_version(tx: Tx, account: str, region: str, name: str) -> int:
    """Take the next version number of a function ($LATEST's row keeps the counter; numbers are never reused)."""
    row = tx.one(
        "SELECT next_version FROM lambda_functions WHERE account = ? AND region = ? AND name = ? AND version = ?",
        (account, region, name, LATEST),
    )
    number = int(row[0]) if row else 1
    tx.execute(
        "UPDATE lambda_functions SET next_version = ? WHERE account = ? AND region = ? AND name = ? AND version = ?",
        (number + 1, account, region, name, LATEST),
    )
    return number


def get_tags(tx: Tx, account: str, region: str, name: str) -> dict[str, str] | None:
    row = tx.one(
        "SELECT tags FROM lambda_functions WHERE account = ? AND region = ? AND name = ? AND version = ?",
        (account, region, name, LATEST),
    )
    return None if row is None else dict(json.loads(row[0]))


def set_tags(tx: Tx, account: str, region: str, name: str, tags: dict[str, str]) -> None:
    tx.notify(RESOURCE_POLICY_CHANNEL, "lambda")  # every node's IAM enforcement drops the policies it cached
    tx.execute(
        "UPDATE lambda_functions SET tags = ? WHERE account = ? AND region = ? AND name = ? AND version = ?",
        (json.dumps(tags), account, region, name, LATEST),
    )


def put_code(tx: Tx, account: str, sha: str, zip_bytes: bytes) -> None:
    tx.execute(
        "INSERT INTO lambda_code (account, sha, zip) VALUES (?, ?, ?) ON CONFLICT (account, sha) DO NOTHING",
        (account, sha, zip_bytes),
    )


def get_code(tx: Tx, account: str, sha: str) -> bytes | None:
    row = tx.one("SELECT zip FROM lambda_code WHERE account = ? AND sha = ?", (account, sha))
    return None if row is None else bytes(row[0])


def code_totals(tx: Tx, account: str) -> tuple[int, int]:
    """(TotalCodeSize, FunctionCount) for GetAccountSettings."""
    size = tx.one("SELECT COALESCE(SUM(LENGTH(zip)), 0) FROM lambda_code WHERE account = ?", (account,))
    count = tx.one("SELECT COUNT(*) FROM lambda_functions WHERE account = ? AND version = ?", (account, LATEST))
    return int(size[0] if size else 0), int(count[0] if count else 0)


def unfinished_functions(tx: Tx) -> list[Function]:
    """Functions whose create or update had not finished when the server stopped."""
    rows = tx.all("SELECT config FROM lambda_functions WHERE version = ?", (LATEST,))
    fns = [Function.from_doc(json.loads(row[0])) for row in rows]
    return [fn for fn in fns if fn.state == "Pending" or fn.last_update_status == "InProgress"]


def reserved_total(tx: Tx, account: str, region: str, except_name: str) -> int:
    """The reserved concurrency of the account's other functions in the region."""
    rows = tx.all(
        "SELECT config FROM lambda_functions WHERE account = ? AND region = ? AND version = ? AND name <> ?",
        (account, region, LATEST, except_name),
    )
    return sum(Function.from_doc(json.loads(row[0])).reserved_concurrency or 0 for row in rows)


def get_alias(tx: Tx, account: str, region: str, function_name: str, name: str) -> dict[str, Any] | None:
    row = tx.one(
        "SELECT config FROM lambda_aliases WHERE account = ? AND region = ? AND function_name = ? AND name = ?",
        (account, region, function_name, name),
    )
    return None if row is None else dict(json.loads(row[0]))


def get_alias_event_invoke(tx: Tx, account: str, region: str, function_name: str, alias: str) -> dict[str, Any] | None:
    row = tx.one(
        "SELECT config FROM lambda_alias_event_invoke "
        "WHERE account = ? AND region = ? AND function_name = ? AND alias = ?",
        (account, region, function_name, alias),
    )
    return None if row is None else dict(json.loads(row[0]))


def put_alias_event_invoke(
    tx: Tx, account: str, region: str, function_name: str, alias: str | None, config: dict[str, Any] | None
) -> None:
    """Replace an alias's event invoke config; None deletes it (alias None: every alias's of the function)."""
    if alias is None:
        tx.execute(
            "DELETE FROM lambda_alias_event_invoke WHERE account = ? AND region = ? AND function_name = ?",
            (account, region, function_name),
        )
        return
    key = (account, region, function_name, alias)
    tx.execute(
        "DELETE FROM lambda_alias_event_invoke WHERE account = ? AND region = ? AND function_name = ? AND alias = ?",
        key,
    )
    if config is not None:
        tx.execute(
            "INSERT INTO lambda_alias_event_invoke (account, region, function_name, alias, config) "
            "VALUES (?, ?, ?, ?, ?)",
            (*key, json.dumps(config)),
        )


def alias_event_invokes(tx: Tx, account: str, region: str, function_name: str) -> list[tuple[str, dict[str, Any]]]:
    rows = tx.all(
        "SELECT alias, config FROM lambda_alias_event_invoke "
        "WHERE account = ? AND region = ? AND function_name = ? ORDER BY alias",
        (account, region, function_name),
    )
    return [(str(row[0]), dict(json.loads(row[1]))) for row in rows]


def put_alias(tx: Tx, account: str, region: str, function_name: str, alias: dict[str, Any], create: bool) -> bool:
    """Insert (``create``: False when the name is taken) or replace an alias (its AliasConfiguration as JSON)."""
    tx.notify(RESOURCE_POLICY_CHANNEL, "lambda")  # every node's IAM enforcement drops the policies it cached
    if create:
        row = tx.one(
            "INSERT INTO lambda_aliases (account, region, function_name, name, config) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (account, region, function_name, name) DO NOTHING RETURNING name",
            (account, region, function_name, alias["Name"], json.dumps(alias)),
        )
        return row is not None
    tx.execute(
        "UPDATE lambda_aliases SET config = ? WHERE account = ? AND region = ? AND function_name = ? AND name = ?",
        (json.dumps(alias), account, region, function_name, alias["Name"]),
    )
    return True


def delete_alias(tx: Tx, account: str, region: str, function_name: str, name: str | None) -> None:
    """Delete one alias, or all of a function's when ``name`` is None."""
    tx.notify(RESOURCE_POLICY_CHANNEL, "lambda")  # every node's IAM enforcement drops the policies it cached
    if name is None:
        tx.execute(
            "DELETE FROM lambda_aliases WHERE account = ? AND region = ? AND function_name = ?",
            (account, region, function_name),
        )
    else:
        tx.execute(
            "DELETE FROM lambda_aliases WHERE account = ? AND region = ? AND function_name = ? AND name = ?",
            (account, region, function_name, name),
        )


def list_aliases(tx: Tx, account: str, region: str, function_name: str) -> list[dict[str, Any]]:
    rows = tx.all(
        "SELECT config FROM lambda_aliases WHERE account = ? AND region = ? AND function_name = ? ORDER BY name",
        (account, region, function_name),
    )
    return [dict(json.loads(row[0])) for row in rows]


def insert_layer_version(tx: Tx, account: str, region: str, name: str, config: dict[str, Any]) -> int:
    """Store the next version of a layer and return its number (deleted numbers are never reused)."""
    row = tx.one(
        "SELECT MAX(version) FROM lambda_layers WHERE account = ? AND region = ? AND name = ?", (account, region, name)
    )
    number = int(row[0] or 0) + 1 if row else 1
    tx.execute(
        "INSERT INTO lambda_layers (account, region, name, version, config) VALUES (?, ?, ?, ?, ?)",
        (account, region, name, number, json.dumps({**config, "Version": number})),
    )
    return number


def get_layer_version(tx: Tx, account: str, region: str, name: str, version: int) -> dict[str, Any] | None:
    row = tx.one(
        "SELECT config FROM lambda_layers "
        "WHERE account = ? AND region = ? AND name = ? AND version = ? AND deleted = 0",
        (account, region, name, version),
    )
    return None if row is None else dict(json.loads(row[0]))


def list_layer_versions(tx: Tx, account: str, region: str, name: str | None) -> list[dict[str, Any]]:
    """Newest first; every layer of the account and region when ``name`` is None."""
    if name is None:
        rows = tx.all(
            "SELECT config FROM lambda_layers WHERE account = ? AND region = ? AND deleted = 0 "
            "ORDER BY name, version DESC",
            (account, region),
        )
    else:
        rows = tx.all(
            "SELECT config FROM lambda_layers WHERE account = ? AND region = ? AND name = ? AND deleted = 0 "
            "ORDER BY version DESC",
            (account, region, name),
        )
    return [dict(json.loads(row[0])) for row in rows]


def save_layer_version(tx: Tx, account: str, region: str, name: str, version: int, config: dict[str, Any]) -> None:
    tx.execute(
        "UPDATE lambda_layers SET config = ? WHERE account = ? AND region = ? AND name = ? AND version = ?",
        (json.dumps(config), account, region, name, version),
    )


def lock_layer_version(tx: Tx, account: str, region: str, name: str, version: int) -> None:
    """Writers of one layer version's policy take turns (PostgreSQL; SQLite has one writer)."""
    if tx.dialect == "postgresql":
        tx.execute(
            "SELECT 1 FROM lambda_layers WHERE account = ? AND region = ? AND name = ? AND version = ? FOR UPDATE",
            (account, region, name, version),
        )


def delete_layer_version(tx: Tx, account: str, region: str, name: str, version: int) -> None:
    tx.execute(
        "UPDATE lambda_layers SET deleted = 1 WHERE account = ? AND region = ? AND name = ? AND version = ?",
        (account, region, name, version),
    )
    forget_unused_code(tx, account)
