"""Fragment files: ``<root>/<stream id>/<seq>.mkv``, each a playable MKV (EBML header, Segment, Info, Tracks, one
Cluster). Written under ``<root>/tmp`` and renamed into place (fsync'd first when the store's commits are) before
the fragment's index row commits, so a PERSISTED fragment always has its whole file. All file I/O runs in worker
threads."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path


class FragmentFiles:
    def __init__(self, root: Path, fsync: bool) -> None:
        self.root = root
        self.fsync = fsync
        self.tmp = root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)

    def path(self, stream_id: int, seq: int) -> Path:
        return self.root / str(stream_id) / f"{seq}.mkv"

    def _write(self, stream_id: int, seq: int, data: bytes) -> None:
        temp = self.tmp / f"{stream_id}-{seq}-{os.urandom(4).hex()}"
        with open(temp, "wb") as handle:
            handle.write(data)
            if self.fsync:
                handle.flush()
                os.fsync(handle.fileno())
        target = self.path(stream_id, seq)
        target.parent.mkdir(exist_ok=True)
        os.replace(temp, target)

    async def write(self, stream_id: int, seq: int, data: bytes) -> None:
        await asyncio.to_thread(self._write, stream_id, seq, data)

    async def read(self, stream_id: int, seq: int) -> bytes | None:
        """The fragment's file, or None when it is gone (expired or deleted meanwhile)."""

        def read() -> bytes | None:
            try:
                return self.path(stream_id, seq).read_bytes()
            except FileNotFoundError:
                return None

        return await asyncio.to_thread(read)

    async def remove(self, stream_id: int, seqs: list[int]) -> None:
        def remove() -> None:
            for seq in seqs:
                self.path(stream_id, seq).unlink(missing_ok=True)

        await asyncio.to_thread(remove)

    async def remove_stream(self, stream_id: int) -> None:
        await asyncio.to_thread(shutil.rmtree, self.root / str(stream_id), True)

    def sweep_tmp(self) -> None:
        """At start: files a crash left half-written (never indexed)."""
        for leftover in self.tmp.iterdir():
            leftover.unlink(missing_ok=True)

    def clear(self) -> None:
        """After a reset emptied every table."""
        for child in self.root.iterdir():
            if child != self.tmp:
                shutil.rmtree(child, ignore_errors=True)
