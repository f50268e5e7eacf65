"""S3ObjectsPort: the S3Objects port (gureum.ports) over the backend, for services that write or read objects."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

from ...aws.errors import ServiceError
from ...ids import unique_id
from .access import reader
from .backend import S3Backend
from .notifications import Requester
from .transfer import Incoming
from .writes import WriteSpec, write_spec


class _Stream:
    """An async iterable handed to the backend as a request body would be (length unknown)."""

    def __init__(self, body: AsyncIterable[bytes]) -> None:
        self._body = body
        self.length = None
        self.size = 0

    async def _chunks(self) -> AsyncIterator[bytes]:
        async for chunk in self._body:
            if chunk:
                self.size += len(chunk)
                yield chunk

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    def discard(self) -> None:
        pass


class S3ObjectsPort:
    def __init__(self, backend: S3Backend) -> None:
        self._backend = backend

    async def put_object(
        self,
        account: str,
        region: str,
        bucket: str,
        key: str,
        body: bytes | AsyncIterable[bytes],
        *,
        content_type: str | None = None,
        metadata: dict[str, str] | None = None,
        content_encoding: str | None = None,
        tags: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        spec: WriteSpec = write_spec(
            {"ContentType": content_type, "Metadata": metadata or {}, "ContentEncoding": content_encoding}
        )
        spec.tags = tags or None
        payload: Any = body if isinstance(body, bytes) else _Stream(body)
        who = Requester(account, f"AWSService:{account}", "127.0.0.1", unique_id(), "")
        out = await self._backend.put_object(account, bucket, key, payload, Incoming(), spec, who)
        size = len(body) if isinstance(body, bytes) else payload.size
        return {**{k: v for k, v in out.items() if k in ("ETag", "VersionId")}, "Size": size}

    async def get_object(
        self,
        account: str,
        region: str,
        bucket: str,
        key: str,
        *,
        version_id: str | None = None,
        principal_arn: str | None = None,
    ) -> bytes:
        _, body = await self.open_object(
            account, region, bucket, key, version_id=version_id, principal_arn=principal_arn
        )
        return b"".join([chunk async for chunk in body])

    async def open_object(
        self,
        account: str,
        region: str,
        bucket: str,
        key: str,
        *,
        version_id: str | None = None,
        principal_arn: str | None = None,
    ) -> tuple[dict[str, Any], AsyncIterable[bytes]]:
        who = reader(account, principal_arn, bucket, key, version_id, self._backend.clock.now())
        return await self._backend.object_body(who, bucket, key, version_id)

    async def bucket_exists(self, account: str, region: str, bucket: str) -> bool:
        try:
            await self._backend.head_bucket(account, bucket)
        except ServiceError:
            return False
        return True
