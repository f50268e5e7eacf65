"""How a request body arrives and what it must hash to: plain bytes or a BodyStream, possibly ``aws-chunked``
(signed chunks, trailing checksums), with the digests the client declared (x-amz-content-sha256, Content-MD5,
x-amz-checksum-*). ``Incoming`` is read from the request by the operations; ``chunks`` gives the payload's bytes
and ``verify`` checks them once written."""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from ...aws import sigv4
from ...aws.context import RequestContext
from .checksums import ALGORITHMS, Digests, check_algorithm
from .chunked import ChunkedDecoder
from .errors import (
    EntityTooLarge,
    EntityTooSmall,
    IncompleteBody,
    InvalidArgument,
    InvalidDigest,
    InvalidRequest,
    XAmzContentSHA256Mismatch,
    bad_digest,
    checksum_mismatch,
)
from .notifications import Requester


class Stream(Protocol):
    """A body still arriving: the request's BodyStream, or the file of a POST Object form (formdata.py)."""

    length: int | None  # the bytes announced (None: unknown)

    def discard(self) -> None: ...

    def __aiter__(self) -> AsyncIterator[bytes]: ...


Body = bytes | Stream | None


@dataclass(slots=True)
class Incoming:
    """What the request says of its payload."""

    content_sha256: str | None = None  # a hex SHA-256 the signature covers (verified against the bytes)
    chunked: bool = False
    signed_trailer: bool = False
    decoded_length: int | None = None
    trailer: str | None = None  # the x-amz-checksum-* header a trailer carries
    content_md5: str | None = None
    algorithm: str | None = None
    expected_checksum: str | None = None  # base64, from a header (a trailer's arrives with the body)
    signer: sigv4.ChunkSigner | None = None
    decoder: ChunkedDecoder | None = field(default=None, repr=False)
    size_range: tuple[int, int] | None = None  # a POST policy's content-length-range (bytes, both inclusive)


def requester(ctx: RequestContext) -> Requester:
    """Who is asking, as S3's event messages name them."""
    request_id = ctx.request_id
    return Requester(
        ctx.account,
        f"AWS:{ctx.access_key or ctx.account}",
        ctx.request.peer,
        request_id,
        base64.b64encode(request_id.encode()).decode(),
    )


def incoming(ctx: RequestContext, req: dict[str, Any]) -> Incoming:
    """The payload's description from the request's headers and its parsed members (ContentMD5, Checksum*)."""
    headers = ctx.request.headers
    sha = headers.get("x-amz-content-sha256")
    encoding = headers.get("content-encoding", "")
    chunked = "aws-chunked" in encoding or (sha or "").startswith("STREAMING-")
    info = Incoming(chunked=chunked, content_md5=req.get("ContentMD5"))
    if sha and len(sha) == 64 and all(c in "0123456789abcdef" for c in sha.lower()):
        info.content_sha256 = sha.lower()
    if chunked:
        info.signed_trailer = sha == sigv4.STREAMING_SIGNED_TRAILER
        if ctx.runtime.config.strict_auth:
            info.signer = sigv4.chunk_signer(ctx.request, ctx.runtime.secret_for)
        raw_length = headers.get("x-amz-decoded-content-length")
        if raw_length is not None:
            if not raw_length.isdigit():
                raise InvalidArgument("x-amz-decoded-content-length must be a number.")
            info.decoded_length = int(raw_length)
        trailer = headers.get("x-amz-trailer")
        if trailer:
            trailer = trailer.strip().lower()
            if not trailer.startswith("x-amz-checksum-"):
                raise InvalidRequest(f"The trailing header {trailer} is not supported.")
            info.trailer = trailer
            info.algorithm = check_algorithm(trailer[len("x-amz-checksum-") :])
    for algorithm in ALGORITHMS:
        value = req.get(f"Checksum{algorithm}")
        if value is not None:
            if info.algorithm is not None and info.algorithm != algorithm:
                raise InvalidRequest(
                    "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."
                )
            info.algorithm, info.expected_checksum = algorithm, value
    declared = req.get("ChecksumAlgorithm")
    if declared and info.algorithm is None:
        info.algorithm = check_algorithm(declared)
    return info


async def _one(data: bytes) -> AsyncIterator[bytes]:
    if data:
        yield data


def chunks(body: Body, info: Incoming) -> AsyncIterable[bytes]:
    """The payload's bytes as they arrive (aws-chunked decoded on the way)."""
    source: AsyncIterable[bytes] = _one(body) if isinstance(body, bytes) else body if body is not None else _one(b"")
    if not info.chunked:
        return source
    info.decoder = ChunkedDecoder(source, info.signer, info.signed_trailer)
    return info.decoder.decode()


def digests_for(info: Incoming) -> Digests:
    return Digests(info.content_sha256 is not None, info.algorithm)


def verify(info: Incoming, digests: Digests) -> str | None:
    """Check the written payload against what the client declared; its checksum (base64) when one was declared."""
    if info.decoded_length is not None and digests.size != info.decoded_length:
        raise IncompleteBody("You did not provide the number of bytes specified by the Content-Length HTTP header.")
    if info.size_range is not None:
        low, high = info.size_range
        if digests.size > high:
            raise EntityTooLarge(
                "Your proposed upload exceeds the maximum allowed size",
                fields={"ProposedSize": str(digests.size), "MaxSizeAllowed": str(high)},
            )
        if digests.size < low:
            raise EntityTooSmall(
                "Your proposed upload is smaller than the minimum allowed size",
                fields={"ProposedSize": str(digests.size), "MinSizeAllowed": str(low)},
            )
    if info.content_sha256 is not None and digests.sha256 is not None:
        if digests.sha256.hexdigest() != info.content_sha256:
            raise XAmzContentSHA256Mismatch(
                "The provided 'x-amz-content-sha256' header does not match what was computed.",
                fields={
                    "ClientComputedContentSHA256": info.content_sha256,
                    "S3ComputedContentSHA256": digests.sha256.hexdigest(),
                },
            )
    if info.content_md5 is not None:
        try:
            expected = base64.b64decode(info.content_md5, validate=True)
        except binascii.Error:
            expected = b""
        if len(expected) != 16:
            raise InvalidDigest("The Content-MD5 you specified was invalid.")
        if expected != digests.md5.digest():
            raise bad_digest()
    checksum = digests.checksum_b64()
    expected_checksum = info.expected_checksum
    if info.trailer is not None and info.decoder is not None:
        expected_checksum = info.decoder.trailers.get(info.trailer) or expected_checksum
        if expected_checksum is None:
            raise InvalidRequest(f"The x-amz-trailer header named {info.trailer}, but the body's trailer lacks it.")
    if expected_checksum is not None and checksum != expected_checksum:
        raise checksum_mismatch(f"x-amz-checksum-{(info.algorithm or '').lower()}")
    return checksum
