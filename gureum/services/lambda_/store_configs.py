"""Lambda's SQL for the configurations attached to a function or alias: function URLs (lambda_urls) and provisioned
concurrency (lambda_provisioned). Every function runs inside one store transaction (``tx``); qualifier "" is the
function itself (a URL of the unqualified function)."""

from __future__ import annotations

import json
from typing import Any

from ...store.base import Tx

_WHERE = "account = ? AND region = ? AND function_name = ?"
_WHERE_ONE = _WHERE + " AND qualifier = ?"


def _scope(account: str, region: str, function_name: str, qualifier: str | None) -> tuple[str, tuple[str, ...]]:
    """The WHERE clause and parameters of one qualifier's row, or of every row of the function (qualifier None)."""
    if qualifier is None:
        return _WHERE, (account, region, function_name)
    return _WHERE_ONE, (account, region, function_name, qualifier)


# --- function URLs ---------------------------------------------------------------------------------


def get_url(tx: Tx, account: str, region: str, function_name: str, qualifier: str) -> tuple[str, dict[str, Any]] | None:
    """(url id, config) of the URL of a function ("") or alias."""
    row = tx.one(
        f"SELECT url_id, config FROM lambda_urls WHERE {_WHERE_ONE}", (account, region, function_name, qualifier)
    )
    return None if row is None else (str(row[0]), dict(json.loads(row[1])))


def url_by_id(tx: Tx, url_id: str) -> tuple[str, str, str, str, dict[str, Any]] | None:
    """(account, region, function name, qualifier, config) of the URL whose id is ``url_id``."""
    row = tx.one(
        "SELECT account, region, function_name, qualifier, config FROM lambda_urls WHERE url_id = ?", (url_id,)
    )
    if row is None:
        return None
    return str(row[0]), str(row[1]), str(row[2]), str(row[3]), dict(json.loads(row[4]))


def insert_url(
    tx: Tx, account: str, region: str, function_name: str, qualifier: str, url_id: str, config: dict[str, Any]
) -> None:
    tx.execute(
        "INSERT INTO lambda_urls (account, region, function_name, qualifier, url_id, config) VALUES (?, ?, ?, ?, ?, ?)",
        (account, region, function_name, qualifier, url_id, json.dumps(config)),
    )


def update_url(tx: Tx, url_id: str, config: dict[str, Any]) -> None:
    tx.execute("UPDATE lambda_urls SET config = ? WHERE url_id = ?", (json.dumps(config), url_id))


def delete_urls(tx: Tx, account: str, region: str, function_name: str, qualifier: str | None) -> None:
    """Delete the URL of one qualifier, or every URL of the function when ``qualifier`` is None."""
    where, params = _scope(account, region, function_name, qualifier)
    tx.execute(f"DELETE FROM lambda_urls WHERE {where}", params)


def list_urls(tx: Tx, account: str, region: str, function_name: str) -> list[tuple[str, dict[str, Any]]]:
    """(url id, config) of every URL of a function and its aliases, by qualifier."""
    rows = tx.all(
        f"SELECT url_id, config FROM lambda_urls WHERE {_WHERE} ORDER BY qualifier", (account, region, function_name)
    )
    return [(str(row[0]), dict(json.loads(row[1]))) for row in rows]


# --- provisioned concurrency -----------------------------------------------------------------------

Provisioned = tuple[str, str, int, dict[str, Any]]  # (function name, qualifier, requested, config)


def provisioned_configs(tx: Tx, account: str, region: str, function_name: str | None = None) -> list[Provisioned]:
    """The account's configurations in the region (or one function's), by function name and qualifier."""
    where = "account = ? AND region = ?"
    params: tuple[str, ...] = (account, region)
    if function_name is not None:
        where, params = where + " AND function_name = ?", (*params, function_name)
    rows = tx.all(
        f"SELECT function_name, qualifier, requested, config FROM lambda_provisioned WHERE {where} "
        "ORDER BY function_name, qualifier",
        params,
    )
    return [(str(r[0]), str(r[1]), int(r[2]), dict(json.loads(r[3]))) for r in rows]


def get_provisioned(
    tx: Tx, account: str, region: str, function_name: str, qualifier: str
) -> tuple[int, dict[str, Any]] | None:
    """(requested, config) of one configuration."""
    row = tx.one(
        f"SELECT requested, config FROM lambda_provisioned WHERE {_WHERE_ONE}",
        (account, region, function_name, qualifier),
    )
    return None if row is None else (int(row[0]), dict(json.loads(row[1])))


def put_provisioned(
    tx: Tx, account: str, region: str, function_name: str, qualifier: str, requested: int, config: dict[str, Any]
) -> None:
    """Insert or replace a configuration."""
    key = (account, region, function_name, qualifier)
    tx.execute(f"DELETE FROM lambda_provisioned WHERE {_WHERE_ONE}", key)
    tx.execute(
        "INSERT INTO lambda_provisioned (account, region, function_name, qualifier, requested, config) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (*key, requested, json.dumps(config)),
    )


def set_provisioned_config(
    tx: Tx, account: str, region: str, function_name: str, qualifier: str, config: dict[str, Any]
) -> None:
    tx.execute(
        f"UPDATE lambda_provisioned SET config = ? WHERE {_WHERE_ONE}",
        (json.dumps(config), account, region, function_name, qualifier),
    )


def delete_provisioned(tx: Tx, account: str, region: str, function_name: str, qualifier: str | None) -> list[str]:
    """Delete one qualifier's configuration, or every one of the function (``qualifier`` None); the qualifiers
    whose configuration was deleted."""
    where, params = _scope(account, region, function_name, qualifier)
    gone = [str(row[0]) for row in tx.all(f"SELECT qualifier FROM lambda_provisioned WHERE {where}", params)]
    tx.execute(f"DELETE FROM lambda_provisioned WHERE {where}", params)
    return gone


def every_provisioned(tx: Tx) -> list[tuple[str, str, str, str, int, dict[str, Any]]]:
    """(account, region, function name, qualifier, requested, config) of every configuration of every account."""
    rows = tx.all("SELECT account, region, function_name, qualifier, requested, config FROM lambda_provisioned")
    return [(str(r[0]), str(r[1]), str(r[2]), str(r[3]), int(r[4]), dict(json.loads(r[5]))) for r in rows]
