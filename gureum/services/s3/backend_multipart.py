"""Multipart uploads: create, upload part (streamed like PutObject), upload part copy (with a source range),
list parts and uploads, complete (parts ascending, ETags matching, 5 MiB minimum but the last; the object's ETag is
the MD5 of the parts' MD5s, "-N"; the parts' files become the object's body without a copy), abort."""

from __future__ import annotations

from typing import Any

from ...store.base import Tx
from . import cors, store
from .backend_objects import (
    ObjectsMixin,
    check_copy_conditions,
    created,
    md5_of_parts,
    parse_copy_source,
    version_id_for,
)
from .checksums import Digests, check_algorithm, composite
from .core import owned_bucket, owner
from .errors import (
    EntityTooSmall,
    InvalidArgument,
    InvalidPart,
    InvalidPartOrder,
    InvalidRequest,
    MalformedXML,
    ServiceError,
    invalid_object_state,
    invalid_range,
    no_such_upload,
)
from .limits import MAX_LIST_KEYS, MAX_PART_NUMBER, MAX_PUT_SIZE, MIN_PART_SIZE
from .listing import encode
from .names import check_key, key_bytes, prefix_end
from .notifications import Requester
from .objects import Part, Upload, Version, archived_at, new_upload_id
from .transfer import Body, Incoming
from .writes import WriteSpec, apply_encryption, encryption_answer


def _invalid_part() -> ServiceError:
    return InvalidPart(
        "One or more of the specified parts could not be found.  The part may not have been uploaded, or the "
        "specified entity tag may not match the part's entity tag."
    )


def _check_part_number(number: int) -> None:
    if not 1 <= number <= MAX_PART_NUMBER:
        raise InvalidArgument(
            "Part number must be an integer between 1 and 10000, inclusive",
            fields={"ArgumentName": "partNumber", "ArgumentValue": str(number)},
        )


def _upload_of(tx: Tx, account: str, bucket_name: str, key: str, upload_id: str) -> Upload:
    owned_bucket(tx, bucket_name, account)
    upload = store.get_upload(tx, upload_id)
    if upload is None or upload.bucket != bucket_name or upload.key != key:
        raise no_such_upload(upload_id)
    return upload


