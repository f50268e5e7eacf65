"""SES's SQL: identities, account state, templates, configuration sets and event destinations, the record of what
was sent (quotas, statistics) and the captured mailbox. Every function runs inside one store transaction (``tx``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar, cast

from ...store.base import Tx
from .identities import DOMAIN, PENDING, Identity

T = TypeVar("T")

_IDENTITY_COLUMNS = "account, region, identity, kind, status, token, dkim_tokens, dkim_status, created_at"
_MESSAGE_COLUMNS = "message_id, account, region, source, destinations, subject, origin, sent_at"


# what every send reads and little else changes — identities, the account's state, and (store_extras) MAIL FROM
# domains and settings — kept in the store's cache for the sending path (``cached``), forgotten by every change
CONFIG = "ses.config"


def config_cached(tx: Tx, key: tuple[Any, ...], load: Callable[[], T]) -> T:
    """``load()``, kept under ``key`` in the store's cache until a change to the sending configuration."""
    cache = tx.shared_cache
    if cache is None:
        return load()
    hit = cache.get(CONFIG, key)
    if hit is None:
        hit = (load(),)  # a tuple: None is a value too
        cache.put(CONFIG, key, hit)
    return cast(T, hit[0])


def forget_config(tx: Tx) -> None:
    """The sending configuration changed (or every table was emptied): what the cache keeps of it goes."""
    if tx.shared_cache is not None:
        tx.shared_cache.invalidate(CONFIG)


def _identity(row: tuple[Any, ...] | None) -> Identity | None:
    if row is None:
        return None
    return Identity(row[0], row[1], row[2], row[3], row[4], row[5], tuple(json.loads(row[6])), row[7], row[8])


# --- identities -----------------------------------------------------------------------------------------------


def get_identity(tx: Tx, account: str, region: str, identity: str, *, cached: bool = False) -> Identity | None:
    def load() -> Identity | None:
        return _identity(
            tx.one(
                f"SELECT {_IDENTITY_COLUMNS} FROM ses_identities WHERE account = ? AND region = ? AND identity = ?",
                (account, region, identity),
            )
        )

    return config_cached(tx, ("identity", account, region, identity), load) if cached else load()


def identity_by_token(tx: Tx, token: str) -> Identity | None:
    return _identity(tx.one(f"SELECT {_IDENTITY_COLUMNS} FROM ses_identities WHERE token = ?", (token,)))


def put_identity(tx: Tx, identity: Identity) -> None:
    forget_config(tx)
    tx.execute(
        f"INSERT INTO ses_identities ({_IDENTITY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (account, region, identity) DO UPDATE SET status = excluded.status, token = excluded.token, "
        "dkim_tokens = excluded.dkim_tokens, dkim_status = excluded.dkim_status",
        (
            identity.account,
            identity.region,
            identity.name,
            identity.kind,
            identity.status,
            identity.token,
            json.dumps(list(identity.dkim_tokens)),
            identity.dkim_status,
            identity.created_at,
        ),
    )


def list_identities(tx: Tx, account: str, region: str) -> list[Identity]:
    rows = tx.all(
        f"SELECT {_IDENTITY_COLUMNS} FROM ses_identities WHERE account = ? AND region = ? ORDER BY identity",
        (account, region),
    )
    return [i for i in map(_identity, rows) if i is not None]


def pending_domains(tx: Tx, limit: int) -> list[Identity]:
    """Domain identities (every account's) not verified yet, or whose DKIM records are not found yet."""
    rows = tx.all(
        f"SELECT {_IDENTITY_COLUMNS} FROM ses_identities WHERE kind = ? AND (status = ? OR dkim_status = ?) "
        "ORDER BY created_at LIMIT ?",
        (DOMAIN, PENDING, PENDING, limit),
    )
    return [i for i in map(_identity, rows) if i is not None]


def identity_statuses(tx: Tx, account: str, region: str, names: list[str], *, cached: bool = False) -> dict[str, str]:
    """identity → verification status, for those of ``names`` that exist (``cached``: from the cache)."""
    if not names:
        return {}

    def load() -> tuple[tuple[str, str], ...]:
        marks = ", ".join("?" for _ in names)
        rows = tx.all(
            f"SELECT identity, status FROM ses_identities WHERE account = ? AND region = ? AND identity IN ({marks})",
            (account, region, *names),
        )
        return tuple((row[0], row[1]) for row in rows)

    if cached:
        return dict(config_cached(tx, ("statuses", account, region, *names), load))
    return dict(load())


