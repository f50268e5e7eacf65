"""``aws-chunked`` request bodies, decoded as they arrive: ``<hex size>[;chunk-signature=<sig>]\\r\\n<data>\\r\\n``
… ``0\\r\\n<trailers>\\r\\n`` (the S3 API reference's "Signature calculations for the Authorization header:
transferring payload in multiple chunks" and "… including trailing headers"). Chunk and trailer signatures are
checked when a verifier is given (strict mode, STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER])."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterable, AsyncIterator

from ...aws.sigv4 import ChunkSigner
from .errors import IncompleteBody, InvalidRequest, ServiceError, SignatureDoesNotMatch

_MAX_LINE = 4096


def _malformed(what: str) -> ServiceError:
    return IncompleteBody(f"The aws-chunked request body is malformed: {what}.")


def _signature_mismatch() -> ServiceError:
    return SignatureDoesNotMatch(
        "The request signature we calculated does not match the signature you provided. Check your key and signing "
        "method."
    )


class ChunkedDecoder:
    """Iterate ``decode()`` for the payload's bytes; ``trailers`` holds the trailing headers once it ended."""

    def __init__(self, source: AsyncIterable[bytes], signer: ChunkSigner | None, signed_trailer: bool) -> None:
        self._source = source.__aiter__()
        self._signer = signer
        self._signed_trailer = signed_trailer and signer is not None
        self._buffer = bytearray()
        self._ended = False
        self.trailers: dict[str, str] = {}

    async def _more(self) -> bool:
        if self._ended:
            return False
        try:
            chunk = await self._source.__anext__()
        except StopAsyncIteration:
            self._ended = True
            return False
        self._buffer += chunk
        return True

    async def _next(self) -> bytes:
        """The next piece of the source, taken whole (the buffer is empty)."""
        if not self._ended:
            try:
                return await self._source.__anext__()
            except StopAsyncIteration:
                self._ended = True
        raise IncompleteBody("The request body ended before the chunk it announced was complete.")

    async def _line(self, allow_end: bool = False) -> bytes | None:
        while True:
            end = self._buffer.find(b"\r\n")
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[: end + 2]
                return line
            if len(self._buffer) > _MAX_LINE:
                raise _malformed("a chunk header line is too long")
            if not await self._more():
                if allow_end and not self._buffer:
                    return None
                if allow_end:  # the last line without its CRLF
                    line = bytes(self._buffer)
                    self._buffer.clear()
                    return line
                raise _malformed("the body ended inside a chunk header")

    async def decode(self) -> AsyncIterator[bytes]:
        signer = self._signer
        while True:
            header = await self._line()
            assert header is not None
            size_text, _, extension = header.partition(b";")
            try:
                size = int(size_text.strip(), 16)
            except ValueError:
                raise _malformed("a chunk size is not hexadecimal") from None
            if size < 0:
                raise _malformed("a chunk size is negative")
            claimed = extension.partition(b"chunk-signature=")[2].strip().decode("ascii", "replace")
            if signer is not None and not claimed:
                raise _signature_mismatch()
            digest = hashlib.sha256() if signer is not None else None
            remaining = size
            while remaining:
                if not self._buffer:
                    piece = await self._next()
                    if len(piece) > remaining:  # the next chunk's header follows in the same piece
                        self._buffer += piece
                        continue
                else:
                    take = min(remaining, len(self._buffer))
                    piece = bytes(self._buffer[:take])
                    del self._buffer[:take]
                take = len(piece)
                remaining -= take
                if digest is not None:
                    digest.update(piece)
                yield piece
            if signer is not None and digest is not None:
                if not hmac.compare_digest(signer.chunk(digest.hexdigest()), claimed):
                    raise _signature_mismatch()
            if size == 0:
                await self._read_trailers()
                return
            if await self._line() != b"":
                raise _malformed("a chunk is longer than its size")

    async def _read_trailers(self) -> None:
        lines: list[bytes] = []
        signature = ""
        while True:
            line = await self._line(allow_end=True)
            if not line:
                break
            name, sep, value = line.partition(b":")
            if not sep:
                raise _malformed("a trailing header has no value")
            key = name.strip().lower().decode("ascii", "replace")
            if key == "x-amz-trailer-signature":
                signature = value.strip().decode("ascii", "replace")
                continue
            lines.append(line)
            self.trailers[key] = value.strip().decode("ascii", "replace")
        if self._signed_trailer and self._signer is not None:
            text = b"".join(line.strip() + b"\n" for line in lines)
            if not signature or not hmac.compare_digest(self._signer.trailer(text), signature):
                raise _signature_mismatch()
        while await self._more():  # nothing may follow the trailers
            if self._buffer.strip():
                raise InvalidRequest("Unexpected data after the aws-chunked body's trailing headers.")
            self._buffer.clear()
