"""Object bodies as files: ``<root>/objects/<2 hex>/<name>``, written under ``<root>/tmp`` as they arrive (digests
computed on the way), fsync'd when the policy says so, then renamed into place — only then is the object's row
committed, so no reader ever sees a half-written body. File I/O runs in worker threads in large chunks, never on the
event loop. A body is a list of (file, size) segments: one file for a PutObject, the parts' files for a completed
multipart upload (no copy), hard links for CopyObject."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .checksums import Digests
from .limits import MIB, READ_CHUNK

Segments = list[tuple[str, int]]  # (file name, size) of each piece of a body, in order
_WRITE_BATCH = 1 * MIB  # bytes gathered from the network before one thread hop writes them
_HELD_BYTES = 64 * 1024  # bodies up to this size are digested at once and written where their row commits (hold)


@dataclass(slots=True)
class Written:
    name: str
    size: int
    digests: Digests
    held: bytes | None = None  # a small body not yet in its file: BlobStore.place writes it (hold)


class BodyTooLarge(Exception):
    pass


class BlobStore:
    def __init__(self, root: Path, fsync: bool) -> None:
        self.root = root
        self.fsync = fsync
        self.objects = root / "objects"
        self.tmp = root / "tmp"
        self.objects.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        return self.objects / name[:2] / name

    def _new_name(self) -> str:
        return os.urandom(16).hex()  # 128 random bits, as uuid4's hex (without building a UUID)

    def _publish(self, temp: Path, name: str) -> None:
        target = self.path(name)
        try:
            os.replace(temp, target)
        except FileNotFoundError:  # its folder is not there yet (each is made once; a failed mkdir costs a raise)
            target.parent.mkdir(exist_ok=True)
            os.replace(temp, target)

    async def write(self, chunks: AsyncIterable[bytes], digests: Digests, limit: int) -> Written:
        """Write a body arriving as ``chunks`` (a ServiceError raised by the source, a client gone, or more than
        ``limit`` bytes leaves nothing behind)."""
        name = self._new_name()
        temp = self.tmp / name
        handle: BinaryIO = await asyncio.to_thread(open, temp, "wb")
        # each batch is written in one worker thread while each digest (MD5, the signed SHA-256, a checksum) hashes
        # it in another (hashlib and file writes release the GIL on large buffers) and the next batch arrives; one
        # batch in flight keeps the order
        pending: asyncio.Future[list[int | None]] | None = None
        try:
            batch: list[bytes] = []
            batched = total = 0
            async for chunk in chunks:
                total += len(chunk)
                if total > limit:
                    raise BodyTooLarge
                batch.append(chunk)
                batched += len(chunk)
                if batched >= _WRITE_BATCH:
                    if pending is not None:
                        await pending
                    data = b"".join(batch) if len(batch) > 1 else batch[0]
                    digests.size += len(data)
                    pending = asyncio.gather(
                        asyncio.to_thread(handle.write, data),
                        *(asyncio.to_thread(update, data) for update in digests.updaters()),
                    )
                    batch, batched = [], 0
            if pending is not None:
                await pending
                pending = None
            await asyncio.to_thread(_finish, handle, batch, digests, self.fsync)
            await asyncio.to_thread(self._publish, temp, name)
        except BaseException:
            if pending is not None:
                await asyncio.gather(pending, return_exceptions=True)
            await asyncio.to_thread(_discard, handle, temp)
            raise
        return Written(name, digests.size, digests)

    async def write_bytes(self, data: bytes, digests: Digests) -> Written:
        """A body already whole (small PUTs): one thread hop."""
        name = self._new_name()
        await asyncio.to_thread(self._write_whole, name, data, digests)
        return Written(name, digests.size, digests)

    def hold(self, data: bytes, digests: Digests) -> Written | None:
        """A small body already whole, digested here (a few microseconds) and written by ``place`` in the thread
        that commits its row: the write costs no thread hop of its own (each hop is a wake-up and a GIL hand-off,
        which cost a small PUT more than its I/O). None when it is not small, or bodies are synced to disk (an
        fsync does not belong in the committing thread): write_bytes then."""
        if self.fsync or len(data) > _HELD_BYTES:
            return None
        digests.update(data)
        return Written(self._new_name(), digests.size, digests, data)

    def place(self, written: Written) -> None:
        """Write a held body to its file (in the committing transaction's thread, before its row); a no-op for a
        body already written."""
        if written.held is not None:
            self._write_file(written.name, written.held)
            written.held = None

    def _write_whole(self, name: str, data: bytes, digests: Digests) -> None:
        digests.update(data)
        self._write_file(name, data)

    def _write_file(self, name: str, data: bytes) -> None:
        temp = self.tmp / name
        with open(temp, "wb") as handle:
            handle.write(data)
            if self.fsync:
                handle.flush()
                os.fsync(handle.fileno())
        self._publish(temp, name)

    async def copy(self, segments: Segments, start: int, end: int, digests: Digests) -> Written:
        """A new file holding bytes [start, end) of a body (UploadPartCopy with a range)."""
        return await self.write(self.read(segments, start, end), digests, end - start)

    async def link(self, segments: Segments) -> Segments:
        """New names for the same bodies (CopyObject): hard links, so the copy costs no I/O and survives the
        source's deletion."""
        return await asyncio.to_thread(self._link_all, segments)

    def _link_all(self, segments: Segments) -> Segments:
        out: Segments = []
        for name, size in segments:
            new = self._new_name()
            target = self.path(new)
            target.parent.mkdir(exist_ok=True)
            try:
                os.link(self.path(name), target)
            except OSError:  # a filesystem without hard links: copy
                shutil.copyfile(self.path(name), target)
            out.append((new, size))
        return out

    async def delete(self, names: list[str]) -> None:
        if names:
            await asyncio.to_thread(self._unlink_all, names)

    def _unlink_all(self, names: list[str]) -> None:
        for name in names:
            try:
                os.unlink(self.path(name))
            except FileNotFoundError:
                pass

    def clear(self) -> None:
        """Every body gone (POST /_gureum/reset emptied the tables)."""
        for folder in (self.objects, self.tmp):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)

    def sweep_tmp(self) -> None:
        """Temporary files a crash left behind (never visible: their objects were never committed)."""
        for entry in self.tmp.iterdir():
            try:
                entry.unlink()
            except OSError:
                pass

    async def open(self, segments: Segments, start: int, end: int) -> list[tuple[BinaryIO, int, int]]:
        """Open the files holding bytes [start, end) of a body now (so that a concurrent overwrite, which unlinks
        them, cannot take them away): [(file, offset, length)]. FileNotFoundError when one is gone already."""
        return await asyncio.to_thread(self._open_range, segments, start, end)

    def _open_range(self, segments: Segments, start: int, end: int) -> list[tuple[BinaryIO, int, int]]:
        opened: list[tuple[BinaryIO, int, int]] = []
        offset = 0
        try:
            for name, size in segments:
                lo, hi = max(start, offset), min(end, offset + size)
                if lo < hi:
                    opened.append((open(self.path(name), "rb"), lo - offset, hi - lo))
                offset += size
        except BaseException:
            for handle, _, _ in opened:
                handle.close()
            raise
        return opened

    async def read_whole(self, segments: Segments, start: int, end: int) -> bytes:
        """Bytes [start, end) of a small body in one thread hop (opened and read at once). FileNotFoundError when
        a file is gone already."""
        return await asyncio.to_thread(self.read_now, segments, start, end)

    def read_now(self, segments: Segments, start: int, end: int) -> bytes:
        """Bytes [start, end) of a small body, read in the calling (worker) thread."""
        return read_opened(self._open_range(segments, start, end))

    async def read(self, segments: Segments, start: int, end: int) -> AsyncIterator[bytes]:
        opened = await self.open(segments, start, end)
        async for chunk in stream_opened(opened):
            yield chunk


