"""A streaming reader of the ``multipart/form-data`` body of an S3 POST Object (browser-based upload): the form's
fields are read whole (they come first, and are small), the ``file`` field's content is handed on as it arrives
(a 5 GiB upload never sits in memory). Fields after the file are not read, as S3 ignores them."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, field

from .errors import ServiceError

MAX_FIELDS_BYTES = 20 * 1024  # the form's fields before the file (S3 refuses larger policy documents and forms)
_MAX_HEADER_BYTES = 8 * 1024


def malformed(message: str) -> ServiceError:
    return ServiceError(message, code="MalformedPOSTRequest")


def boundary_of(content_type: str) -> str | None:
    """The boundary a ``multipart/form-data; boundary=…`` content type names."""
    kind, _, params = content_type.partition(";")
    if kind.strip().lower() != "multipart/form-data":
        return None
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "boundary" and value.strip():
            return value.strip().strip('"')
    return None


def _disposition(headers: bytes) -> tuple[str, str | None]:
    """The ``name`` and ``filename`` of a part's Content-Disposition header."""
    for line in headers.decode("utf-8", "replace").split("\r\n"):
        header, _, value = line.partition(":")
        if header.strip().lower() != "content-disposition":
            continue
        name: str | None = None
        filename: str | None = None
        for item in value.split(";")[1:]:
            key, _, text = item.strip().partition("=")
            text = text.strip()
            if len(text) >= 2 and text[0] == text[-1] == '"':
                text = text[1:-1]
            if key.strip().lower() == "name":
                name = text
            elif key.strip().lower() == "filename":
                filename = text
        if name is not None:
            return name, filename
    raise malformed("The body of your POST request is not well-formed multipart/form-data.")


@dataclass(slots=True)
class Form:
    """The fields before the file (names as sent; S3 compares them case-insensitively), the file's name."""

    fields: list[tuple[str, str]] = field(default_factory=list)
    filename: str = ""
    has_file: bool = False


class FormReader:
    """Reads a form from a body's chunks: ``read_fields`` first, then the file's bytes by iterating ``file()``."""

    def __init__(self, source: AsyncIterable[bytes], boundary: str) -> None:
        self._source = source.__aiter__()
        self._buffer = b""
        self._ended = False
        self._delimiter = b"\r\n--" + boundary.encode("latin-1")

    async def _fill(self) -> bool:
        if self._ended:
            return False
        try:
            chunk = await self._source.__anext__()
        except StopAsyncIteration:
            self._ended = True
            return False
        self._buffer += chunk
        return True

    async def _until(self, marker: bytes, limit: int) -> bytes:
        """The bytes before ``marker`` (consumed with it), at most ``limit`` of them."""
        while True:
            at = self._buffer.find(marker)
            if at >= 0:
                found, self._buffer = self._buffer[:at], self._buffer[at + len(marker) :]
                return found
            if len(self._buffer) > limit + len(marker):
                raise ServiceError(
                    "Your POST request fields preceeding the upload file were too large.",
                    code="MaxPostPreDataLengthExceeded",
                )
            if not await self._fill():
                raise malformed("The body of your POST request is not well-formed multipart/form-data.")

    async def read_fields(self) -> Form:
        """The fields up to the ``file`` field (whose headers are consumed: its content is next)."""
        form = Form()
        self._buffer = b"\r\n" + self._buffer  # the first delimiter has no line break before it
        await self._until(self._delimiter, _MAX_HEADER_BYTES)
        budget = MAX_FIELDS_BYTES
        while True:
            while len(self._buffer) < 2 and await self._fill():
                pass
            if self._buffer.startswith(b"--"):  # the closing delimiter: no file
                return form
            headers = await self._until(b"\r\n\r\n", _MAX_HEADER_BYTES)
            name, filename = _disposition(headers.removeprefix(b"\r\n"))
            if name.lower() == "file":
                form.filename, form.has_file = filename or "", True
                return form
            value = await self._until(self._delimiter, budget)
            budget -= len(value)
            form.fields.append((name, value.decode("utf-8", "replace")))

    async def file(self) -> AsyncIterator[bytes]:
        """The file field's content as it arrives (the body after it is left unread)."""
        keep = len(self._delimiter) - 1
        while True:
            at = self._buffer.find(self._delimiter)
            if at >= 0:
                if at:
                    yield self._buffer[:at]
                self._buffer = b""
                return
            if len(self._buffer) > keep:
                out, self._buffer = self._buffer[:-keep], self._buffer[-keep:]
                yield out
            if not await self._fill():
                raise malformed("The body of your POST request is not well-formed multipart/form-data.")
