"""Blobs on disk, content-addressed and shared by every repository: <root>/blobs/sha256/<ab>/<hex>. Uploads are
files under <root>/uploads/<id> appended to as their bytes arrive (streamed, never whole in memory) while their
sha256 is computed on the way; completing one moves the file to its digest's place. File work runs in threads."""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

_CHUNK = 1024 * 1024  # bytes written or read per thread hop


class BlobStore:
    """The registry's files. Per upload it keeps a running hash (in memory; rebuilt from the file when missing,
    e.g. after a restart or when another node took part of the upload)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
        (root / "uploads").mkdir(parents=True, exist_ok=True)
        self._hashes: dict[str, tuple[Any, int]] = {}  # upload id → (sha256 object, bytes hashed)

    def path(self, digest: str) -> Path:
        hexpart = digest.partition(":")[2]
        return self.root / "blobs" / "sha256" / hexpart[:2] / hexpart

    def upload_path(self, upload_id: str) -> Path:
        return self.root / "uploads" / upload_id

    def exists(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def size(self, digest: str) -> int | None:
        try:
            return self.path(digest).stat().st_size
        except OSError:
            return None

    async def start(self, upload_id: str) -> None:
        await asyncio.to_thread(self.upload_path(upload_id).write_bytes, b"")
        self._hashes[upload_id] = (hashlib.sha256(), 0)

    def received(self, upload_id: str) -> int | None:
        """Bytes an upload holds so far (None: no such upload file)."""
        try:
            return self.upload_path(upload_id).stat().st_size
        except OSError:
            return None

    async def append(self, upload_id: str, chunks: AsyncIterator[bytes]) -> int:
        """Append the chunks to the upload as they arrive, in 1 MiB writes; returns the bytes appended."""
        path = self.upload_path(upload_id)
        handle = await asyncio.to_thread(open, path, "ab")
        state = self._hashes.get(upload_id)
        offset = await asyncio.to_thread(os.fstat, handle.fileno())
        hasher = state[0] if state is not None and state[1] == offset.st_size else None
        written = 0
        pending = bytearray()
        try:
            async for chunk in chunks:
                pending += chunk
                if len(pending) >= _CHUNK:
                    await asyncio.to_thread(_write, handle, hasher, bytes(pending))
                    written += len(pending)
                    pending.clear()
            if pending:
                await asyncio.to_thread(_write, handle, hasher, bytes(pending))
                written += len(pending)
        finally:
            await asyncio.to_thread(handle.close)
            if hasher is not None:
                self._hashes[upload_id] = (hasher, offset.st_size + written)
            else:
                self._hashes.pop(upload_id, None)
        return written

    async def digest(self, upload_id: str) -> tuple[str, int]:
        """(digest, size) of a complete upload: from its running hash, else by reading the file again."""
        state = self._hashes.pop(upload_id, None)
        path = self.upload_path(upload_id)
        size = await asyncio.to_thread(lambda: path.stat().st_size)
        if state is not None and state[1] == size:
            return "sha256:" + state[0].hexdigest(), size
        return await asyncio.to_thread(_hash_file, path), size

    async def place(self, upload_id: str, digest: str) -> None:
        """Move a complete upload to its digest's place (a blob already there is kept: the same bytes)."""
        await asyncio.to_thread(_place, self.upload_path(upload_id), self.path(digest))

    async def discard(self, upload_id: str) -> None:
        self._hashes.pop(upload_id, None)
        await asyncio.to_thread(lambda: self.upload_path(upload_id).unlink(missing_ok=True))

    async def remove(self, digest: str) -> None:
        await asyncio.to_thread(lambda: self.path(digest).unlink(missing_ok=True))

    async def read_all(self, digest: str) -> bytes:
        return await asyncio.to_thread(self.path(digest).read_bytes)

    def stream(self, digest: str, start: int = 0, end: int | None = None) -> FileStream:
        """The blob's bytes [start, end] (inclusive; end None: to the last) as a streamed answer body."""
        size = self.size(digest) or 0
        last = size - 1 if end is None else min(end, size - 1)
        return FileStream(self.path(digest), start, max(0, last - start + 1))

    def clear(self) -> None:
        shutil.rmtree(self.root / "blobs", ignore_errors=True)
        shutil.rmtree(self.root / "uploads", ignore_errors=True)
        (self.root / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
        (self.root / "uploads").mkdir(parents=True, exist_ok=True)
        self._hashes.clear()


class FileStream:
    """A file range sent as a response body, read in 1 MiB pieces off the event loop."""

    def __init__(self, path: Path, start: int, length: int) -> None:
        self.path = path
        self.start = start
        self.length: int | None = length

    async def __aiter__(self) -> AsyncIterator[bytes]:
        handle = await asyncio.to_thread(open, self.path, "rb")
        try:
            await asyncio.to_thread(handle.seek, self.start)
            left = self.length or 0
            while left > 0:
                chunk = await asyncio.to_thread(handle.read, min(_CHUNK, left))
                if not chunk:
                    raise ConnectionError(f"{self.path.name} ended early")
                left -= len(chunk)
                yield chunk
        finally:
            await asyncio.to_thread(handle.close)


def _write(handle: Any, hasher: Any, data: bytes) -> None:
    handle.write(data)
    if hasher is not None:
        hasher.update(data)


def _hash_file(path: Path) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            hasher.update(chunk)
    return "sha256:" + hasher.hexdigest()


def _place(upload: Path, target: Path) -> None:
    if target.is_file():
        upload.unlink(missing_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(upload, target)