async def stream_opened(opened: list[tuple[BinaryIO, int, int]]) -> AsyncIterator[bytes]:
    """The bytes of opened files' ranges, in chunks read in a worker thread; the files are closed at the end."""
    # the next chunk is read in a thread while the current one is sent
    pending: asyncio.Future[bytes] | None = None
    try:
        for handle, offset, length in opened:
            await asyncio.to_thread(handle.seek, offset)
            left = length
            pending = asyncio.ensure_future(asyncio.to_thread(handle.read, min(READ_CHUNK, left)))
            while left > 0:
                assert pending is not None
                chunk = await pending
                pending = None
                if not chunk:
                    raise OSError("an object's body file is shorter than its recorded size")
                left -= len(chunk)
                if left > 0:
                    pending = asyncio.ensure_future(asyncio.to_thread(handle.read, min(READ_CHUNK, left)))
                yield chunk
    finally:
        if pending is not None:
            await asyncio.gather(pending, return_exceptions=True)
        for handle, _, _ in opened:
            handle.close()


def read_opened(opened: list[tuple[BinaryIO, int, int]]) -> bytes:
    """A small body whole (in a worker thread)."""
    try:
        parts = []
        for handle, offset, length in opened:
            handle.seek(offset)
            parts.append(handle.read(length))
        return b"".join(parts)
    finally:
        for handle, _, _ in opened:
            handle.close()


class ObjectBody:
    """A GetObject body answered as it is read (engine's StreamingBody): ``length`` bytes of opened files."""

    def __init__(self, opened: list[tuple[BinaryIO, int, int]], length: int) -> None:
        self.length: int | None = length
        self._opened = opened

    def __aiter__(self) -> AsyncIterator[bytes]:
        return stream_opened(self._opened)


def _write(handle: BinaryIO, batch: list[bytes], digests: Digests) -> None:
    for chunk in batch:
        digests.update(chunk)
        handle.write(chunk)


def _finish(handle: BinaryIO, batch: list[bytes], digests: Digests, fsync: bool) -> None:
    _write(handle, batch, digests)
    handle.flush()
    if fsync:
        os.fsync(handle.fileno())
    handle.close()


def _discard(handle: BinaryIO, temp: Path) -> None:
    handle.close()
    try:
        temp.unlink()
    except FileNotFoundError:
        pass


OnWritten = Callable[[Written], None]