def delete_identity(tx: Tx, account: str, region: str, identity: str) -> bool:
    forget_config(tx)
    cur = tx.execute(
        "DELETE FROM ses_identities WHERE account = ? AND region = ? AND identity = ?", (account, region, identity)
    )
    return (cur.rowcount or 0) > 0


# --- account state --------------------------------------------------------------------------------------------


def get_account(tx: Tx, account: str, region: str, *, cached: bool = False) -> tuple[bool, float, float, bool] | None:
    """(production, max 24-hour send, max send rate, sending enabled), or None for an account never changed."""

    def load() -> tuple[bool, float, float, bool] | None:
        row = tx.one(
            "SELECT production, max_24_hour_send, max_send_rate, sending_enabled FROM ses_accounts "
            "WHERE account = ? AND region = ?",
            (account, region),
        )
        if row is None:
            return None
        return bool(row[0]), float(row[1]), float(row[2]), bool(row[3])

    return config_cached(tx, ("account", account, region), load) if cached else load()


def put_account(
    tx: Tx, account: str, region: str, production: bool, max_24: float, max_rate: float, enabled: bool
) -> None:
    forget_config(tx)
    tx.execute(
        "INSERT INTO ses_accounts (account, region, production, max_24_hour_send, max_send_rate, sending_enabled) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account, region) DO UPDATE SET production = excluded.production, "
        "max_24_hour_send = excluded.max_24_hour_send, max_send_rate = excluded.max_send_rate, "
        "sending_enabled = excluded.sending_enabled",
        (account, region, int(production), max_24, max_rate, int(enabled)),
    )


