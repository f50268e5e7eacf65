"""MediaBackend: the media of Kinesis Video Streams — PutMedia's ingest (MKV parsed as it arrives, one fragment per
cluster, each persisted as a file plus an index row before its PERSISTED ack), GetMedia (from NOW, EARLIEST, a fragment
number, a continuation token or a timestamp, continuing as fragments arrive), ListFragments, GetMediaForFragmentList,
the retention sweep, and the fragment lookups HLS/DASH, clips and images are built from (playback.py)."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import math
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...aws.context import RequestContext
from ...clock import Clock
from ...store.base import Store, Tx
from . import mkv, store
from .archive import FragmentFiles
from .backend import KinesisVideoBackend, find_stream
from .errors import InvalidArgumentException, ResourceNotFoundException
from .limits import CallRate
from .resources import Fragment, Stream, epoch_ms, fragment_number, fragment_seq

log = logging.getLogger("gureum.kinesisvideo")
Reader = Callable[[], Awaitable[bytes]]  # the next chunk of a request body; b"" at its end
_BATCH = 32
_NO_RETENTION_KEEP_MS = 60_000  # a stream that keeps no data (retention 0) still serves live GetMedia for a minute
_IDLE_ACK_SECONDS = 3.0
_IDLE_END_SECONDS = 30.0  # AWS: IDLE acks for up to 30 seconds after the last data, then the request is closed


def media(ctx: RequestContext) -> MediaBackend:
    return ctx.runtime.state(MediaBackend)


@dataclass(slots=True, frozen=True)
class Settings:
    hour_seconds: float = 3600.0  # how long a retention hour lasts (tests shorten it)
    sweep_seconds: float = 60.0
    get_media_idle: float = 5.0  # GetMedia ends after this long without a new fragment
    directory: Path | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | Any) -> Settings:
        directory = env.get("GUREUM_KINESISVIDEO_MEDIA_DIR")
        return cls(
            float(env.get("GUREUM_KINESISVIDEO_HOUR_SECONDS", 3600.0)),
            float(env.get("GUREUM_KINESISVIDEO_SWEEP_SECONDS", 60.0)),
            float(env.get("GUREUM_KINESISVIDEO_GETMEDIA_IDLE", 5.0)),
            Path(directory) if directory else None,
        )


def _ack(event: str, timecode: int | None = None, number: str | None = None, error: int | None = None) -> bytes:
    ack: dict[str, Any] = {"EventType": event}
    if timecode is not None:
        ack["FragmentTimecode"] = timecode
    if number is not None:
        ack["FragmentNumber"] = number
    if error is not None:
        ack["ErrorId"] = error
    return json.dumps(ack, separators=(",", ":")).encode() + b"\n"


def _seconds(ms: int) -> str:
    return f"{ms // 1000}.{ms % 1000:03d}"


class MediaBackend:
    def __init__(
        self, store_: Store, clock: Clock, control: KinesisVideoBackend, files: FragmentFiles, settings: Settings
    ) -> None:
        self.store = store_
        self.clock = clock
        self.control = control
        self.files = files
        self.settings = settings
        self._arrivals: dict[int, asyncio.Event] = {}
        self._put_rate = CallRate("PutMedia")
        self._get_rate = CallRate("GetMedia")
        # a PutMedia body silent this long is cut by the server; ingest ends it itself after _IDLE_END_SECONDS
        self.silence_limit = _IDLE_END_SECONDS + 5.0

    # --- lookups -------------------------------------------------------------------------------------------------

    async def stream(self, account: str, region: str, name: str | None, arn: str | None) -> Stream:
        return await self.store.read(lambda tx: find_stream(tx, account, region, name, arn))

    def arrival(self, stream_id: int) -> asyncio.Event:
        """Set when the stream's next fragment is persisted."""
        event = self._arrivals.get(stream_id)
        if event is None:
            event = self._arrivals[stream_id] = asyncio.Event()
        return event

    def _announce(self, stream_id: int) -> None:
        event = self._arrivals.pop(stream_id, None)
        if event is not None:
            event.set()

    async def delete_stream(self, account: str, region: str, arn: str, version: str | None) -> None:
        stream_id = await self.control.delete_stream(account, region, arn, version)
        self._announce(stream_id)
        await self.files.remove_stream(stream_id)

    # --- PutMedia --------------------------------------------------------------------------------------------------

    async def open_put(
        self,
        account: str,
        region: str,
        name: str | None,
        arn: str | None,
        timecode_type: str | None,
        start_timestamp: str | None,
    ) -> tuple[Stream, int | None]:
        """Check PutMedia's headers before its 200: the stream, and the producer start timestamp in ms."""
        if bool(name) == bool(arn):
            raise InvalidArgumentException("Exactly one of the x-amzn-stream-name and x-amzn-stream-arn headers.")
        if timecode_type not in ("ABSOLUTE", "RELATIVE"):
            raise InvalidArgumentException("x-amzn-fragment-timecode-type must be ABSOLUTE or RELATIVE.")
        start_ms: int | None = None
        if start_timestamp:
            try:
                seconds = float(start_timestamp)
            except ValueError:
                seconds = math.nan
            if not 0 <= seconds < 1e11:  # NaN and infinities fail too
                raise InvalidArgumentException("x-amzn-producer-start-timestamp is not a number of seconds since 1970.")
            start_ms = int(round(seconds * 1000))
        elif timecode_type == "RELATIVE":
            raise InvalidArgumentException("RELATIVE fragment timecodes need x-amzn-producer-start-timestamp.")
        stream = await self.stream(account, region, name, arn)
        self._put_rate.admit(stream.id, self.clock.monotonic())
        return stream, start_ms

    async def ingest(self, stream: Stream, read: Reader, relative: bool, start_ms: int | None) -> AsyncIterator[bytes]:
        """PutMedia's acknowledgements, produced while the body is read: BUFFERING when a cluster starts, RECEIVED
        when it is whole, PERSISTED once its file and index row are durable (not for a stream that retains no data),
        ERROR (AWS's ErrorId) for a body that cannot be taken — after which the upload ends. IDLE while no data comes.
        """
        parser = mkv.Parser()
        last_producer_ms: int | None = None
        idle = 0.0
        while True:
            try:
                chunk = await asyncio.wait_for(read(), _IDLE_ACK_SECONDS)
            except TimeoutError:
                idle += _IDLE_ACK_SECONDS
                if idle >= _IDLE_END_SECONDS:
                    return
                yield _ack("IDLE")
                continue
            except ConnectionError:
                return  # the producer went away; what was persisted stays
            idle = 0.0
            current = parser.cluster
            try:
                events = parser.feed(chunk) if chunk else parser.finish()
                for event in events:
                    if isinstance(event, mkv.Started):
                        yield _ack("BUFFERING", event.timecode * event.timecode_scale // 1_000_000)
                        continue
                    cluster = event.cluster
                    current = cluster
                    timecode_ms = cluster.timecode * cluster.header.timecode_scale // 1_000_000
                    producer_ms = (start_ms or 0) + timecode_ms if relative else timecode_ms
                    if last_producer_ms is not None and producer_ms < last_producer_ms:
                        raise mkv.MkvError(mkv.ERR_TIMECODE_LOWER, "fragment timecode lower than the previous one")
                    last_producer_ms = producer_ms
                    if cluster.duration_ns() > 10_000_000_000:
                        raise mkv.MkvError(mkv.ERR_FRAGMENT_DURATION, "fragment longer than 10 seconds")
                    seq = await self.store.write(lambda tx: store.next_seq(tx, stream.id))
                    if seq is None:
                        raise mkv.MkvError(mkv.ERR_STREAM_DELETED, "the stream no longer exists")
                    number = fragment_number(seq)
                    yield _ack("RECEIVED", timecode_ms, number)
                    await self._persist(stream, seq, cluster, producer_ms)
                    if stream.retention_hours > 0:
                        yield _ack("PERSISTED", timecode_ms, number)
                if parser.error is not None:
                    current = parser.cluster
                    raise parser.error
            except mkv.MkvError as error:
                timecode = None
                if current is not None and current.timecode >= 0:
                    timecode = current.timecode * current.header.timecode_scale // 1_000_000
                yield _ack("ERROR", timecode, error=error.error_id)
                return
            if not chunk:
                return

    async def _persist(self, stream: Stream, seq: int, cluster: mkv.Cluster, producer_ms: int) -> None:
        header = cluster.header.prefix()
        scale = cluster.header.timecode_scale
        # the stored cluster carries the fragment's absolute producer time, so fragments of successive PutMedia
        # sessions play on one timeline
        data = header + mkv.cluster_bytes(producer_ms * 1_000_000 // scale, cluster.blocks)
        fragment = Fragment(
            stream.id,
            seq,
            producer_ms,
            int(self.clock.now() * 1000),
            cluster.duration_ns() // 1_000_000,
            len(data),
            len(header),
        )
        try:
            await self.files.write(stream.id, seq, data)

            def index(tx: Tx) -> bool:
                if store.stream_by_id(tx, stream.id) is None:
                    return False
                store.insert_fragment(tx, fragment)
                return True

            if not await self.store.write(index):
                await self.files.remove(stream.id, [seq])
                raise mkv.MkvError(mkv.ERR_STREAM_DELETED, "the stream no longer exists")
        except OSError:
            raise mkv.MkvError(mkv.ERR_PERSIST, "failed to persist the fragment") from None
        self._announce(stream.id)

    # --- reading ---------------------------------------------------------------------------------------------------

    async def fragment_bytes(self, fragment: Fragment) -> bytes | None:
        return await self.files.read(fragment.stream_id, fragment.seq)

    async def fragments(
        self, stream: Stream, by_producer: bool, start_ms: int, end_ms: int, after_seq: int, limit: int
    ) -> list[Fragment]:
        return await self.store.read(
            lambda tx: store.fragments_in_range(tx, stream.id, by_producer, start_ms, end_ms, after_seq, limit)
        )

    async def fragments_after(self, stream: Stream, after_seq: int, limit: int) -> list[Fragment]:
        return await self.store.read(lambda tx: store.fragments_after(tx, stream.id, after_seq, limit))

    async def last_fragment(self, stream: Stream) -> Fragment | None:
        return await self.store.read(lambda tx: store.last_fragment(tx, stream.id))

    async def get_media(
        self, account: str, region: str, name: str | None, arn: str | None, selector: dict[str, Any]
    ) -> AsyncIterator[bytes]:
        """GetMedia's chunks: each fragment as a whole MKV followed by its AWS_KINESISVIDEO_* tags, from the
        selector's start on, then each new fragment as it is persisted until none comes for a while."""
        stream = await self.stream(account, region, name, arn)
        self._get_rate.admit(stream.id, self.clock.monotonic())
        after = await self._start_after(stream, selector)
        return self._live(stream, after)

    async def _start_after(self, stream: Stream, selector: dict[str, Any]) -> int:
        kind = selector["StartSelectorType"]
        if kind == "EARLIEST":
            return 0
        if kind == "NOW":
            last = await self.last_fragment(stream)
            return last.seq if last is not None else 0
        if kind in ("FRAGMENT_NUMBER", "CONTINUATION_TOKEN"):
            member = "AfterFragmentNumber" if kind == "FRAGMENT_NUMBER" else "ContinuationToken"
            value = selector.get(member)
            if not value:
                raise InvalidArgumentException(f"{member} is required when StartSelectorType is {kind}.")
            seq = fragment_seq(value)
            if seq is None:
                raise InvalidArgumentException(f"{member} {value} is not a fragment number of this stream.")
            return seq
        timestamp = selector.get("StartTimestamp")
        if timestamp is None:
            raise InvalidArgumentException(f"StartTimestamp is required when StartSelectorType is {kind}.")
        at_ms = epoch_ms(timestamp)
        by_producer = kind == "PRODUCER_TIMESTAMP"

        def locate(tx: Tx) -> int:
            holding = store.fragment_at(tx, stream.id, by_producer, at_ms)
            if holding is not None:
                begins = holding.producer_ms if by_producer else holding.server_ms
                if begins + holding.duration_ms > at_ms:
                    return holding.seq - 1  # the fragment that holds the instant
            following = store.first_from(tx, stream.id, by_producer, at_ms)
            if following is not None:
                return following.seq - 1
            last = store.last_fragment(tx, stream.id)
            return last.seq if last is not None else 0

        return await self.store.read(locate)

    async def _live(self, stream: Stream, after: int) -> AsyncIterator[bytes]:
        idle_deadline = self.clock.monotonic() + self.settings.get_media_idle
        while True:
            arrival = self.arrival(stream.id)
            batch = await self.fragments_after(stream, after, _BATCH)
            for fragment in batch:
                data = await self.fragment_bytes(fragment)
                after = fragment.seq
                if data is None:
                    continue
                behind = max(0, int(self.clock.now() * 1000) - fragment.server_ms)
                yield data + mkv.tags(
                    [
                        ("AWS_KINESISVIDEO_CONTINUATION_TOKEN", fragment.number),
                        ("AWS_KINESISVIDEO_MILLIS_BEHIND_NOW", str(behind)),
                        ("AWS_KINESISVIDEO_FRAGMENT_NUMBER", fragment.number),
                        ("AWS_KINESISVIDEO_SERVER_TIMESTAMP", _seconds(fragment.server_ms)),
                        ("AWS_KINESISVIDEO_PRODUCER_TIMESTAMP", _seconds(fragment.producer_ms)),
                    ]
                )
            if batch:
                idle_deadline = self.clock.monotonic() + self.settings.get_media_idle
                continue
            remaining = idle_deadline - self.clock.monotonic()
            if remaining <= 0:
                return
            try:
                await asyncio.wait_for(arrival.wait(), remaining)
            except TimeoutError:
                return
            if await self.store.read(lambda tx: store.stream_by_id(tx, stream.id)) is None:
                return  # deleted meanwhile

    async def list_fragments(
        self,
        account: str,
        region: str,
        name: str | None,
        arn: str | None,
        limit: int | None,
        token: str | None,
        selector: dict[str, Any] | None,
    ) -> dict[str, Any]:
        stream = await self.stream(account, region, name, arn)
        size = min(limit or 1000, 1000)
        after = 0
        if token:
            if not token.isdigit():
                raise InvalidArgumentException("NextToken is not a token ListFragments gave.")
            after = int(token)
        if selector:
            span = selector["TimestampRange"]
            found = await self.fragments(
                stream,
                selector["FragmentSelectorType"] == "PRODUCER_TIMESTAMP",
                epoch_ms(span["StartTimestamp"]),
                epoch_ms(span["EndTimestamp"]),
                after,
                size + 1,
            )
        else:
            found = await self.fragments_after(stream, after, size + 1)
        out: dict[str, Any] = {"Fragments": [f.listed() for f in found[:size]]}
        if len(found) > size:
            out["NextToken"] = str(found[size - 1].seq)
        return out

    async def media_for_fragments(
        self, account: str, region: str, name: str | None, arn: str | None, numbers: list[str]
    ) -> AsyncIterator[bytes]:
        stream = await self.stream(account, region, name, arn)
        seqs = []
        for number in numbers:
            seq = fragment_seq(number)
            if seq is None:
                raise ResourceNotFoundException(f"Fragment {number} not found in the stream.")
            seqs.append(seq)
        found = await self.store.read(lambda tx: store.fragments_by_seq(tx, stream.id, seqs))
        known = {f.seq for f in found}
        missing = [n for n, s in zip(numbers, seqs, strict=True) if s not in known]
        if missing:
            raise ResourceNotFoundException(f"Fragment {missing[0]} not found in the stream.")
        return self._chunks(found)

    async def _chunks(self, fragments: list[Fragment]) -> AsyncIterator[bytes]:
        for fragment in fragments:
            data = await self.fragment_bytes(fragment)
            if data is None:
                yield mkv.tags(
                    [
                        ("AWS_KINESISVIDEO_FRAGMENT_NUMBER", fragment.number),
                        ("AWS_KINESISVIDEO_EXCEPTION_ERROR_CODE", "4000"),
                        ("AWS_KINESISVIDEO_EXCEPTION_MESSAGE", "Requested fragment is not found"),
                    ]
                )
                continue
            yield data + mkv.tags(
                [
                    ("AWS_KINESISVIDEO_FRAGMENT_NUMBER", fragment.number),
                    ("AWS_KINESISVIDEO_SERVER_SIDE_TIMESTAMP", _seconds(fragment.server_ms)),
                    ("AWS_KINESISVIDEO_PRODUCER_SIDE_TIMESTAMP", _seconds(fragment.producer_ms)),
                ]
            )

    # --- retention -------------------------------------------------------------------------------------------------

    async def sweep(self) -> int:
        """Delete fragments older than their stream's retention (a stream that keeps none: after a minute)."""
        now_ms = int(self.clock.now() * 1000)
        removed = 0
        for stream_id, hours in await self.store.read(store.retained_streams):
            keep_ms = int(hours * self.settings.hour_seconds * 1000) if hours > 0 else _NO_RETENTION_KEEP_MS
            cut = now_ms - keep_ms
            while True:
                seqs = await self.store.write(
                    functools.partial(store.expire_fragments, stream_id=stream_id, before_server_ms=cut, limit=500)
                )
                if not seqs:
                    break
                await self.files.remove(stream_id, seqs)
                removed += len(seqs)
        return removed


async def maintain(media_backend: MediaBackend, is_leader: Callable[[], Awaitable[bool]]) -> None:
    """The retention sweep, on one node at a time."""
    while True:
        await asyncio.sleep(media_backend.settings.sweep_seconds)
        try:
            if await is_leader():
                await media_backend.sweep()
        except Exception:  # logged; the next round tries again
            log.exception("the Kinesis Video retention sweep failed")


def media_root(settings: Settings, data_dir: str | os.PathLike[str] | None) -> Path | None:
    """Where fragments live: GUREUM_KINESISVIDEO_MEDIA_DIR, else <data dir>/kinesisvideo; None: a temporary one."""
    if settings.directory is not None:
        return settings.directory
    if data_dir is not None:
        return Path(data_dir) / "kinesisvideo"
    return None
