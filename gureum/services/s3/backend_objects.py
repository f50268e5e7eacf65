"""Objects: PutObject (body streamed to a file, digests checked, then committed), GetObject / HeadObject (ranges,
conditions, parts, streamed out), DeleteObject(s) (delete markers when versioned), CopyObject, tagging, attributes,
and the listings (ListObjects v1 / v2, ListObjectVersions)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterable
from typing import Any
from urllib.parse import unquote

from ...store.base import Tx
from . import cors, store
from .access import Check, access_denied, object_arn, refused_entry
from .blobs import BodyTooLarge, ObjectBody, Written
from .core import S3Core, find_version, owned_bucket, owner
from .errors import (
    EntityTooLarge,
    InternalError,
    InvalidArgument,
    InvalidRequest,
    ServiceError,
    invalid_object_state,
    invalid_range,
    no_such_key,
)
from .limits import IN_READ, MAX_DELETE_OBJECTS, MAX_LIST_KEYS, MAX_OBJECT_TAGS, MAX_PUT_SIZE, WHOLE_READ
from .listing import Page, encode, list_page, read_token, token
from .names import check_key, key_bytes, prefix_end
from .notifications import ObjectEvent, Requester
from .objects import (
    NULL_VERSION,
    Bucket,
    Version,
    archived_at,
    head_fields,
    new_version_id,
    restore_header,
    restore_status,
)
from .reads import ByteRange, check_conditions, check_write_conditions, parse_range
from .transfer import Body, Incoming, chunks, digests_for, verify
from .writes import ENCRYPTION_ATTRIBUTES, WriteSpec, apply_encryption, encryption_answer

log = logging.getLogger("gureum.s3")
_VERSIONS_BATCH = 1_000
_OVERRIDES = {
    "ResponseCacheControl": "CacheControl",
    "ResponseContentDisposition": "ContentDisposition",
    "ResponseContentEncoding": "ContentEncoding",
    "ResponseContentLanguage": "ContentLanguage",
    "ResponseContentType": "ContentType",
    "ResponseExpires": "Expires",
}


def entity_too_large(size: int) -> ServiceError:
    return EntityTooLarge(
        "Your proposed upload exceeds the maximum allowed size",
        fields={"ProposedSize": str(size), "MaxSizeAllowed": str(MAX_PUT_SIZE)},
    )


def version_id_for(bucket: Bucket) -> str:
    """A new version's id: a fresh one in a versioning-enabled bucket, else "null" (replacing the null version)."""
    return new_version_id() if bucket.versioning == "Enabled" else NULL_VERSION


def parse_copy_source(source: str) -> tuple[str, str, str | None]:
    """x-amz-copy-source: "[/]bucket/key[?versionId=…]", URL-encoded."""
    path, _, query = source.partition("?")
    path = unquote(path).lstrip("/")
    bucket, _, key = path.partition("/")
    if not bucket or not key:
        raise InvalidArgument(
            "Invalid copy source object key", fields={"ArgumentName": "x-amz-copy-source", "ArgumentValue": source}
        )
    version_id = None
    if query.startswith("versionId="):
        version_id = unquote(query[len("versionId=") :])
    return bucket, key, version_id


