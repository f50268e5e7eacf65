"""SNS's queries: topics, subscriptions, FIFO deduplication, the signing key and captured deliveries.

Every function runs inside the caller's transaction (``store.write(fn)`` / ``store.read(fn)``); nothing here
decides AWS behaviour.  Platform applications and SMS settings live in ``store_mobile.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ...aws.authorize import RESOURCE_POLICY_CHANNEL
from ...store.base import Tx


@dataclass(slots=True)
class Topic:
    id: int
    arn: str
    account: str
    region: str
    name: str
    fifo: bool
    attributes: dict[str, str]
    tags: dict[str, str]
    data_protection_policy: str | None
    subscriptions_deleted: int
    created_at: float

    def flag(self, name: str) -> bool:
        return self.attributes.get(name, "false").lower() == "true"


_TOPIC_COLUMNS = (
    "id, arn, account, region, name, fifo, attributes, tags, data_protection_policy, subscriptions_deleted, created_at"
)


def _topic(row: tuple[Any, ...] | None) -> Topic | None:
    if row is None:
        return None
    return Topic(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        bool(row[5]),
        json.loads(row[6]),
        json.loads(row[7]),
        row[8],
        int(row[9]),
        row[10],
    )


def get_topic(tx: Tx, arn: str) -> Topic | None:
    return _topic(tx.one(f"SELECT {_TOPIC_COLUMNS} FROM sns_topics WHERE arn = ?", (arn,)))


def insert_topic(tx: Tx, topic: Topic) -> bool:
    """False when a concurrent CreateTopic of the same ARN committed first (PostgreSQL)."""
    row = tx.one(
        "INSERT INTO sns_topics "
        "(arn, account, region, name, fifo, attributes, tags, data_protection_policy, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (arn) DO NOTHING RETURNING id",
        (
            topic.arn,
            topic.account,
            topic.region,
            topic.name,
            int(topic.fifo),
            json.dumps(topic.attributes),
            json.dumps(topic.tags),
            topic.data_protection_policy,
            topic.created_at,
        ),
    )
    if row is not None:
        topic.id = row[0]
        tx.notify(RESOURCE_POLICY_CHANNEL, "sns")
    return row is not None


def update_topic(tx: Tx, topic: Topic) -> None:
    tx.notify(RESOURCE_POLICY_CHANNEL, "sns")  # every node's IAM enforcement drops the topic policies it cached
    tx.execute(
        "UPDATE sns_topics SET attributes = ?, tags = ?, data_protection_policy = ? WHERE id = ?",
        (json.dumps(topic.attributes), json.dumps(topic.tags), topic.data_protection_policy, topic.id),
    )


def delete_topic(tx: Tx, arn: str) -> None:
    tx.notify(RESOURCE_POLICY_CHANNEL, "sns")
    tx.execute("DELETE FROM sns_topics WHERE arn = ?", (arn,))
    tx.execute("DELETE FROM sns_subscriptions WHERE topic_arn = ?", (arn,))
    tx.execute("DELETE FROM sns_dedup WHERE topic_arn = ?", (arn,))


def list_topics(tx: Tx, account: str, region: str, after: int, limit: int) -> list[tuple[int, str]]:
    return [
        (r[0], r[1])
        for r in tx.all(
            "SELECT id, arn FROM sns_topics WHERE account = ? AND region = ? AND id > ? ORDER BY id LIMIT ?",
            (account, region, after, limit),
        )
    ]


def next_sequence(tx: Tx, topic_id: int) -> int:
    """The topic's next FIFO sequence number; the row lock orders concurrent publishes (PostgreSQL)."""
    row = tx.one("UPDATE sns_topics SET sequence = sequence + 1 WHERE id = ? RETURNING sequence", (topic_id,))
    assert row is not None
    return int(row[0])


def subscription_counts(tx: Tx, arn: str) -> tuple[int, int]:
    """(confirmed, pending) subscriptions of a topic."""
    row = tx.one(
        "SELECT COALESCE(SUM(confirmed), 0), COALESCE(SUM(1 - confirmed), 0) FROM sns_subscriptions "
        "WHERE topic_arn = ? AND deleted_at IS NULL",
        (arn,),
    )
    return (int(row[0]), int(row[1])) if row else (0, 0)


def count_deleted(tx: Tx, topic_arn: str) -> None:
    tx.execute("UPDATE sns_topics SET subscriptions_deleted = subscriptions_deleted + 1 WHERE arn = ?", (topic_arn,))


# --- FIFO deduplication --------------------------------------------------------------------------------


