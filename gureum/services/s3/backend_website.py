"""What the website endpoint (website.py) reads: a bucket with its configuration, and an object anyone may read
(the bucket's policy must allow an anonymous s3:GetObject, as AWS's website endpoints serve only public content,
and RestrictPublicBuckets must not be set), opened for sending."""

from __future__ import annotations

from ...policy import Principal, Request, evaluate
from . import store
from .access import object_arn
from .backend_buckets import BucketsMixin
from .blobs import ObjectBody
from .objects import Bucket, Version


def publicly_readable(bucket: Bucket, key: str) -> bool:
    """Whether an anonymous GetObject of ``key`` is allowed: the bucket's policy allows it, and its public access
    block does not restrict public buckets."""
    block = bucket.config.get("publicAccessBlock") or {}
    if block.get("RestrictPublicBuckets"):
        return False
    policy = bucket.config.get("policy")
    request = Request(Principal(), "s3:GetObject", object_arn(bucket.name, key))
    return policy is not None and evaluate(policy, request).allowed


class WebsiteMixin(BucketsMixin):
    async def website_bucket(self, name: str) -> Bucket | None:
        """The bucket a website host names, whoever owns it (None: no such bucket)."""
        return await self.store.read(lambda tx: store.get_bucket(tx, name))

    async def website_object(self, bucket: Bucket, key: str) -> Version | None:
        """The current version of ``key`` (None when there is none, or a delete marker is current)."""
        version = await self.store.read(lambda tx: store.current(tx, bucket.name, key))
        return None if version is None or version.delete_marker else version

    async def website_body(self, version: Version, start: int, end: int) -> ObjectBody:
        """Bytes [start, end) of a version's body opened for sending."""
        return ObjectBody(await self.blobs.open(version.segments, start, end), end - start)