class ObjectsMixin(S3Core):
    # --- writing -----------------------------------------------------------------------------------------------

    async def receive(
        self, body: Body, info: Incoming, limit: int = MAX_PUT_SIZE, hold: bool = False
    ) -> tuple[Written, str | None]:
        """Write a request's payload to a new body file and check it against what the client declared (the file
        is removed when it does not match). Returns the file and the payload's checksum (base64), if declared.
        ``hold``: a small body may be left for the commit to write (BlobStore.hold; the commit calls place)."""
        announced = info.decoded_length
        if announced is None and not info.chunked:
            announced = len(body) if isinstance(body, bytes) else body.length if body is not None else 0
        if announced is not None and announced > limit:
            if body is not None and not isinstance(body, bytes):
                body.discard()
            raise entity_too_large(announced)
        digests = digests_for(info)
        try:
            held = self.blobs.hold(body, digests) if hold and isinstance(body, bytes) and not info.chunked else None
            if held is not None:
                written = held
            elif isinstance(body, bytes) and not info.chunked:
                written = await self.blobs.write_bytes(body, digests)
            else:
                written = await self.blobs.write(chunks(body, info), digests, limit)
        except BodyTooLarge:
            raise entity_too_large(limit + 1) from None
        try:
            checksum = verify(info, written.digests)
        except BaseException:
            await self.blobs.delete([written.name])
            raise
        return written, checksum

    async def _commit(self, written_names: list[str], fn: Any) -> Any:
        """Commit a write whose files are in place; on failure the files go. Files of replaced versions go after."""
        try:
            result, gone = await self.store.write(fn)
        except BaseException:
            await self.blobs.delete(written_names)
            raise
        await self.blobs.delete(gone)
        return result

    async def put_object(
        self,
        account: str,
        bucket_name: str,
        key: str,
        body: Body,
        info: Incoming,
        spec: WriteSpec,
        who: Requester,
        origin: str | None = None,
        post: bool = False,
    ) -> dict[str, Any]:
        """PutObject, or a browser's POST Object (``post``: its event and CORS method)."""
        check_key(key)
        if spec.if_none_match is not None or spec.if_match is not None:
            await self._bucket(bucket_name, account)  # before the body is read: NoSuchBucket at once
            existing = await self.store.read(lambda tx: store.current(tx, bucket_name, key))
            self._write_conditions(key, existing, spec)
            written, checksum = await self.receive(body, info, hold=True)
        elif isinstance(body, bytes) and not info.chunked:
            # a body already whole costs nothing to hold: the commit checks the bucket (one store hop less), and a
            # body refused (size, digest, checksum) answers the bucket's error first, as when it is looked up first
            try:
                written, checksum = await self.receive(body, info, hold=True)
            except ServiceError:
                await self._bucket(bucket_name, account)
                raise
        else:
            await self._bucket(bucket_name, account)  # before the body is read: NoSuchBucket at once
            written, checksum = await self.receive(body, info)
        attributes = dict(spec.attributes)
        if spec.tags:
            attributes["Tags"] = spec.tags
        if checksum is not None and info.algorithm is not None:
            attributes["Checksum"] = {info.algorithm: checksum}
            attributes["ChecksumType"] = "FULL_OBJECT"
        etag = f'"{written.digests.md5.hexdigest()}"'
        now = self.now()

        def commit(tx: Tx) -> tuple[dict[str, Any], list[str]]:
            self.blobs.place(written)  # a held body's file, before the row that names it
            segments = [(written.name, written.size)]
            bucket, version, gone = self._write_version(
                tx, account, bucket_name, key, spec, who, "ObjectCreated:Post" if post else "ObjectCreated:Put",
                written.size, etag, now, spec.storage_class, segments, attributes,
            )  # fmt: skip
            out: dict[str, Any] = {"ETag": etag, **encryption_answer(attributes)}
            out.update(cors.actual(bucket.config.get("cors"), origin, "POST" if post else "PUT"))
            if bucket.versioning:
                out["VersionId"] = version.version_id
            if checksum is not None and info.algorithm is not None:
                out[f"Checksum{info.algorithm}"] = checksum
                out["ChecksumType"] = "FULL_OBJECT"
            return out, gone

        result: dict[str, Any] = await self._commit([written.name], commit)
        return result

    def _write_version(
        self,
        tx: Tx,
        account: str,
        bucket_name: str,
        key: str,
        spec: WriteSpec,
        who: Requester,
        event: str,
        size: int,
        etag: str,
        now: float,
        storage_class: str,
        segments: list[tuple[str, int]],
        attributes: dict[str, Any],
    ) -> tuple[Bucket, Version, list[str]]:
        """A new current version of `key`, written under the key's lock once the write conditions hold, and its
        `event` notified: (bucket, version, the files of the versions it replaced)."""
        bucket = owned_bucket(tx, bucket_name, account)
        apply_encryption(attributes, bucket.config.get("encryption"), bucket.account, bucket.region)
        store.lock_key(tx, bucket_name, key)
        if spec.if_match is not None or spec.if_none_match is not None:  # the current version matters to them only
            self._write_conditions(key, store.current(tx, bucket_name, key), spec)
        version = Version(
            bucket_name, key, version_id_for(bucket), True, False, size, etag, now, storage_class, segments, attributes
        )
        gone = store.put_version(tx, version)
        self._notify(tx, bucket, [created(event, bucket, version)], who)
        return bucket, version, gone

    @staticmethod
    def _write_conditions(key: str, existing: Version | None, spec: WriteSpec) -> None:
        live = existing if existing is not None and not existing.delete_marker else None
        if spec.if_match is not None and live is None:
            raise no_such_key(key)
        check_write_conditions(live.etag if live else None, spec.if_match, spec.if_none_match)

    # --- reading -----------------------------------------------------------------------------------------------

    async def get_object(
        self,
        account: str,
        bucket_name: str,
        key: str,
        version_id: str | None,
        range_header: str | None,
        part_number: int | None,
        conditions: dict[str, Any],
        overrides: dict[str, Any],
        checksum_mode: bool,
        head: bool,
        origin: str | None = None,
    ) -> dict[str, Any]:
        now = self.now()
        for attempt in range(3):

            def look(tx: Tx) -> tuple[Bucket, Version, ByteRange | None, bytes | None]:
                """The version, its conditions checked, the range asked, and a small body read at once (in the
                store's thread, while the version is the one read: one thread hop fewer)."""
                bucket, version = self._readable(tx, account, bucket_name, key, version_id)
                if not head and archived_at(version, now):
                    raise invalid_object_state(version.storage_class)
                check_conditions(
                    version.etag,
                    version.modified,
                    conditions.get("IfMatch"),
                    conditions.get("IfNoneMatch"),
                    conditions.get("IfModifiedSince"),
                    conditions.get("IfUnmodifiedSince"),
                )
                byte_range = (
                    self._part_range(version, part_number) if part_number else parse_range(range_header, version.size)
                )
                start, end = (byte_range.start, byte_range.end) if byte_range else (0, version.size)
                small = not head and end - start <= IN_READ
                return bucket, version, byte_range, self.blobs.read_now(version.segments, start, end) if small else None

            body: bytes | ObjectBody | None
            try:
                bucket, version, byte_range, body = await self.store.read(look)
                start, end = (byte_range.start, byte_range.end) if byte_range else (0, version.size)
                if body is None and not head:
                    if end - start <= WHOLE_READ:  # opened and read in one thread hop
                        body = await self.blobs.read_whole(version.segments, start, end)
                    else:
                        body = ObjectBody(await self.blobs.open(version.segments, start, end), end - start)
            except FileNotFoundError as missing:
                if attempt < 2:
                    continue  # overwritten between the read and the open: read the new current version
                # committed, yet its file is not here: another node wrote it to a directory this node does not share
                log.error("S3 body file missing: %s (nodes must share GUREUM_S3_DIR)", missing.filename)
                raise InternalError("We encountered an internal error. Please try again.") from None
            out = head_fields(version, checksum_mode and byte_range is None)
            restore = restore_header(version, now)
            if restore is not None:
                out["Restore"] = restore
            out.update(cors.actual(bucket.config.get("cors"), origin, "HEAD" if head else "GET"))
            if bucket.versioning:
                out["VersionId"] = version.version_id
            for name, header in _OVERRIDES.items():
                if overrides.get(name) is not None:
                    out[header] = overrides[name]
            if byte_range is not None:
                out["ContentRange"] = byte_range.content_range(version.size)
                out["ContentLength"] = end - start
                out["HttpStatus"] = 206
            if part_number:
                out["PartsCount"] = version.attributes.get("PartsCount", 1)
            if not head:
                out["Body"] = body
            return out
        raise AssertionError("unreachable")

    @staticmethod
    def _readable(tx: Tx, account: str, bucket_name: str, key: str, version_id: str | None) -> tuple[Bucket, Version]:
        bucket = owned_bucket(tx, bucket_name, account)
        return bucket, find_version(tx, bucket, key, version_id)

    @staticmethod
    def _part_range(version: Version, part_number: int) -> ByteRange | None:
        sizes = version.attributes.get("PartSizes") or [version.size]
        if part_number > len(sizes):
            raise (
                invalid_range(f"partNumber={part_number}", version.size)
                if len(sizes) > 1
                else InvalidRequest("Part number must be an integer between 1 and 10000, inclusive")
            )
        if len(sizes) == 1:
            return None
        start = sum(sizes[: part_number - 1])
        return ByteRange(start, start + sizes[part_number - 1])

    async def object_body(
        self, account: str, bucket_name: str, key: str, version_id: str | None = None
    ) -> tuple[dict[str, Any], AsyncIterable[bytes]]:
        """The current (or the named) version's fields, BucketRegion among them, and its body as chunks (for other
        services, through the S3Objects port)."""
        bucket, version = await self.store.read(lambda tx: self._readable(tx, account, bucket_name, key, version_id))
        if archived_at(version, self.now()):
            raise invalid_object_state(version.storage_class)
        opened = await self.blobs.open(version.segments, 0, version.size)
        return head_fields(version, True) | {"BucketRegion": bucket.region}, ObjectBody(opened, version.size)

    # --- deleting ----------------------------------------------------------------------------------------------

    def _delete_one(
        self,
        tx: Tx,
        bucket: Bucket,
        key: str,
        version_id: str | None,
        now: float,
        who: Requester,
        lifecycle: bool = False,
    ) -> tuple[dict[str, Any], list[str]]:
        store.lock_key(tx, bucket.name, key)
        if version_id is not None:
            found = store.version(tx, bucket.name, key, version_id)
            if found is None:
                if version_id != NULL_VERSION and len(version_id) < 8:
                    raise InvalidArgument("Invalid version id specified")
                return {"VersionId": version_id}, []
            gone = store.delete_version(tx, bucket.name, key, version_id)
            out: dict[str, Any] = {"VersionId": version_id}
            if found.delete_marker:
                out["DeleteMarker"] = True
            event = ObjectEvent("ObjectRemoved:Delete", key, version_id=version_id)
            self._notify(tx, bucket, [event], who)
            return out, gone
        if bucket.versioning is None:
            gone = store.delete_version(tx, bucket.name, key, NULL_VERSION)
            self._notify(tx, bucket, [ObjectEvent("ObjectRemoved:Delete", key)], who)
            return {}, gone
        marker = Version(bucket.name, key, version_id_for(bucket), True, True, 0, "", now, "STANDARD", [], {})
        gone = store.put_version(tx, marker)
        name = "LifecycleExpiration:DeleteMarkerCreated" if lifecycle else "ObjectRemoved:DeleteMarkerCreated"
        event = ObjectEvent(name, key, version_id=marker.version_id, delete_marker=True)
        self._notify(tx, bucket, [event], who)
        return {"DeleteMarker": True, "VersionId": marker.version_id}, gone

    async def delete_object(
        self,
        account: str,
        bucket_name: str,
        key: str,
        version_id: str | None,
        if_match: str | None,
        who: Requester,
    ) -> dict[str, Any]:
        now = self.now()

        def delete(tx: Tx) -> tuple[dict[str, Any], list[str]]:
            bucket = owned_bucket(tx, bucket_name, account)
            store.lock_key(tx, bucket_name, key)
            if if_match is not None:
                existing = store.current(tx, bucket_name, key)
                if existing is None or existing.delete_marker:
                    raise no_such_key(key)
                check_write_conditions(existing.etag, if_match, None)
            return self._delete_one(tx, bucket, key, version_id, now, who)

        result: dict[str, Any] = await self._commit([], delete)
        return result

    async def delete_objects(
        self,
        account: str,
        bucket_name: str,
        objects: list[dict[str, Any]],
        quiet: bool,
        who: Requester,
        refused: frozenset[tuple[str, str]] = frozenset(),
    ) -> dict[str, Any]:
        """DeleteObjects, answered key by key: ``refused`` the (action, object ARN) IAM enforcement refused the
        signer, and another account's keys the bucket policy refuses, are AccessDenied entries."""
        if len(objects) > MAX_DELETE_OBJECTS:
            raise ServiceError(
                "The XML you provided was not well-formed or did not validate against our published schema",
                code="MalformedXML",
            )
        now = self.now()

        def delete(tx: Tx) -> tuple[dict[str, Any], list[str]]:
            bucket = owned_bucket(tx, bucket_name, account)
            policy = bucket.config.get("policy")
            for key in sorted({str(item.get("Key", "")) for item in objects}):  # in one order: no deadlocks
                store.lock_key(tx, bucket_name, key)
            deleted: list[dict[str, Any]] = []
            errors: list[dict[str, Any]] = []
            gone: list[str] = []
            for item in objects:
                key = item["Key"]
                action = "s3:DeleteObjectVersion" if item.get("VersionId") else "s3:DeleteObject"
                arn = object_arn(bucket_name, key)
                try:
                    if (action, arn) in refused or refused_entry(
                        account, Check(bucket_name, action, arn), bucket.account, policy
                    ):
                        raise access_denied()
                    out, names = self._delete_one(tx, bucket, key, item.get("VersionId"), now, who)
                except ServiceError as error:
                    failed = {"Key": key, "Code": error.code, "Message": error.message}
                    if item.get("VersionId"):
                        failed["VersionId"] = item["VersionId"]
                    errors.append(failed)
                    continue
                gone.extend(names)
                if not quiet:
                    entry: dict[str, Any] = {"Key": key}
                    if item.get("VersionId"):
                        entry["VersionId"] = item["VersionId"]
                    if out.get("DeleteMarker"):
                        entry["DeleteMarker"] = True
                        entry["DeleteMarkerVersionId"] = out["VersionId"]
                    deleted.append(entry)
            return {"Deleted": deleted, "Errors": errors}, gone

        result: dict[str, Any] = await self._commit([], delete)
        return {key: value for key, value in result.items() if value}

    # --- copying -----------------------------------------------------------------------------------------------

    async def copy_object(
        self,
        account: str,
        bucket_name: str,
        key: str,
        source: str,
        source_conditions: dict[str, Any],
        metadata_directive: str | None,
        tagging_directive: str | None,
        spec: WriteSpec,
        replace_fields: bool,
        who: Requester,
    ) -> dict[str, Any]:
        check_key(key)
        src_bucket, src_key, src_version = parse_copy_source(source)
        _, source_version = await self.store.read(
            lambda tx: self._readable(tx, account, src_bucket, src_key, src_version)
        )
        check_copy_conditions(source_version, source_conditions)
        if archived_at(source_version, self.now()):
            raise invalid_object_state(source_version.storage_class, copy=True)
        directive = (metadata_directive or "COPY").upper()
        if (
            src_bucket == bucket_name
            and src_key == key
            and src_version is None
            and directive == "COPY"
            and not replace_fields
        ):
            raise InvalidRequest(
                "This copy request is illegal because it is trying to copy an object to itself without changing the "
                "object's metadata, storage class, website redirect location or encryption attributes."
            )
        if directive == "COPY":
            # the copy is encrypted as the request says, else as the destination bucket's default (CopyObject)
            dropped = ("Tags", "Restore", "RestoreReady", *ENCRYPTION_ATTRIBUTES)
            attributes = {k: v for k, v in source_version.attributes.items() if k not in dropped}
            for name in ("StorageClass", "WebsiteRedirectLocation", *ENCRYPTION_ATTRIBUTES):
                if spec.attributes.get(name) is not None:
                    attributes[name] = spec.attributes[name]
        else:
            attributes = dict(spec.attributes)
            for name in ("Checksum", "ChecksumType", "PartsCount", "PartSizes"):
                if name in source_version.attributes:
                    attributes[name] = source_version.attributes[name]
        if (tagging_directive or "COPY").upper() == "COPY":
            if source_version.tags:
                attributes["Tags"] = source_version.tags
        elif spec.tags:
            attributes["Tags"] = spec.tags
        segments = await self.blobs.link(source_version.segments)
        now = self.now()
        storage_class = spec.storage_class  # STANDARD unless the copy names one, whatever the source's (as on AWS)

        def commit(tx: Tx) -> tuple[dict[str, Any], list[str]]:
            bucket, version, gone = self._write_version(
                tx, account, bucket_name, key, spec, who, "ObjectCreated:Copy",
                source_version.size, source_version.etag, now, storage_class, segments, attributes,
            )  # fmt: skip
            result: dict[str, Any] = {"ETag": version.etag, "LastModified": now}
            for algorithm, value in version.checksums.items():
                result[f"Checksum{algorithm}"] = value
            out: dict[str, Any] = {"CopyObjectResult": result, **encryption_answer(attributes)}
            if bucket.versioning:
                out["VersionId"] = version.version_id
            if src_version is not None or source_version.version_id != NULL_VERSION:
                out["CopySourceVersionId"] = source_version.version_id
            return out, gone

        copied: dict[str, Any] = await self._commit([name for name, _ in segments], commit)
        return copied

    # --- tagging, ACL, attributes ------------------------------------------------------------------------------

    async def get_object_tagging(
        self, account: str, bucket_name: str, key: str, version_id: str | None
    ) -> dict[str, Any]:
        bucket, version = await self.store.read(lambda tx: self._readable(tx, account, bucket_name, key, version_id))
        out: dict[str, Any] = {"TagSet": [{"Key": k, "Value": v} for k, v in version.tags.items()]}
        if bucket.versioning:
            out["VersionId"] = version.version_id
        return out

    async def put_object_tagging(
        self,
        account: str,
        bucket_name: str,
        key: str,
        version_id: str | None,
        tags: dict[str, str] | None,
        who: Requester,
    ) -> dict[str, Any]:
        from .backend_buckets import check_tags  # noqa: PLC0415  (a sibling mixin's rule)

        checked = check_tags([{"Key": k, "Value": v} for k, v in (tags or {}).items()], MAX_OBJECT_TAGS) if tags else {}

        def change(tx: Tx) -> dict[str, Any]:
            store.lock_key(tx, bucket_name, key)  # with the key's other writers (its attributes are one document)
            bucket, version = self._readable(tx, account, bucket_name, key, version_id)
            attributes = dict(version.attributes)
            if checked:
                attributes["Tags"] = checked
            else:
                attributes.pop("Tags", None)
            store.set_attributes(tx, bucket_name, key, version.version_id, attributes)
            name = "ObjectTagging:Put" if checked else "ObjectTagging:Delete"
            shown = version.version_id if bucket.versioning else None
            self._notify(tx, bucket, [ObjectEvent(name, key, etag=version.etag, version_id=shown)], who)
            return {"VersionId": version.version_id} if bucket.versioning else {}

        result: dict[str, Any] = await self.store.write(change)
        return result

    async def put_object_acl(
        self,
        account: str,
        bucket_name: str,
        key: str,
        version_id: str | None,
        acl: str | None,
        policy: dict[str, Any] | None,
        has_grants: bool,
    ) -> None:
        from .backend_buckets import check_acl_allowed  # noqa: PLC0415  (a sibling mixin's rule)

        bucket, _ = await self.store.read(lambda tx: self._readable(tx, account, bucket_name, key, version_id))
        check_acl_allowed(bucket, acl, policy, has_grants, account)

    async def object_exists(self, account: str, bucket_name: str, key: str, version_id: str | None) -> None:
        await self.store.read(lambda tx: self._readable(tx, account, bucket_name, key, version_id))

    async def object_attributes(
        self,
        account: str,
        bucket_name: str,
        key: str,
        version_id: str | None,
        wanted: list[str],
        max_parts: int | None,
        part_marker: int | None,
    ) -> dict[str, Any]:
        bucket, version = await self.store.read(lambda tx: self._readable(tx, account, bucket_name, key, version_id))
        out: dict[str, Any] = {"LastModified": version.modified}
        if bucket.versioning:
            out["VersionId"] = version.version_id
        if "ETag" in wanted:
            out["ETag"] = version.etag.strip('"')
        if "StorageClass" in wanted:
            out["StorageClass"] = version.storage_class
        if "ObjectSize" in wanted:
            out["ObjectSize"] = version.size
        if "Checksum" in wanted and version.checksums:
            checksum: dict[str, Any] = {f"Checksum{k}": v for k, v in version.checksums.items()}
            checksum["ChecksumType"] = version.attributes.get("ChecksumType", "FULL_OBJECT")
            out["Checksum"] = checksum
        sizes = version.attributes.get("PartSizes")
        if "ObjectParts" in wanted and sizes:
            first = (part_marker or 0) + 1
            limit = max_parts or 1000
            numbers = list(range(first, len(sizes) + 1))[:limit]
            parts = [{"PartNumber": n, "Size": sizes[n - 1]} for n in numbers]
            part_checksums = version.attributes.get("PartChecksums") or []
            algorithm = next(iter(version.checksums), None)
            if algorithm and len(part_checksums) == len(sizes):
                for part in parts:
                    part[f"Checksum{algorithm}"] = part_checksums[part["PartNumber"] - 1]
            out["ObjectParts"] = {
                "TotalPartsCount": len(sizes),
                "PartNumberMarker": part_marker or 0,
                "NextPartNumberMarker": numbers[-1] if numbers else 0,
                "MaxParts": limit,
                "IsTruncated": bool(numbers) and numbers[-1] < len(sizes),
                "Parts": parts,
            }
        return out

    # --- listing -----------------------------------------------------------------------------------------------

    async def list_objects(
        self,
        account: str,
        bucket_name: str,
        prefix: str | None,
        delimiter: str | None,
        marker: str | None,
        max_keys: int | None,
        url: bool,
        v2: bool,
        continuation: str | None,
        fetch_owner: bool,
        with_restore_status: bool = False,
    ) -> dict[str, Any]:
        limit = MAX_LIST_KEYS if max_keys is None else max(0, min(max_keys, MAX_LIST_KEYS))
        start = read_token(continuation) if continuation else None

        owners: list[str] = []  # the bucket's account (the objects' owner under BucketOwnerEnforced)

        def read(tx: Tx) -> Page[Version]:
            owners[:] = [owned_bucket(tx, bucket_name, account).account]
            return list_page(
                lambda after, inclusive, end, n: store.list_current(tx, bucket_name, after, inclusive, end, n),
                lambda v: v.key,
                lambda v: v.delete_marker,
                prefix or "",
                delimiter or None,
                marker,
                limit,
                start,
            )

        page = await self.store.read(read)
        now = self.now()
        contents = []
        for version in page.entries:
            entry: dict[str, Any] = {
                "Key": encode(version.key, url),
                "LastModified": version.modified,
                "ETag": version.etag,
                "Size": version.size,
                "StorageClass": version.storage_class,
            }
            if version.checksums:
                entry["ChecksumAlgorithm"] = list(version.checksums)
                entry["ChecksumType"] = version.attributes.get("ChecksumType", "FULL_OBJECT")
            if not v2 or fetch_owner:
                entry["Owner"] = owner(owners[0])
            status = restore_status(version, now) if with_restore_status else None
            if status is not None:
                entry["RestoreStatus"] = status
            contents.append(entry)
        out: dict[str, Any] = {
            "Name": bucket_name,
            "Prefix": encode(prefix or "", url),
            "MaxKeys": limit,
            "IsTruncated": page.truncated,
        }
        if contents:
            out["Contents"] = contents
        if page.prefixes:
            out["CommonPrefixes"] = [{"Prefix": encode(p, url)} for p in page.prefixes]
        if delimiter:
            out["Delimiter"] = encode(delimiter, url)
        if url:
            out["EncodingType"] = "url"
        if v2:
            out["KeyCount"] = len(contents) + len(page.prefixes)
            if continuation:
                out["ContinuationToken"] = continuation
            if marker:
                out["StartAfter"] = encode(marker, url)
            if page.truncated and page.resume is not None:
                out["NextContinuationToken"] = token(page.resume)
        else:
            out["Marker"] = encode(marker or "", url)
            if page.truncated and delimiter and page.last is not None:
                out["NextMarker"] = encode(page.last, url)
        return out

    async def list_object_versions(
        self,
        account: str,
        bucket_name: str,
        prefix: str | None,
        delimiter: str | None,
        key_marker: str | None,
        version_marker: str | None,
        max_keys: int | None,
        url: bool,
        with_restore_status: bool = False,
    ) -> dict[str, Any]:
        limit = MAX_LIST_KEYS if max_keys is None else max(0, min(max_keys, MAX_LIST_KEYS))
        if version_marker and not key_marker:
            raise InvalidArgument(
                "A version-id marker cannot be specified without a key marker.",
                fields={"ArgumentName": "version-id-marker", "ArgumentValue": version_marker},
            )
        prefix = prefix or ""

        owners: list[str] = []

        def read(tx: Tx) -> tuple[list[Version], list[str], bool]:
            owners[:] = [owned_bucket(tx, bucket_name, account).account]
            end = prefix_end(key_bytes(prefix)) if prefix else None
            after = key_bytes(key_marker) if key_marker else key_bytes(prefix)
            inclusive = not key_marker or bool(version_marker)
            before_id: int | None = None
            if key_marker and version_marker:
                marked = store.version(tx, bucket_name, key_marker, version_marker)
                if marked is None:
                    inclusive = False  # a marker that names no version: resume after its key
                else:
                    before_id = store.version_row_id(tx, bucket_name, key_marker, version_marker)
            entries: list[Version] = []
            prefixes: list[str] = []
            while True:
                rows = store.list_versions(tx, bucket_name, after, inclusive, end, _VERSIONS_BATCH, before_id)
                if not rows:
                    return entries, prefixes, False
                jumped = False
                for row_id, row in rows:
                    after, inclusive, before_id = key_bytes(row.key), False, row_id
                    common = None
                    if delimiter:
                        at = row.key.find(delimiter, len(prefix))
                        if at >= 0:
                            common = row.key[: at + len(delimiter)]
                    if common is not None and key_marker and key_bytes(common) <= key_bytes(key_marker):
                        common_end = prefix_end(key_bytes(common))  # answered on an earlier page: skip it whole
                        if common_end is None:
                            return entries, prefixes, False
                        after, inclusive, before_id, jumped = common_end, True, None, True
                        break
                    if len(entries) + len(prefixes) >= limit:
                        return entries, prefixes, True
                    if common is not None:
                        prefixes.append(common)
                        common_end = prefix_end(key_bytes(common))
                        if common_end is None:
                            return entries, prefixes, False
                        after, inclusive, before_id, jumped = common_end, True, None, True
                        break
                    entries.append(row)
                if not jumped and len(rows) < _VERSIONS_BATCH:
                    return entries, prefixes, False

        entries, prefixes, truncated = await self.store.read(read)
        now = self.now()
        versions, markers = [], []
        for v in entries:
            base: dict[str, Any] = {
                "Key": encode(v.key, url),
                "VersionId": v.version_id,
                "IsLatest": v.latest,
                "LastModified": v.modified,
                "Owner": owner(owners[0]),
            }
            if v.delete_marker:
                markers.append(base)
            else:
                entry = {**base, "ETag": v.etag, "Size": v.size, "StorageClass": v.storage_class}
                status = restore_status(v, now) if with_restore_status else None
                if status is not None:
                    entry["RestoreStatus"] = status
                versions.append(entry)
        out: dict[str, Any] = {
            "Name": bucket_name,
            "Prefix": encode(prefix, url),
            "KeyMarker": encode(key_marker or "", url),
            "VersionIdMarker": version_marker or "",
            "MaxKeys": limit,
            "IsTruncated": truncated,
        }
        if versions:
            out["Versions"] = versions
        if markers:
            out["DeleteMarkers"] = markers
        if prefixes:
            out["CommonPrefixes"] = [{"Prefix": encode(p, url)} for p in prefixes]
        if delimiter:
            out["Delimiter"] = encode(delimiter, url)
        if url:
            out["EncodingType"] = "url"
        if truncated and entries:
            out["NextKeyMarker"] = encode(entries[-1].key, url)
            out["NextVersionIdMarker"] = entries[-1].version_id
        elif truncated and prefixes:
            out["NextKeyMarker"] = encode(prefixes[-1], url)
        return out


def created(name: str, bucket: Bucket, version: Version) -> ObjectEvent:
    """An ObjectCreated event of a new version (versionId only in a bucket that was ever versioned)."""
    shown = version.version_id if bucket.versioning else None
    return ObjectEvent(name, version.key, version.size, version.etag, shown)


def check_copy_conditions(version: Version, conditions: dict[str, Any]) -> None:
    """x-amz-copy-source-if-*: a failed condition is 412 (never 304) for a copy."""
    try:
        check_conditions(
            version.etag,
            version.modified,
            conditions.get("CopySourceIfMatch"),
            conditions.get("CopySourceIfNoneMatch"),
            conditions.get("CopySourceIfModifiedSince"),
            conditions.get("CopySourceIfUnmodifiedSince"),
        )
    except ServiceError as error:
        if error.status == 304:
            from .errors import precondition_failed

            raise precondition_failed("x-amz-copy-source-If-None-Match") from None
        raise


def md5_of_parts(etags: list[str]) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    for etag in etags:
        digest.update(bytes.fromhex(etag.strip('"')))
    return f'"{digest.hexdigest()}-{len(etags)}"'