class MultipartMixin(ObjectsMixin):
    async def create_multipart_upload(
        self, account: str, bucket_name: str, key: str, spec: WriteSpec
    ) -> dict[str, Any]:
        check_key(key)
        attributes = dict(spec.attributes)
        if spec.tags:
            attributes["Tags"] = spec.tags
        algorithm = attributes.get("ChecksumAlgorithm")
        if algorithm:
            attributes["ChecksumAlgorithm"] = check_algorithm(algorithm)
        if attributes.get("ChecksumType") not in (None, "COMPOSITE"):
            raise InvalidRequest(
                "gureum computes COMPOSITE checksums of multipart uploads; FULL_OBJECT is not supported."
            )
        upload = Upload(new_upload_id(), bucket_name, key, self.now(), spec.storage_class, attributes)

        def create(tx: Tx) -> None:
            bucket = owned_bucket(tx, bucket_name, account)
            apply_encryption(attributes, bucket.config.get("encryption"), bucket.account, bucket.region)
            store.insert_upload(tx, upload)

        await self.store.write(create)
        out: dict[str, Any] = {
            "Bucket": bucket_name,
            "Key": key,
            "UploadId": upload.upload_id,
            **encryption_answer(attributes),
        }
        if algorithm:
            out["ChecksumAlgorithm"] = attributes["ChecksumAlgorithm"]
            out["ChecksumType"] = "COMPOSITE"
        return out

    async def upload_part(
        self,
        account: str,
        bucket_name: str,
        key: str,
        upload_id: str,
        number: int,
        body: Body,
        info: Incoming,
        origin: str | None = None,
    ) -> dict[str, Any]:
        _check_part_number(number)
        upload = await self.store.read(lambda tx: _upload_of(tx, account, bucket_name, key, upload_id))
        algorithm = upload.attributes.get("ChecksumAlgorithm")
        if algorithm and info.algorithm is None:
            info.algorithm = algorithm
        written, checksum = await self.receive(body, info)
        etag = f'"{written.digests.md5.hexdigest()}"'
        part = Part(number, written.size, etag, self.now(), [(written.name, written.size)], checksum)
        if algorithm and info.algorithm != algorithm:
            await self.blobs.delete([written.name])
            raise InvalidRequest(
                f"Checksum Type mismatch occurred, expected checksum Type: {algorithm.lower()}, actual checksum Type: "
                f"{(info.algorithm or '').lower()}"
            )

        def commit(tx: Tx) -> tuple[dict[str, Any], list[str]]:
            _upload_of(tx, account, bucket_name, key, upload_id)
            bucket = store.get_bucket(tx, bucket_name)
            return cors.actual(bucket.config.get("cors") if bucket else None, origin, "PUT"), store.put_part(
                tx, upload_id, part
            )

        allowed: dict[str, Any] = await self._commit([written.name], commit)
        out: dict[str, Any] = {"ETag": etag, **encryption_answer(upload.attributes), **allowed}
        if checksum is not None and info.algorithm:
            out[f"Checksum{info.algorithm}"] = checksum
        return out

    async def upload_part_copy(
        self,
        account: str,
        bucket_name: str,
        key: str,
        upload_id: str,
        number: int,
        source: str,
        source_range: str | None,
        source_conditions: dict[str, Any],
    ) -> dict[str, Any]:
        _check_part_number(number)
        await self.store.read(lambda tx: _upload_of(tx, account, bucket_name, key, upload_id))
        src_bucket, src_key, src_version = parse_copy_source(source)
        _, version = await self.store.read(lambda tx: self._readable(tx, account, src_bucket, src_key, src_version))
        check_copy_conditions(version, source_conditions)
        if archived_at(version, self.now()):
            raise invalid_object_state(version.storage_class, copy=True)
        start, end = 0, version.size
        if source_range is not None:
            unit, _, spec = source_range.partition("=")
            first, _, last = spec.partition("-")
            if unit != "bytes" or not first.isdigit() or not last.isdigit() or int(last) < int(first):
                raise InvalidArgument(
                    "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are "
                    "the zero-based offsets of the first and last bytes to copy",
                    fields={"ArgumentName": "x-amz-copy-source-range", "ArgumentValue": source_range},
                )
            start, end = int(first), int(last) + 1
            if end > version.size:
                raise invalid_range(source_range, version.size)
        if end - start > MAX_PUT_SIZE:
            raise InvalidRequest(
                "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120"
            )
        written = await self.blobs.copy(version.segments, start, end, Digests(False, None))
        etag = f'"{written.digests.md5.hexdigest()}"'
        now = self.now()
        part = Part(number, written.size, etag, now, [(written.name, written.size)], None)

        def commit(tx: Tx) -> tuple[None, list[str]]:
            _upload_of(tx, account, bucket_name, key, upload_id)
            return None, store.put_part(tx, upload_id, part)

        await self._commit([written.name], commit)
        out: dict[str, Any] = {"CopyPartResult": {"ETag": etag, "LastModified": now}}
        if src_version is not None:
            out["CopySourceVersionId"] = version.version_id
        return out

    async def list_parts(
        self, account: str, bucket_name: str, key: str, upload_id: str, max_parts: int | None, marker: int | None
    ) -> dict[str, Any]:
        limit = min(max_parts or 1000, 1000)

        def read(tx: Tx) -> tuple[Upload, list[Part]]:
            upload = _upload_of(tx, account, bucket_name, key, upload_id)
            return upload, store.list_parts(tx, upload_id, marker or 0, limit + 1)

        upload, parts = await self.store.read(read)
        truncated = len(parts) > limit
        parts = parts[:limit]
        algorithm = upload.attributes.get("ChecksumAlgorithm")
        listed = []
        for p in parts:
            entry: dict[str, Any] = {"PartNumber": p.number, "LastModified": p.modified, "ETag": p.etag, "Size": p.size}
            if algorithm and p.checksum:
                entry[f"Checksum{algorithm}"] = p.checksum
            listed.append(entry)
        out: dict[str, Any] = {
            "Bucket": bucket_name,
            "Key": key,
            "UploadId": upload_id,
            "PartNumberMarker": marker or 0,
            "MaxParts": limit,
            "IsTruncated": truncated,
            "Initiator": owner(account),
            "Owner": owner(account),
            "StorageClass": upload.storage_class,
        }
        if listed:
            out["Parts"] = listed
            out["NextPartNumberMarker"] = parts[-1].number
        if algorithm:
            out["ChecksumAlgorithm"] = algorithm
            out["ChecksumType"] = "COMPOSITE"
        return out

    async def list_multipart_uploads(
        self,
        account: str,
        bucket_name: str,
        prefix: str | None,
        delimiter: str | None,
        key_marker: str | None,
        upload_marker: str | None,
        max_uploads: int | None,
        url: bool,
    ) -> dict[str, Any]:
        limit = min(max_uploads or MAX_LIST_KEYS, MAX_LIST_KEYS)
        prefix = prefix or ""

        def read(tx: Tx) -> list[Upload]:
            owned_bucket(tx, bucket_name, account)
            after = key_bytes(key_marker) if key_marker else key_bytes(prefix)
            inclusive = not key_marker or bool(upload_marker)
            end = prefix_end(key_bytes(prefix)) if prefix else None
            return store.list_uploads(tx, bucket_name, after, inclusive, end, 100_000)

        rows = await self.store.read(read)
        uploads: list[Upload] = []
        prefixes: list[str] = []
        truncated = False
        skipping = bool(upload_marker)
        for upload in rows:
            if skipping and upload.key == key_marker:
                if upload.upload_id == upload_marker:
                    skipping = False
                continue
            skipping = False
            if delimiter:
                at = upload.key.find(delimiter, len(prefix))
                if at >= 0:
                    common = upload.key[: at + len(delimiter)]
                    if prefixes and prefixes[-1] == common:
                        continue
                    if len(uploads) + len(prefixes) >= limit:
                        truncated = True
                        break
                    prefixes.append(common)
                    continue
            if len(uploads) + len(prefixes) >= limit:
                truncated = True
                break
            uploads.append(upload)
        out: dict[str, Any] = {
            "Bucket": bucket_name,
            "KeyMarker": encode(key_marker or "", url),
            "UploadIdMarker": upload_marker or "",
            "Prefix": encode(prefix, url),
            "MaxUploads": limit,
            "IsTruncated": truncated,
        }
        if uploads:
            out["Uploads"] = [
                {
                    "UploadId": u.upload_id,
                    "Key": encode(u.key, url),
                    "Initiated": u.initiated,
                    "StorageClass": u.storage_class,
                    "Owner": owner(account),
                    "Initiator": owner(account),
                }
                for u in uploads
            ]
            if truncated:
                out["NextKeyMarker"] = encode(uploads[-1].key, url)
                out["NextUploadIdMarker"] = uploads[-1].upload_id
        if prefixes:
            out["CommonPrefixes"] = [{"Prefix": encode(p, url)} for p in prefixes]
        if delimiter:
            out["Delimiter"] = encode(delimiter, url)
        if url:
            out["EncodingType"] = "url"
        return out

    async def complete_multipart_upload(
        self,
        account: str,
        bucket_name: str,
        key: str,
        upload_id: str,
        requested: list[dict[str, Any]],
        expected_size: int | None,
        if_match: str | None,
        if_none_match: str | None,
        location: str,
        who: Requester,
    ) -> dict[str, Any]:
        if not requested:
            raise MalformedXML(
                "The XML you provided was not well-formed or did not validate against our published schema"
            )
        numbers = [int(p.get("PartNumber", 0)) for p in requested]
        if any(b <= a for a, b in zip(numbers, numbers[1:])):
            raise InvalidPartOrder(
                "The list of parts was not in ascending order. Parts must be ordered by part number."
            )
        now = self.now()
        conditions = WriteSpec(if_match=if_match, if_none_match=if_none_match)

        def complete(tx: Tx) -> tuple[dict[str, Any], list[str]]:
            bucket = owned_bucket(tx, bucket_name, account)
            store.lock_key(tx, bucket_name, key)
            upload = _upload_of(tx, account, bucket_name, key, upload_id)
            self._write_conditions(key, store.current(tx, bucket_name, key), conditions)
            stored = {p.number: p for p in store.list_parts(tx, upload_id)}
            chosen: list[Part] = []
            for item in requested:
                part = stored.get(int(item.get("PartNumber", 0)))
                etag = str(item.get("ETag", "")).strip().strip('"')
                if part is None or part.etag.strip('"') != etag:
                    raise _invalid_part()
                chosen.append(part)
            for part in chosen[:-1]:
                if part.size < MIN_PART_SIZE:
                    raise EntityTooSmall(
                        "Your proposed upload is smaller than the minimum allowed size",
                        fields={
                            "ProposedSize": str(part.size),
                            "MinSizeAllowed": str(MIN_PART_SIZE),
                            "PartNumber": str(part.number),
                            "ETag": part.etag.strip('"'),
                        },
                    )
            size = sum(p.size for p in chosen)
            if expected_size is not None and expected_size != size:
                raise InvalidRequest(
                    f"The provided 'x-amz-mp-object-size' header value {expected_size} does not match what was "
                    f"computed: {size}"
                )
            attributes = dict(upload.attributes)
            attributes["PartsCount"] = len(chosen)
            attributes["PartSizes"] = [p.size for p in chosen]
            algorithm = attributes.pop("ChecksumAlgorithm", None)
            attributes.pop("ChecksumType", None)
            if algorithm and all(p.checksum for p in chosen):
                part_checksums = [str(p.checksum) for p in chosen]
                attributes["Checksum"] = {algorithm: composite(algorithm, part_checksums)}
                attributes["ChecksumType"] = "COMPOSITE"
                attributes["PartChecksums"] = part_checksums
            version = Version(
                bucket_name,
                key,
                version_id_for(bucket),
                True,
                False,
                size,
                md5_of_parts([p.etag for p in chosen]),
                now,
                upload.storage_class,
                [segment for p in chosen for segment in p.segments],
                attributes,
            )
            used = {p.number for p in chosen}
            unused = [name for p in stored.values() if p.number not in used for name, _ in p.segments]
            store.forget_upload(tx, upload_id)
            gone = store.put_version(tx, version) + unused
            self._notify(tx, bucket, [created("ObjectCreated:CompleteMultipartUpload", bucket, version)], who)
            out: dict[str, Any] = {
                "Location": location,
                "Bucket": bucket_name,
                "Key": key,
                "ETag": version.etag,
                **encryption_answer(attributes),
            }
            for name, value in version.checksums.items():
                out[f"Checksum{name}"] = value
                out["ChecksumType"] = "COMPOSITE"
            if bucket.versioning:
                out["VersionId"] = version.version_id
            return out, gone

        result: dict[str, Any] = await self._commit([], complete)
        return result

    async def abort_multipart_upload(self, account: str, bucket_name: str, key: str, upload_id: str) -> None:
        def abort(tx: Tx) -> tuple[None, list[str]]:
            _upload_of(tx, account, bucket_name, key, upload_id)
            return None, store.delete_upload(tx, upload_id)

        await self._commit([], abort)