def add_sent(
    tx: Tx, account: str, region: str, at: float, recipients: int, bounces: int, complaints: int, width: float
) -> None:
    """One send: its row (rate, statistics) and its recipients in the time bucket of ``width`` seconds."""
    tx.execute(
        "INSERT INTO ses_sent (account, region, sent_at, recipients, bounces, complaints, rejects) "
        "VALUES (?, ?, ?, ?, ?, ?, 0)",
        (account, region, at, recipients, bounces, complaints),
    )
    tx.execute(
        "INSERT INTO ses_sent_buckets (account, region, bucket, recipients) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (account, region, bucket) DO UPDATE SET recipients = ses_sent_buckets.recipients + "
        "excluded.recipients",
        (account, region, (at // width) * width, recipients),
    )


def recipients_since(tx: Tx, account: str, region: str, since: float, width: float) -> int:
    """Recipients sent after ``since`` (to the bucket: at most ``width`` seconds early)."""
    row = tx.one(
        "SELECT COALESCE(SUM(recipients), 0) FROM ses_sent_buckets WHERE account = ? AND region = ? AND bucket > ?",
        (account, region, since - width),
    )
    return int(row[0]) if row else 0


def send_tokens(tx: Tx, account: str, region: str) -> tuple[float, float] | None:
    """The sending rate's bucket as last drawn from: (tokens left, when); None before the first send."""
    row = tx.one("SELECT tokens, drawn_at FROM ses_send_rate WHERE account = ? AND region = ?", (account, region))
    return None if row is None else (float(row[0]), float(row[1]))


def draw_send_token(tx: Tx, account: str, region: str, tokens: float, at: float) -> None:
    tx.execute(
        "INSERT INTO ses_send_rate (account, region, tokens, drawn_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (account, region) DO UPDATE SET tokens = excluded.tokens, drawn_at = excluded.drawn_at",
        (account, region, tokens, at),
    )


def prune_sent(tx: Tx, before: float, limit: int) -> int:
    """Delete up to ``limit`` of the oldest sends, those before ``before``: the rows come in time order, so the old
    ones are the first (a look at ``limit`` rows by id, never a scan of the table). How many went."""
    rows = tx.all("SELECT id, sent_at FROM ses_sent ORDER BY id LIMIT ?", (limit,))
    last = None
    for row_id, sent_at in rows:
        if sent_at >= before:
            break
        last = row_id
    if last is None:
        return 0
    cur = tx.execute("DELETE FROM ses_sent WHERE id <= ?", (last,))
    return int(cur.rowcount)


def prune_sent_buckets(tx: Tx, before: float) -> None:
    """The recipient buckets that ended before ``before`` (past every quota window): a few rows an account."""
    tx.execute("DELETE FROM ses_sent_buckets WHERE bucket < ?", (before,))


def sent_rows(tx: Tx, account: str, region: str, since: float, interval: int) -> list[tuple[float, int, int, int, int]]:
    """The sends after ``since`` summed per ``interval`` seconds, by the store (not a row per send):
    (interval start, recipients, bounces, complaints, rejects), in time order."""
    start = "FLOOR(sent_at / ?)" if tx.dialect == "postgresql" else "CAST(sent_at / ? AS INTEGER)"  # both: floor
    rows = tx.all(
        f"SELECT {start} AS slot, SUM(recipients), SUM(bounces), SUM(complaints), SUM(rejects) FROM ses_sent "
        "WHERE account = ? AND region = ? AND sent_at > ? GROUP BY slot ORDER BY slot",
        (interval, account, region, since),
    )
    return [(float(int(r[0]) * interval), int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows]


# --- templates ------------------------------------------------------------------------------------------------


def get_template(tx: Tx, account: str, region: str, name: str) -> tuple[str | None, str | None, str | None] | None:
    """(subject, text, html) of a template, or None."""
    row = tx.one(
        "SELECT subject, text_part, html_part FROM ses_templates WHERE account = ? AND region = ? AND name = ?",
        (account, region, name),
    )
    return (row[0], row[1], row[2]) if row else None


def insert_template(
    tx: Tx, account: str, region: str, name: str, parts: tuple[str | None, str | None, str | None], at: float
) -> bool:
    cur = tx.execute(
        "INSERT INTO ses_templates (account, region, name, subject, text_part, html_part, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, name) DO NOTHING",
        (account, region, name, *parts, at),
    )
    return (cur.rowcount or 0) > 0


def update_template(
    tx: Tx, account: str, region: str, name: str, parts: tuple[str | None, str | None, str | None]
) -> bool:
    cur = tx.execute(
        "UPDATE ses_templates SET subject = ?, text_part = ?, html_part = ? "
        "WHERE account = ? AND region = ? AND name = ?",
        (*parts, account, region, name),
    )
    return (cur.rowcount or 0) > 0


def list_templates(tx: Tx, account: str, region: str) -> list[tuple[str, float]]:
    rows = tx.all(
        "SELECT name, created_at FROM ses_templates WHERE account = ? AND region = ? ORDER BY name", (account, region)
    )
    return [(r[0], float(r[1])) for r in rows]


def delete_template(tx: Tx, account: str, region: str, name: str) -> bool:
    cur = tx.execute("DELETE FROM ses_templates WHERE account = ? AND region = ? AND name = ?", (account, region, name))
    return (cur.rowcount or 0) > 0


# --- configuration sets and event destinations ----------------------------------------------------------------


def get_configuration_set(tx: Tx, account: str, region: str, name: str) -> tuple[bool, float] | None:
    """(sending enabled, created at), or None."""
    row = tx.one(
        "SELECT sending_enabled, created_at FROM ses_configuration_sets WHERE account = ? AND region = ? AND name = ?",
        (account, region, name),
    )
    return (bool(row[0]), float(row[1])) if row else None


def insert_configuration_set(tx: Tx, account: str, region: str, name: str, at: float) -> bool:
    cur = tx.execute(
        "INSERT INTO ses_configuration_sets (account, region, name, sending_enabled, created_at) "
        "VALUES (?, ?, ?, 1, ?) ON CONFLICT (account, region, name) DO NOTHING",
        (account, region, name, at),
    )
    return (cur.rowcount or 0) > 0


def set_configuration_set_sending(tx: Tx, account: str, region: str, name: str, enabled: bool) -> bool:
    cur = tx.execute(
        "UPDATE ses_configuration_sets SET sending_enabled = ? WHERE account = ? AND region = ? AND name = ?",
        (int(enabled), account, region, name),
    )
    return (cur.rowcount or 0) > 0


def list_configuration_sets(tx: Tx, account: str, region: str) -> list[str]:
    rows = tx.all(
        "SELECT name FROM ses_configuration_sets WHERE account = ? AND region = ? ORDER BY name", (account, region)
    )
    return [r[0] for r in rows]


def delete_configuration_set(tx: Tx, account: str, region: str, name: str) -> bool:
    tx.execute(
        "DELETE FROM ses_event_destinations WHERE account = ? AND region = ? AND configuration_set = ?",
        (account, region, name),
    )
    cur = tx.execute(
        "DELETE FROM ses_configuration_sets WHERE account = ? AND region = ? AND name = ?", (account, region, name)
    )
    return (cur.rowcount or 0) > 0


def put_event_destination(
    tx: Tx,
    account: str,
    region: str,
    configuration_set: str,
    name: str,
    destination: dict[str, Any],
    create: bool,
) -> bool:
    """Create (False when the name is taken) or replace (False when it does not exist) an event destination."""
    firehose, cloudwatch = destination.get("firehose"), destination.get("cloudwatch")
    values = (
        int(destination["enabled"]),
        json.dumps(destination["types"]),
        destination.get("sns_topic"),
        destination.get("event_bus"),
        None if firehose is None else json.dumps(firehose),
        None if cloudwatch is None else json.dumps(cloudwatch),
        destination.get("pinpoint"),
    )
    if create:
        cur = tx.execute(
            "INSERT INTO ses_event_destinations (account, region, configuration_set, name, enabled, event_types, "
            "sns_topic, event_bus, firehose, cloudwatch, pinpoint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (account, region, configuration_set, name) DO NOTHING",
            (account, region, configuration_set, name, *values),
        )
    else:
        cur = tx.execute(
            "UPDATE ses_event_destinations SET enabled = ?, event_types = ?, sns_topic = ?, event_bus = ?, "
            "firehose = ?, cloudwatch = ?, pinpoint = ? "
            "WHERE account = ? AND region = ? AND configuration_set = ? AND name = ?",
            (*values, account, region, configuration_set, name),
        )
    return (cur.rowcount or 0) > 0


def event_destinations(tx: Tx, account: str, region: str, configuration_set: str) -> list[dict[str, Any]]:
    rows = tx.all(
        "SELECT name, enabled, event_types, sns_topic, event_bus, firehose, cloudwatch, pinpoint "
        "FROM ses_event_destinations WHERE account = ? AND region = ? AND configuration_set = ? ORDER BY name",
        (account, region, configuration_set),
    )
    return [
        {
            "name": r[0],
            "enabled": bool(r[1]),
            "types": json.loads(r[2]),
            "sns_topic": r[3],
            "event_bus": r[4],
            "firehose": None if r[5] is None else json.loads(r[5]),
            "cloudwatch": None if r[6] is None else json.loads(r[6]),
            "pinpoint": r[7],
        }
        for r in rows
    ]


def delete_event_destination(tx: Tx, account: str, region: str, configuration_set: str, name: str) -> bool:
    cur = tx.execute(
        "DELETE FROM ses_event_destinations WHERE account = ? AND region = ? AND configuration_set = ? AND name = ?",
        (account, region, configuration_set, name),
    )
    return (cur.rowcount or 0) > 0


# --- the captured mailbox -------------------------------------------------------------------------------------


def add_message(
    tx: Tx,
    message_id: str,
    account: str,
    region: str,
    source: str,
    destinations: list[str],
    subject: str,
    origin: str,
    raw: bytes,
    at: float,
) -> None:
    tx.execute(
        f"INSERT INTO ses_messages ({_MESSAGE_COLUMNS}, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (message_id, account, region, source, json.dumps(destinations, ensure_ascii=False), subject, origin, at, raw),
    )


def _where(filters: dict[str, str]) -> tuple[str, list[Any]]:
    clauses, params = [], []
    for column in ("message_id", "account", "region", "source"):
        if filters.get(column):
            clauses.append(f"{column} = ?")
            params.append(filters[column])
    if filters.get("destination"):
        escaped = filters["destination"].lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append("LOWER(destinations) LIKE ? ESCAPE '\\'")
        params.append('%"' + escaped + '"%')
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def messages(tx: Tx, filters: dict[str, str], limit: int, with_raw: bool) -> list[dict[str, Any]]:
    where, params = _where(filters)
    columns = _MESSAGE_COLUMNS + (", raw" if with_raw else "")
    rows = tx.all(f"SELECT {columns} FROM ses_messages{where} ORDER BY id LIMIT ?", (*params, limit))
    out = []
    for r in rows:
        doc = {
            "message_id": r[0],
            "account": r[1],
            "region": r[2],
            "source": r[3],
            "destinations": json.loads(r[4]),
            "subject": r[5],
            "origin": r[6],
            "sent_at": float(r[7]),
        }
        if with_raw:
            doc["raw"] = bytes(r[8])
        out.append(doc)
    return out


def delete_messages(tx: Tx, filters: dict[str, str]) -> int:
    where, params = _where(filters)
    cur = tx.execute(f"DELETE FROM ses_messages{where}", params)
    return int(cur.rowcount or 0)