def claim_dedup(
    tx: Tx, topic_arn: str, dedup_id: str, message_id: str, sequence: str, now_ms: int, expires_ms: int
) -> tuple[str, str] | None:
    """Take the deduplication id for a new message; the earlier (message id, sequence) when it is a duplicate.

    One statement, so two concurrent publishes of the same id cannot both win; an expired entry is taken over.
    """
    cur = tx.execute(
        "INSERT INTO sns_dedup (topic_arn, dedup_id, message_id, sequence, expires_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (topic_arn, dedup_id) DO UPDATE SET message_id = excluded.message_id, "
        "sequence = excluded.sequence, expires_at = excluded.expires_at WHERE sns_dedup.expires_at <= ?",
        (topic_arn, dedup_id, message_id, sequence, expires_ms, now_ms),
    )
    if (cur.rowcount or 0) > 0:
        return None
    row = tx.one(
        "SELECT message_id, sequence FROM sns_dedup WHERE topic_arn = ? AND dedup_id = ?", (topic_arn, dedup_id)
    )
    assert row is not None
    return row[0], row[1]


# --- subscriptions -------------------------------------------------------------------------------------


@dataclass(slots=True)
class Subscription:
    id: int
    arn: str
    topic_arn: str
    account: str
    region: str
    owner: str
    protocol: str
    endpoint: str
    confirmed: bool
    authenticated: bool
    auth_unsubscribe: bool = False
    token: str | None = None
    token_expires: int | None = None
    raw: bool = False
    filter_policy: str | None = None
    filter_scope: str | None = None
    redrive_policy: str | None = None
    delivery_policy: str | None = None
    role_arn: str | None = None
    replay_policy: str | None = None
    deleted_at: int | None = None
    created_at: float = 0.0
    principal: str | None = None  # the IAM principal that subscribed (None: the owner account's root)


_SUB_COLUMNS = (
    "id, arn, topic_arn, account, region, owner, protocol, endpoint, confirmed, authenticated, auth_unsubscribe, "
    "token, token_expires, raw, filter_policy, filter_scope, redrive_policy, delivery_policy, role_arn, "
    "replay_policy, deleted_at, created_at, principal"
)


def _subscription(row: tuple[Any, ...] | None) -> Subscription | None:
    if row is None:
        return None
    return Subscription(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        row[6],
        row[7],
        bool(row[8]),
        bool(row[9]),
        bool(row[10]),
        row[11],
        row[12],
        bool(row[13]),
        row[14],
        row[15],
        row[16],
        row[17],
        row[18],
        row[19],
        row[20],
        row[21],
        row[22],
    )


def get_subscription(tx: Tx, arn: str) -> Subscription | None:
    """A live subscription (one unsubscribed but still restorable through its resubscribe link is not)."""
    return _subscription(
        tx.one(f"SELECT {_SUB_COLUMNS} FROM sns_subscriptions WHERE arn = ? AND deleted_at IS NULL", (arn,))
    )


def subscription_by_token(tx: Tx, token: str) -> Subscription | None:
    return _subscription(tx.one(f"SELECT {_SUB_COLUMNS} FROM sns_subscriptions WHERE token = ?", (token,)))


def find_subscription(tx: Tx, topic_arn: str, protocol: str, endpoint: str) -> Subscription | None:
    return _subscription(
        tx.one(
            f"SELECT {_SUB_COLUMNS} FROM sns_subscriptions "
            "WHERE topic_arn = ? AND protocol = ? AND endpoint = ? AND deleted_at IS NULL",
            (topic_arn, protocol, endpoint),
        )
    )


def deliverable(tx: Tx, topic_arn: str) -> list[Subscription]:
    """The confirmed subscriptions a publish fans out to."""
    rows = tx.all(
        f"SELECT {_SUB_COLUMNS} FROM sns_subscriptions "
        "WHERE topic_arn = ? AND confirmed = 1 AND deleted_at IS NULL ORDER BY id",
        (topic_arn,),
    )
    return [s for s in map(_subscription, rows) if s is not None]


def insert_subscription(tx: Tx, sub: Subscription) -> bool:
    """False when a live subscription of this endpoint to this topic exists (a concurrent Subscribe won)."""
    row = tx.one(
        "INSERT INTO sns_subscriptions (arn, topic_arn, account, region, owner, protocol, endpoint, confirmed, "
        "authenticated, token, token_expires, raw, filter_policy, filter_scope, redrive_policy, delivery_policy, "
        "role_arn, replay_policy, created_at, principal) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (topic_arn, protocol, endpoint) WHERE deleted_at IS NULL DO NOTHING RETURNING id",
        (
            sub.arn, sub.topic_arn, sub.account, sub.region, sub.owner, sub.protocol, sub.endpoint,
            int(sub.confirmed), int(sub.authenticated), sub.token, sub.token_expires, int(sub.raw), sub.filter_policy,
            sub.filter_scope, sub.redrive_policy, sub.delivery_policy, sub.role_arn, sub.replay_policy, sub.created_at,
            sub.principal,
        ),
    )  # fmt: skip
    if row is None:
        return False
    sub.id = row[0]
    return True


