"""Buckets: create (LocationConstraint; names global across accounts), head, list, delete when empty, location,
versioning, and the bucket subresources S3 keeps as configuration (tagging, policy, CORS, lifecycle, encryption,
ownership controls, website, public access block, accelerate, request payment, logging, notifications)."""

from __future__ import annotations

import json
from typing import Any

from ...policy import PolicyError, parse
from ...store.base import Tx
from . import cors, store
from .core import S3Core, access_denied, owned_bucket, owner
from .errors import (
    AccessControlListNotSupported,
    BucketAlreadyExists,
    BucketAlreadyOwnedByYou,
    BucketNotEmpty,
    IllegalLocationConstraintException,
    InvalidArgument,
    InvalidBucketState,
    InvalidRequest,
    InvalidTag,
    MalformedXML,
    ServiceError,
    no_such_bucket,
)
from .limits import MAX_BUCKET_TAGS, MAX_BUCKETS_LISTED
from .listing import read_token, token
from .names import check_bucket_name
from .notifications import Requester, checked_configuration, send_test_events
from .objects import Bucket

_NO_CONFIG = {
    "tagging": ("NoSuchTagSet", "The TagSet does not exist"),
    "policy": ("NoSuchBucketPolicy", "The bucket policy does not exist"),
    "cors": ("NoSuchCORSConfiguration", "The CORS configuration does not exist"),
    "lifecycle": ("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"),
    "website": ("NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration"),
    "publicAccessBlock": (
        "NoSuchPublicAccessBlockConfiguration",
        "The public access block configuration was not found",
    ),
    "ownershipControls": ("OwnershipControlsNotFoundError", "The bucket ownership controls were not found"),
    "objectLock": ("ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket"),
    "replication": ("ReplicationConfigurationNotFoundError", "The replication configuration was not found"),
}
_DEFAULT_ENCRYPTION = {
    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]
}
_OWNERSHIPS = ("BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter")


def check_tags(tags: list[dict[str, str]], limit: int) -> dict[str, str]:
    """A TagSet as a dict (AWS's rules: at most ``limit`` tags, unique keys, key ≤ 128, value ≤ 256 characters)."""
    out: dict[str, str] = {}
    if len(tags) > limit:
        raise InvalidTag(
            f"Object tags cannot be greater than {limit}"
            if limit == 10
            else "Bucket tag count cannot be greater than 50"
        )
    for tag in tags:
        key, value = tag.get("Key", ""), tag.get("Value", "")
        if not key or len(key) > 128:
            raise InvalidTag("The TagKey you have provided is invalid")
        if len(value) > 256:
            raise InvalidTag("The TagValue you have provided is too long, max 256")
        if key in out:
            raise InvalidTag("Cannot provide multiple Tags with the same key")
        out[key] = value
    return out


