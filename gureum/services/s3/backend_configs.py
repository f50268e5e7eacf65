"""Bucket configurations gureum keeps and shows but does not act on: analytics, inventory, metrics and
intelligent-tiering configurations (up to 1,000 of each kind per bucket, by Id; no analysis, inventory report or
CloudWatch metric is produced and no object changes tier), and replication (stored; nothing is replicated: one gureum
process is one Region). Object Lock, which no gureum bucket has: its calls answer as AWS does for a bucket created
without it."""

from __future__ import annotations

import base64
import re
import uuid
from typing import Any, NoReturn

from ...store.base import Tx
from . import store
from .core import S3Core, owned_bucket
from .errors import (
    InvalidArgument,
    InvalidBucketState,
    InvalidRequest,
    MalformedXML,
    NoSuchConfiguration,
    ServiceError,
    TooManyConfigurations,
    no_object_lock,
)
from .limits import CONFIGURATIONS_LISTED, MAX_BUCKET_CONFIGURATIONS, MAX_CONFIGURATION_ID, MAX_REPLICATION_RULES
from .listing import read_token, token

# the bucket configuration's key of each kind: {Id: configuration}
NAMED_KINDS = ("analytics", "inventory", "metrics", "intelligentTiering")
_ID = re.compile(r"[A-Za-z0-9._-]+")
# the days an intelligent-tiering configuration may wait before each archive tier (the S3 user guide)
_TIER_DAYS = {"ARCHIVE_ACCESS": (90, 730), "DEEP_ARCHIVE_ACCESS": (180, 730)}


def _malformed() -> ServiceError:
    return MalformedXML("The XML you provided was not well-formed or did not validate against our published schema")


def _no_such_configuration() -> ServiceError:
    return NoSuchConfiguration("The specified configuration does not exist.")


def check_id(config_id: str) -> None:
    """A configuration Id: at most 64 letters, digits, periods, dashes and underscores."""
    if len(config_id) > MAX_CONFIGURATION_ID or not _ID.fullmatch(config_id):
        raise InvalidArgument(
            "The configuration ID must be 1 to 64 characters: letters, numbers, periods, dashes and underscores",
            fields={"ArgumentName": "id", "ArgumentValue": config_id},
        )


def check_named(kind: str, config_id: str, config: dict[str, Any]) -> None:
    """What S3 refuses in a configuration document beyond the model's constraints."""
    if kind == "inventory":
        if config.get("Id") != config_id:
            raise ServiceError("Document ID does not match the specified configuration ID.", code="IdMismatch")
        destination = ((config.get("Destination") or {}).get("S3BucketDestination") or {}).get("Bucket") or ""
        if not destination.startswith("arn:aws:s3:::") or destination == "arn:aws:s3:::":
            raise ServiceError("Invalid bucket ARN.", code="InvalidS3DestinationBucket")
        return
    if config.get("Id") != config_id:
        raise _malformed()
    if kind == "intelligentTiering":
        tierings = config.get("Tierings") or []
        if not tierings:
            raise _malformed()
        for tiering in tierings:
            low, high = _TIER_DAYS.get(tiering.get("AccessTier") or "", (0, 0))
            days = tiering.get("Days")
            if not isinstance(days, int) or not low <= days <= high:
                raise InvalidArgument(
                    f"Days for {tiering.get('AccessTier')} must be between {low} and {high}",
                    fields={"ArgumentName": "Days", "ArgumentValue": str(days)},
                )


def _rule_id() -> str:
    """The ID S3 gives a replication rule sent without one (an opaque string)."""
    return base64.b64encode(str(uuid.uuid4()).encode()).decode().rstrip("=")


def checked_replication(config: dict[str, Any]) -> dict[str, Any]:
    rules = config.get("Rules") or []
    if not rules:
        raise _malformed()
    if len(rules) > MAX_REPLICATION_RULES:
        raise InvalidRequest(f"Replication configuration cannot have more than {MAX_REPLICATION_RULES} rules")
    out = []
    seen: set[str] = set()
    for rule in rules:
        rule = {"ID": _rule_id(), **rule}
        if rule["ID"] in seen:
            raise InvalidArgument("Rule Id must be unique", fields={"ArgumentName": "ID", "ArgumentValue": rule["ID"]})
        seen.add(rule["ID"])
        if "Filter" in rule and "DeleteMarkerReplication" not in rule:
            raise InvalidRequest(
                "DeleteMarkerReplication must be specified for this version of Cross Region Replication "
                "configuration schema."
            )
        out.append(rule)
    return {**config, "Rules": out}