def update_subscription(tx: Tx, sub: Subscription) -> None:
    tx.execute(
        "UPDATE sns_subscriptions SET confirmed = ?, authenticated = ?, auth_unsubscribe = ?, token = ?, "
        "token_expires = ?, raw = ?, filter_policy = ?, filter_scope = ?, redrive_policy = ?, delivery_policy = ?, "
        "role_arn = ?, replay_policy = ?, deleted_at = ? WHERE id = ?",
        (
            int(sub.confirmed), int(sub.authenticated), int(sub.auth_unsubscribe), sub.token, sub.token_expires,
            int(sub.raw), sub.filter_policy, sub.filter_scope, sub.redrive_policy, sub.delivery_policy, sub.role_arn,
            sub.replay_policy, sub.deleted_at, sub.id,
        ),
    )  # fmt: skip


def delete_subscription(tx: Tx, sub_id: int) -> None:
    tx.execute("DELETE FROM sns_subscriptions WHERE id = ?", (sub_id,))


def list_subscriptions(
    tx: Tx, *, topic_arn: str | None, owner: str, region: str, after: int, limit: int
) -> list[Subscription]:
    """A topic's subscriptions, or (no topic) the ones ``owner`` created in ``region``."""
    if topic_arn is not None:
        rows = tx.all(
            f"SELECT {_SUB_COLUMNS} FROM sns_subscriptions "
            "WHERE topic_arn = ? AND deleted_at IS NULL AND id > ? ORDER BY id LIMIT ?",
            (topic_arn, after, limit),
        )
    else:
        rows = tx.all(
            f"SELECT {_SUB_COLUMNS} FROM sns_subscriptions "
            "WHERE owner = ? AND region = ? AND deleted_at IS NULL AND id > ? ORDER BY id LIMIT ?",
            (owner, region, after, limit),
        )
    return [s for s in map(_subscription, rows) if s is not None]


# --- signing key ---------------------------------------------------------------------------------------


def signing_key(tx: Tx) -> tuple[str, str] | None:
    row = tx.one("SELECT private_key, certificate FROM sns_signing WHERE id = 1")
    return (row[0], row[1]) if row else None


def save_signing_key(tx: Tx, key_pem: str, cert_pem: str) -> tuple[str, str]:
    """Keep this key unless another node stored one first; returns the key every node uses."""
    tx.execute(
        "INSERT INTO sns_signing (id, private_key, certificate) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING",
        (key_pem, cert_pem),
    )
    stored = signing_key(tx)
    assert stored is not None
    return stored


# --- captured deliveries (e-mail, SMS, mobile push, verification codes) ---------------------------------


def capture(
    tx: Tx, account: str, region: str, protocol: str, endpoint: str, kind: str, message_id: str, message: str,
    now_ms: int, *, topic_arn: str | None = None, subscription_arn: str | None = None, subject: str | None = None,
    attributes: dict[str, Any] | None = None, extra: dict[str, Any] | None = None,
) -> None:  # fmt: skip
    tx.execute(
        "INSERT INTO sns_captured (account, region, protocol, endpoint, kind, topic_arn, subscription_arn, message_id, "
        "subject, message, attributes, extra, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            account, region, protocol, endpoint, kind, topic_arn, subscription_arn, message_id, subject, message,
            json.dumps(attributes) if attributes else None, json.dumps(extra) if extra else None, now_ms,
        ),
    )  # fmt: skip


_CAPTURED_COLUMNS = (
    "id, account, region, protocol, endpoint, kind, topic_arn, subscription_arn, message_id, subject, message, "
    "attributes, extra, created_at"
)


def captured(tx: Tx, filters: dict[str, str], limit: int) -> list[dict[str, Any]]:
    where = " AND ".join(f"{column} = ?" for column in filters) or "1 = 1"
    rows = tx.all(
        f"SELECT {_CAPTURED_COLUMNS} FROM sns_captured WHERE {where} ORDER BY id LIMIT ?", (*filters.values(), limit)
    )
    out = []
    for row in rows:
        item: dict[str, Any] = {
            "id": row[0], "accountId": row[1], "region": row[2], "protocol": row[3], "endpoint": row[4], "type": row[5],
            "topicArn": row[6], "subscriptionArn": row[7], "messageId": row[8], "subject": row[9], "message": row[10],
            "messageAttributes": json.loads(row[11]) if row[11] else {}, "timestamp": row[13],
        }  # fmt: skip
        item.update(json.loads(row[12]) if row[12] else {})
        out.append(item)
    return out


def clear_captured(tx: Tx, filters: dict[str, str]) -> int:
    where = " AND ".join(f"{column} = ?" for column in filters) or "1 = 1"
    cur = tx.execute(f"DELETE FROM sns_captured WHERE {where}", tuple(filters.values()))
    return cur.rowcount or 0


# --- housekeeping ----------------------------------------------------------------------------------------


def sweep(tx: Tx, now_ms: int) -> None:
    """Expired deduplication ids, and unsubscribed endpoints whose resubscribe link has lapsed."""
    tx.execute("DELETE FROM sns_dedup WHERE expires_at <= ?", (now_ms,))
    tx.execute(
        "DELETE FROM sns_subscriptions WHERE deleted_at IS NOT NULL AND (token_expires IS NULL OR token_expires <= ?)",
        (now_ms,),
    )
