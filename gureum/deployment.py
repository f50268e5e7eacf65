"""Deployment-wide settings kept in the store, so every node of one deployment agrees on them."""

from __future__ import annotations

import secrets
from pathlib import Path

from .store.base import Store, Tx

MIGRATIONS = Path(__file__).parent / "migrations"


def _get_or_create(tx: Tx, name: str, make: str) -> str:
    tx.execute("INSERT INTO gureum_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", (name, make))
    row = tx.one("SELECT value FROM gureum_settings WHERE name = ?", (name,))
    assert row is not None
    return str(row[0])


async def deployment_secret(store: Store) -> str:
    """The secret that credentials issued by gureum (STS) derive their secret keys from."""
    return await store.write(lambda tx: _get_or_create(tx, "credential-secret", secrets.token_hex(32)))
