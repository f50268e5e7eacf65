"""What every part of the S3 backend shares: the store, the clock, the body files, and the lookups each
operation starts with (the bucket, owned by the caller; the version a request names)."""

from __future__ import annotations

import hashlib
from typing import Any

from ...aws.authorize import ResourceFacts
from ...clock import Clock
from ...delivery import Delivery
from ...store.base import Store, Tx
from . import store
from .access import access_denied as access_denied
from .access import check_bucket
from .blobs import BlobStore
from .errors import (
    MethodNotAllowed,
    ServiceError,
    invalid_version,
    no_such_bucket,
    no_such_key,
    no_such_version,
)
from .notifications import ObjectEvent, Requester, notify
from .objects import NULL_VERSION, Bucket, Version


def canonical_user_id(account: str) -> str:
    """The 64-hex canonical user ID S3 shows an account as (Owner.ID)."""
    return hashlib.sha256(f"gureum-s3-owner:{account}".encode()).hexdigest()


def owner(account: str) -> dict[str, str]:
    return {"ID": canonical_user_id(account), "DisplayName": "webfile"}


def owned_bucket(tx: Tx, name: str, account: str) -> Bucket:
    """The bucket, when the caller's account owns it or (``account`` an access.Caller) its policy allows the
    call; AccessDenied otherwise, and when the request expects another owner."""
    bucket = store.get_bucket(tx, name)
    if bucket is None:
        raise no_such_bucket(name)
    check_bucket(account, name, bucket.account, bucket.config.get("policy"))
    return bucket


def find_version(tx: Tx, bucket: Bucket, key: str, version_id: str | None, *, allow_marker: bool = False) -> Version:
    """The version a read names: the current one, or ``version_id`` ("null" included). A delete marker is
    NoSuchKey when current, MethodNotAllowed when named (with its delete-marker headers)."""
    if version_id is None:
        found = store.current(tx, bucket.name, key)
        if found is None:
            raise no_such_key(key)
        if found.delete_marker and not allow_marker:
            raise ServiceError(
                "The specified key does not exist.",
                code="NoSuchKey",
                status=404,
                fields={"Key": key},
                headers={"x-amz-delete-marker": "true", "x-amz-version-id": found.version_id},
            )
        return found
    if version_id != NULL_VERSION and len(version_id) < 8:
        raise invalid_version(version_id)
    found = store.version(tx, bucket.name, key, version_id)
    if found is None:
        raise no_such_version(key, version_id) if bucket.versioning else invalid_version(version_id)
    if found.delete_marker and not allow_marker:
        raise MethodNotAllowed(
            "The specified method is not allowed against this resource.",
            fields={"Method": "GET", "ResourceType": "DeleteMarker"},
            headers={"x-amz-delete-marker": "true", "x-amz-version-id": found.version_id, "Allow": "DELETE"},
        )
    return found


class S3Core:
    def __init__(self, store_: Store, clock: Clock, blobs: BlobStore, delivery: Delivery) -> None:
        self.store = store_
        self.clock = clock
        self.blobs = blobs
        self.delivery = delivery

    def _notify(self, tx: Tx, bucket: Bucket, events: list[ObjectEvent], who: Requester) -> None:
        """The bucket's notifications of ``events``, enqueued in the write's transaction."""
        config = bucket.config.get("notification")
        if config:
            notify(
                self.delivery,
                tx,
                config,
                bucket.name,
                bucket.region,
                bucket.account,
                canonical_user_id(bucket.account),
                events,
                who,
                self.now(),
            )

    def now(self) -> float:
        """Object times have millisecond precision (as ListObjects shows them)."""
        return round(self.clock.now(), 3)

    async def bucket_facts(self, arn: str) -> ResourceFacts:
        """IAM enforcement's view of a bucket or object ARN (arn:aws:s3:::bucket[/key]): the bucket's policy, its
        tags and its owner (S3 ARNs do not name the account)."""
        name = arn.removeprefix("arn:aws:s3:::").split("/", 1)[0]
        bucket = await self.store.read(lambda tx: store.get_bucket(tx, name))
        if bucket is None:
            return ResourceFacts()
        tagging = bucket.config.get("tagging") or {}
        tags = {t["Key"]: t["Value"] for t in tagging.get("TagSet") or [] if isinstance(t, dict) and "Key" in t}
        return ResourceFacts(bucket.config.get("policy"), tags, bucket.account)

    async def _bucket(self, name: str, account: str) -> Bucket:
        return await self.store.read(lambda tx: owned_bucket(tx, name, account))

    async def _config(self, name: str, account: str, kind: str) -> Any:
        bucket = await self._bucket(name, account)
        return bucket.config.get(kind)

    async def _set_config(self, name: str, account: str, kind: str, value: Any) -> None:
        def change(tx: Tx) -> None:
            tx.lock("s3", name)  # the bucket's configuration is one document: its writers take turns
            bucket = owned_bucket(tx, name, account)
            if value is None:
                bucket.config.pop(kind, None)
            else:
                bucket.config[kind] = value
            store.set_bucket_config(tx, name, bucket.config)

        await self.store.write(change)
