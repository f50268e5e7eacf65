"""The lifecycle sweep: on the leader node, every GUREUM_S3_LIFECYCLE_SECONDS, each bucket with a lifecycle
configuration has its expired objects deleted (a delete marker in a versioned bucket), expired noncurrent versions
and lone delete markers removed, and its expired incomplete multipart uploads aborted — each change in its own
transaction, rechecked there, with the bucket's s3:LifecycleExpiration notifications."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from ...store.base import Tx
from . import lifecycle, store
from .backend_multipart import MultipartMixin
from .errors import InvalidObjectState, InvalidRequest, MalformedXML, RestoreAlreadyInProgress
from .names import key_bytes
from .notifications import ObjectEvent, Requester
from .objects import ARCHIVED, Bucket, Version, restored_until, restoring

_LIFECYCLE = Requester("", "AmazonS3", "s3.amazonaws.com", "lifecycle", "", by_s3=True)
_PAGE = 500


class LifecycleMixin(MultipartMixin):
    day_seconds: float = lifecycle.DAY
    restore_seconds: float = 0.0  # how long a restore takes (GUREUM_S3_RESTORE_SECONDS)

    async def restore_object(
        self, account: str, bucket_name: str, key: str, version_id: str | None, request: dict[str, Any], who: Requester
    ) -> dict[str, Any]:
        """RestoreObject of a GLACIER / DEEP_ARCHIVE object: a restored copy readable for ``Days`` (ending at
        midnight UTC, as S3 rounds) once ready — at once by default, otherwise after GUREUM_S3_RESTORE_SECONDS for a
        Standard retrieval from GLACIER and in proportion to AWS's times for the other tiers and DEEP_ARCHIVE, with
        x-amz-restore showing ongoing-request="true" meanwhile (RestoreAlreadyInProgress to a second request). It
        answers 202 Accepted and notifies s3:ObjectRestore:Post; :Completed comes when the copy is ready (the
        sweep's, for a restore that takes time) and :Delete when it expires. Restoring a live copy again moves its
        expiry and answers 200 OK."""
        if str(request.get("Type") or "").upper() == "SELECT":
            raise InvalidRequest("gureum does not support the SELECT type of RestoreObject (AWS retired it).")
        days = request.get("Days")
        if days is None or int(days) < 1:
            raise MalformedXML(
                "The XML you provided was not well-formed or did not validate against our published schema"
            )
        now = self.now()
        clock = lifecycle.Clock(self.day_seconds)
        tier = str((request.get("GlacierJobParameters") or {}).get("Tier") or request.get("Tier") or "Standard")

        def change(tx: Tx) -> dict[str, Any]:
            store.lock_key(tx, bucket_name, key)  # with the key's other writers (its attributes are one document)
            bucket, version = self._readable(tx, account, bucket_name, key, version_id)
            if version.storage_class not in ARCHIVED:
                raise InvalidObjectState(
                    "Restore is not allowed for the object's current storage class",
                    fields={"StorageClass": version.storage_class},
                )
            ready = now + self.restore_seconds * lifecycle.restore_factor(version.storage_class, tier)
            if restoring(version, now):
                raise RestoreAlreadyInProgress("Object restore is already in progress")
            previous = restored_until(version)
            attributes = {k: v for k, v in version.attributes.items() if k != "RestoreReady"}
            if previous is not None and previous > now:  # a live copy: its expiry moves
                expiry = clock.after_days(now, int(days))
                store.set_attributes(tx, bucket_name, key, version.version_id, {**attributes, "Restore": expiry})
                store.put_restore(tx, bucket_name, key, version.version_id, now, expiry, True)
                return {}
            expiry = clock.after_days(ready, int(days))
            attributes["Restore"] = expiry
            if ready > now:
                attributes["RestoreReady"] = ready
            store.set_attributes(tx, bucket_name, key, version.version_id, attributes)
            shown = version.version_id if bucket.versioning else None
            started = ObjectEvent(
                "ObjectRestore:Post", key, version.size, version.etag, shown, storage_class=version.storage_class
            )
            self._notify(tx, bucket, [started], who)
            if ready <= now:
                done = dataclasses.replace(started, name="ObjectRestore:Completed", restore_expiry=expiry)
                self._notify(tx, bucket, [done], dataclasses.replace(who, by_s3=True))
            store.put_restore(tx, bucket_name, key, version.version_id, ready, expiry, ready <= now)
            return {"HttpStatus": 202}

        result: dict[str, Any] = await self.store.write(change)
        return result

    async def sweep_restores(self) -> int:
        """Act on the restores that are due: one in progress whose copy is ready is completed
        (s3:ObjectRestore:Completed), a completed one whose copy has expired is ended (s3:ObjectRestore:Delete, the
        version archived again). Each in its own transaction, rechecked there. How many were acted on."""
        now = self.now()
        due = await self.store.read(lambda tx: store.due_restores(tx, now, _PAGE))
        for row in due:
            await self.store.write(functools.partial(self._settle_restore, row=row, now=now))
        return len(due)

    def _settle_restore(self, tx: Tx, row: store.Restore, now: float) -> None:
        bucket_name, key, version_id, ready_at, _expiry, completed = row
        store.lock_key(tx, bucket_name, key)
        bucket = store.get_bucket(tx, bucket_name)
        version = store.version(tx, bucket_name, key, version_id)
        expiry = restored_until(version) if version is not None else None
        if bucket is None or version is None or expiry is None:
            store.delete_restore(tx, bucket_name, key, version_id)  # the version (or its restore) is gone
            return
        shown = version.version_id if bucket.versioning else None
        event = ObjectEvent(
            "ObjectRestore:Completed", key, version.size, version.etag, shown, storage_class=version.storage_class
        )
        if not completed:
            if restoring(version, now):
                return  # not ready after all (another restore's row): the next sweep looks again
            self._notify(tx, bucket, [dataclasses.replace(event, restore_expiry=expiry)], _LIFECYCLE)
            store.put_restore(tx, bucket_name, key, version_id, ready_at, expiry, True)
            return
        if expiry > now:  # restored again since: the copy lives on
            store.put_restore(tx, bucket_name, key, version_id, ready_at, expiry, True)
            return
        attributes = {k: v for k, v in version.attributes.items() if k not in ("Restore", "RestoreReady")}
        store.set_attributes(tx, bucket_name, key, version_id, attributes)
        store.delete_restore(tx, bucket_name, key, version_id)
        self._notify(tx, bucket, [dataclasses.replace(event, name="ObjectRestore:Delete")], _LIFECYCLE)

    async def put_lifecycle(
        self, account: str, name: str, config: dict[str, Any], minimum_size: str | None
    ) -> dict[str, Any]:
        """Keep the rules and the transitions' default minimum object size (S3's default for a new configuration:
        all_storage_classes_128K), which GetBucketLifecycleConfiguration answers with them."""
        size = minimum_size or lifecycle.DEFAULT_MINIMUM_SIZE
        kept = {**lifecycle.check_rules(config), "TransitionDefaultMinimumObjectSize": size}
        await self._set_config(name, account, "lifecycle", kept)
        return {"TransitionDefaultMinimumObjectSize": size}

    async def sweep_lifecycle(self) -> int:
        """Apply every bucket's lifecycle rules once; how many versions and uploads went."""
        done = 0
        for bucket in await self.store.read(lambda tx: store.buckets_with(tx, "lifecycle")):
            rules = [r for r in bucket.config["lifecycle"].get("Rules", []) if r.get("Status") == "Enabled"]
            if rules:
                done += await self._sweep_bucket(bucket, rules)
        return done

    async def _sweep_bucket(self, bucket: Bucket, rules: list[dict[str, Any]]) -> int:
        clock = lifecycle.Clock(self.day_seconds)
        now = self.clock.now()
        done = 0
        after = b""
        while True:
            keys = await self.store.read(
                functools.partial(store.keys_after, bucket=bucket.name, after=after, limit=_PAGE)
            )
            for key in keys:
                versions = await self.store.read(functools.partial(store.key_versions, bucket=bucket.name, key=key))
                for version in self._expired(rules, versions, now, clock):
                    if await self._expire(bucket.name, version, rules, clock):
                        done += 1
            if len(keys) < _PAGE:
                break
            after = key_bytes(keys[-1])
        uploads = await self.store.read(lambda tx: store.list_uploads(tx, bucket.name, b"", True, None, 100_000))
        for upload in uploads:
            if lifecycle.upload_expired(rules, upload.key, upload.initiated, now, clock):

                def abort(tx: Tx, upload_id: str = upload.upload_id) -> tuple[None, list[str]]:
                    return None, store.delete_upload(tx, upload_id)

                await self._commit([], abort)
                done += 1
        return done

    @staticmethod
    def _expired(
        rules: list[dict[str, Any]], versions: list[Version], now: float, clock: lifecycle.Clock
    ) -> list[Version]:
        """The versions of one key (newest first) the rules expire now."""
        out: list[Version] = []
        if not versions:
            return out
        current = versions[0] if versions[0].latest else None
        if current is not None:
            if current.delete_marker:
                if len(versions) == 1 and lifecycle.marker_expired(rules, current.key):
                    out.append(current)
            elif lifecycle.current_expired(rules, current, now, clock):
                out.append(current)
        newer = 0
        for index, version in enumerate(versions):
            if version.latest:
                continue
            since = versions[index - 1].modified if index else version.modified
            if lifecycle.noncurrent_expired(rules, version, since, newer, now, clock):
                out.append(version)
            newer += 1
        return out

    async def _expire(
        self, bucket_name: str, version: Version, rules: list[dict[str, Any]], clock: lifecycle.Clock
    ) -> bool:
        now = self.now()

        def expire(tx: Tx) -> tuple[bool, list[str]]:
            store.lock_key(tx, bucket_name, version.key)
            bucket = store.get_bucket(tx, bucket_name)
            found = store.version(tx, bucket_name, version.key, version.version_id)
            if bucket is None or found is None or found.latest != version.latest:
                return False, []  # changed since it was read: the next sweep decides again
            if found.latest and not found.delete_marker:
                if not lifecycle.current_expired(rules, found, self.clock.now(), clock):
                    return False, []
                if bucket.versioning is not None:
                    _, gone = self._delete_one(tx, bucket, found.key, None, now, _LIFECYCLE, lifecycle=True)
                    return True, gone
            gone = store.delete_version(tx, bucket_name, found.key, found.version_id)
            shown = found.version_id if bucket.versioning else None
            self._notify(
                tx, bucket, [ObjectEvent("LifecycleExpiration:Delete", found.key, version_id=shown)], _LIFECYCLE
            )
            return True, gone

        expired: bool = await self._commit([], expire)
        return expired