def tag_set(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


class BucketsMixin(S3Core):
    async def create_bucket(
        self,
        account: str,
        region: str,
        name: str,
        location: str | None,
        object_ownership: str | None,
        acl: str | None,
        object_lock: bool,
    ) -> str:
        check_bucket_name(name)
        if object_lock:
            raise InvalidRequest("gureum does not support S3 Object Lock; create the bucket without it.")
        if location == "":
            location = None
        if location is None and region != "us-east-1":
            raise IllegalLocationConstraintException(
                "The unspecified location constraint is incompatible for the region specific endpoint this request "
                "was sent to."
            )
        if location is not None and (location != region or location == "us-east-1"):
            if location == "us-east-1":
                raise ServiceError(
                    "The specified location-constraint is not valid",
                    code="InvalidLocationConstraint",
                    fields={"LocationConstraint": location},
                )
            raise IllegalLocationConstraintException(
                f"The {location} location constraint is incompatible for the region specific endpoint this request "
                "was sent to."
            )
        if object_ownership is not None and object_ownership not in _OWNERSHIPS:
            raise InvalidArgument(
                "Invalid x-amz-object-ownership header", fields={"ArgumentName": "x-amz-object-ownership"}
            )
        ownership = object_ownership or "BucketOwnerEnforced"
        if acl not in (None, "private", "bucket-owner-full-control") and ownership == "BucketOwnerEnforced":
            raise InvalidBucketAclWithObjectOwnership()
        bucket_region = location or "us-east-1"

        def create(tx: Tx) -> None:
            existing = store.get_bucket(tx, name)
            config: dict[str, Any] = {"ownershipControls": {"Rules": [{"ObjectOwnership": ownership}]}}
            if existing is None and store.insert_bucket(
                tx, Bucket(name, account, bucket_region, self.now(), None, config)
            ):
                return
            existing = existing or store.get_bucket(tx, name)
            if existing is not None:
                if existing.account != account:
                    raise BucketAlreadyExists(
                        "The requested bucket name is not available. The bucket namespace is shared by all users of "
                        "the system. Please select a different name and try again.",
                        fields={"BucketName": name},
                    )
                if existing.region == "us-east-1" and bucket_region == "us-east-1":
                    return  # us-east-1 answers a repeated CreateBucket of one's own bucket with success
                raise BucketAlreadyOwnedByYou(
                    "Your previous request to create the named bucket succeeded and you already own it.",
                    fields={"BucketName": name},
                )

        await self.store.write(create)
        return f"/{name}"

    async def head_bucket(self, account: str, name: str) -> dict[str, Any]:
        bucket = await self._bucket(name, account)
        return {"BucketRegion": bucket.region, "AccessPointAlias": False}

    async def delete_bucket(self, account: str, name: str) -> None:
        def delete(tx: Tx) -> list[str]:
            owned_bucket(tx, name, account)
            if store.bucket_has_objects(tx, name):
                raise BucketNotEmpty("The bucket you tried to delete is not empty", fields={"BucketName": name})
            return store.delete_bucket(tx, name)

        await self.blobs.delete(await self.store.write(delete))

    async def list_buckets(
        self, account: str, prefix: str | None, continuation: str | None, max_buckets: int | None
    ) -> dict[str, Any]:
        limit = max_buckets or MAX_BUCKETS_LISTED
        if not 1 <= limit <= MAX_BUCKETS_LISTED:
            raise InvalidArgument(
                "Argument max-buckets must be an integer between 1 and 10000", fields={"ArgumentName": "max-buckets"}
            )
        after = read_token(continuation)[0].decode() if continuation else ""
        rows = await self.store.read(lambda tx: store.list_buckets(tx, account, prefix or "", after, limit))
        out: dict[str, Any] = {
            "Buckets": [{"Name": b.name, "CreationDate": b.created_at, "BucketRegion": b.region} for b in rows[:limit]],
            "Owner": owner(account),
        }
        if prefix:
            out["Prefix"] = prefix
        if len(rows) > limit:
            out["ContinuationToken"] = token((rows[limit - 1].name.encode(), False))
        return out

    async def bucket_location(self, account: str, name: str) -> str:
        bucket = await self._bucket(name, account)
        return "" if bucket.region == "us-east-1" else bucket.region

    # --- versioning ------------------------------------------------------------------------------------------

    async def get_versioning(self, account: str, name: str) -> dict[str, Any]:
        bucket = await self._bucket(name, account)
        return {"Status": bucket.versioning} if bucket.versioning else {}

    async def put_versioning(self, account: str, name: str, status: str | None, mfa_delete: str | None) -> None:
        if status not in ("Enabled", "Suspended"):
            raise MalformedXML(
                "The XML you provided was not well-formed or did not validate against our published schema"
            )
        if mfa_delete == "Enabled":
            raise InvalidRequest("gureum does not support MFA Delete.")

        def change(tx: Tx) -> None:
            tx.lock("s3", name)  # against a replication configuration being put meanwhile (it needs "Enabled")
            bucket = owned_bucket(tx, name, account)
            if status != "Enabled" and "replication" in bucket.config:
                raise InvalidBucketState(
                    "A replication configuration is present on this bucket, so you cannot change the versioning "
                    "state. To change the versioning state, first delete the replication configuration."
                )
            store.set_versioning(tx, name, status)

        await self.store.write(change)

    # --- configuration subresources ---------------------------------------------------------------------------

    async def get_config(self, account: str, name: str, kind: str) -> Any:
        """A stored subresource; its S3 "not found" error when the bucket has none."""
        value = await self._config(name, account, kind)
        if value is None:
            if kind == "encryption":
                return _DEFAULT_ENCRYPTION  # every bucket encrypts with SSE-S3 by default (since January 2023)
            if kind in _NO_CONFIG:
                code, message = _NO_CONFIG[kind]
                raise ServiceError(message, code=code, status=404, fields={"BucketName": name})
            return {}
        return value

    async def put_notification(self, account: str, name: str, config: dict[str, Any], who: Requester) -> None:
        """Keep a notification configuration; its queues and topics get AWS's s3:TestEvent (in the same
        transaction)."""
        checked = checked_configuration(config)
        now = self.now()

        def change(tx: Tx) -> None:
            tx.lock("s3", name)  # the bucket's configuration is one document: its writers take turns
            bucket = owned_bucket(tx, name, account)
            if checked:
                bucket.config["notification"] = checked
            else:
                bucket.config.pop("notification", None)
            store.set_bucket_config(tx, name, bucket.config)
            send_test_events(self.delivery, tx, checked, name, who, now)

        await self.store.write(change)

    async def put_config(self, account: str, name: str, kind: str, value: Any) -> None:
        if kind == "tagging":
            value = tag_set_checked(value)
        elif kind == "policy":
            check_policy(value)
        elif kind == "cors" and not value.get("CORSRules"):
            raise MalformedXML(
                "The XML you provided was not well-formed or did not validate against our published schema"
            )
        await self._set_config(name, account, kind, value)

    async def delete_config(self, account: str, name: str, kind: str) -> None:
        await self._set_config(name, account, kind, None)

    async def cors_preflight(
        self, name: str, origin: str | None, method: str | None, headers: str | None
    ) -> dict[str, Any]:
        """A browser's unsigned preflight: the bucket's CORS rules decide (whoever owns it)."""
        bucket = await self.store.read(lambda tx: store.get_bucket(tx, name))
        if bucket is None:
            raise no_such_bucket(name)
        return cors.preflight(bucket.config.get("cors"), origin, method, headers)

    async def bucket_acl(self, account: str, name: str) -> dict[str, Any]:
        await self._bucket(name, account)
        return owner_full_control(account)

    async def put_bucket_acl(
        self, account: str, name: str, acl: str | None, policy: dict[str, Any] | None, has_grants: bool
    ) -> None:
        bucket = await self._bucket(name, account)
        check_acl_allowed(bucket, acl, policy, has_grants, account)

    async def policy_status(self, account: str, name: str) -> dict[str, Any]:
        policy = await self._config(name, account, "policy")
        public = bool(policy) and '"*"' in policy and '"Allow"' in policy
        return {"IsPublic": public}

    async def bucket_owner(self, name: str) -> str | None:
        bucket = await self.store.read(lambda tx: store.get_bucket(tx, name))
        return bucket.account if bucket is not None else None


def check_policy(text: str) -> None:
    """MalformedPolicy for a document S3 would not take: not JSON, or not a policy gureum.policy can evaluate."""
    try:
        document = json.loads(text)
    except ValueError:
        message = "Policies must be valid JSON and the first byte must be '{'"
        raise ServiceError(message, code="MalformedPolicy") from None
    try:
        parse(document)
    except PolicyError as error:
        raise ServiceError(error.message, code="MalformedPolicy") from None


def tag_set_checked(value: dict[str, Any]) -> dict[str, Any]:
    tags = check_tags(value.get("TagSet") or [], MAX_BUCKET_TAGS)
    return {"TagSet": tag_set(tags)}


def owner_full_control(account: str) -> dict[str, Any]:
    """The one ACL a bucket-owner-enforced bucket or object has."""
    me = owner(account)
    return {
        "Owner": me,
        "Grants": [{"Grantee": {**me, "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}],
    }


class InvalidBucketAclWithObjectOwnership(ServiceError):
    code = "InvalidBucketAclWithObjectOwnership"

    def __init__(self) -> None:
        super().__init__("Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")


def check_acl_allowed(
    bucket: Bucket, acl: str | None, policy: dict[str, Any] | None, has_grants: bool, account: str
) -> None:
    """ACLs are answered as bucket-owner-enforced: only the owner-full-control ACL is accepted."""
    if acl in (None, "private", "bucket-owner-full-control") and not has_grants:
        if policy is None:
            return
        grants = policy.get("Grants") or []
        if all(
            g.get("Permission") == "FULL_CONTROL" and (g.get("Grantee") or {}).get("ID") == owner(account)["ID"]
            for g in grants
        ):
            return
    if bucket.account != account:
        raise access_denied()
    raise AccessControlListNotSupported("The bucket does not allow ACLs")