class ConfigsMixin(S3Core):
    # --- analytics, inventory, metrics and intelligent-tiering configurations ------------------------------------

    async def put_named_config(
        self, account: str, name: str, kind: str, config_id: str, config: dict[str, Any]
    ) -> None:
        check_id(config_id)
        check_named(kind, config_id, config)

        def change(tx: Tx) -> None:
            tx.lock("s3", name)  # the bucket's configuration is one document: its writers take turns
            bucket = owned_bucket(tx, name, account)
            stored = dict(bucket.config.get(kind) or {})
            if config_id not in stored and len(stored) >= MAX_BUCKET_CONFIGURATIONS:
                raise TooManyConfigurations(
                    "You are attempting to create a new configuration but have already reached the 1,000-configuration "
                    "limit."
                )
            stored[config_id] = config
            bucket.config[kind] = stored
            store.set_bucket_config(tx, name, bucket.config)

        await self.store.write(change)

    async def get_named_config(self, account: str, name: str, kind: str, config_id: str) -> dict[str, Any]:
        stored = await self._config(name, account, kind) or {}
        if config_id not in stored:
            raise _no_such_configuration()
        found: dict[str, Any] = stored[config_id]
        return found

    async def delete_named_config(self, account: str, name: str, kind: str, config_id: str) -> None:
        def change(tx: Tx) -> None:
            tx.lock("s3", name)
            bucket = owned_bucket(tx, name, account)
            stored = dict(bucket.config.get(kind) or {})
            if stored.pop(config_id, None) is None:
                raise _no_such_configuration()
            if stored:
                bucket.config[kind] = stored
            else:
                bucket.config.pop(kind, None)
            store.set_bucket_config(tx, name, bucket.config)

        await self.store.write(change)

    async def list_named_configs(
        self, account: str, name: str, kind: str, continuation: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page (100) of the kind's configurations in Id order, and the token of the next page when there is one."""
        stored = await self._config(name, account, kind) or {}
        ids = sorted(stored)
        if continuation:
            after = read_token(continuation)[0].decode("utf-8", "replace")
            ids = [config_id for config_id in ids if config_id > after]
        page = ids[:CONFIGURATIONS_LISTED]
        following = token((page[-1].encode(), False)) if len(ids) > CONFIGURATIONS_LISTED else None
        return [stored[config_id] for config_id in page], following

    # --- replication ----------------------------------------------------------------------------------------------

    async def put_replication(self, account: str, name: str, config: dict[str, Any]) -> None:
        def change(tx: Tx) -> None:
            tx.lock("s3", name)
            bucket = owned_bucket(tx, name, account)
            if bucket.versioning != "Enabled":
                raise InvalidRequest("Versioning must be 'Enabled' on the bucket to apply a replication configuration")
            checked = checked_replication(config)
            for rule in checked["Rules"]:
                target = str((rule.get("Destination") or {}).get("Bucket") or "").removeprefix("arn:aws:s3:::")
                destination = store.get_bucket(tx, target) if target else None
                if destination is not None and destination.versioning != "Enabled":
                    raise InvalidRequest("Destination bucket must have versioning enabled.")
            bucket.config["replication"] = checked
            store.set_bucket_config(tx, name, bucket.config)

        await self.store.write(change)

    # --- Object Lock (no gureum bucket has it) --------------------------------------------------------------------

    async def object_lock_call(self, account: str, name: str) -> NoReturn:
        """Get/PutObjectRetention, Get/PutObjectLegalHold: the bucket has no Object Lock configuration."""
        await self._bucket(name, account)
        raise no_object_lock()

    async def put_object_lock(self, account: str, name: str) -> NoReturn:
        bucket = await self._bucket(name, account)
        if bucket.versioning != "Enabled":
            raise InvalidBucketState("Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
        raise InvalidRequest(
            "gureum does not support S3 Object Lock: a bucket cannot be given an Object Lock configuration."
        )
