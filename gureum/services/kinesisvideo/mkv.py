"""Matroska (EBML) for Kinesis Video Streams: an incremental parser that cuts a PutMedia body into its header (EBML
header, Info, Tracks) and its clusters (one fragment each), and the writer of what gureum adds (a cluster with a known
size and an absolute timecode, the AWS_KINESISVIDEO_* tags). Nesting is fixed by the parser's states (no recursion
over input) and every element it holds whole has a bounded size; a violation is an MkvError with AWS's ack error id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

EBML = 0x1A45DFA3
SEGMENT = 0x18538067
CLUSTER = 0x1F43B675
INFO = 0x1549A966
TRACKS = 0x1654AE6B
TAGS = 0x1254C367
TAG = 0x7373
TARGETS = 0x63C0
SIMPLE_TAG = 0x67C8
TAG_NAME = 0x45A3
TAG_STRING = 0x4487
TIMECODE = 0xE7
SIMPLE_BLOCK = 0xA3
BLOCK_GROUP = 0xA0
BLOCK = 0xA1
REFERENCE_BLOCK = 0xFB
TIMECODE_SCALE = 0x2AD7B1
TRACK_ENTRY = 0xAE
TRACK_NUMBER = 0xD7
TRACK_TYPE = 0x83
CODEC_ID = 0x86
CODEC_PRIVATE = 0x63A2
DEFAULT_DURATION = 0x23E383
DOC_TYPE = 0x4282
# the top-level children of a Segment (Matroska's "level 1"): any of them ends a cluster of unknown size (Void and
# CRC-32 are global elements, found inside clusters too, so they do not)
LEVEL1 = frozenset({0x114D9B74, INFO, TRACKS, 0x1C53BB6B, TAGS, 0x1043A770, 0x1941A469, CLUSTER})
_UNKNOWN = -1

MAX_HEADER_ELEMENT = 1024 * 1024  # EBML header, Info, Tracks: held whole
MAX_SKIPPED = 64 * 1024 * 1024  # Cues, Tags, attachments… passed over as they arrive
MAX_FRAGMENT = 50 * 1024 * 1024  # AWS: a fragment (cluster) is at most 50 MB (ack error 4001)
MAX_TRACKS = 3  # AWS: at most three tracks (ack error 4012)

# AWS's PutMedia acknowledgement error ids (API_dataplane_PutMedia, "ErrorId and ErrorCode")
ERR_READ = 4000
ERR_FRAGMENT_SIZE = 4001
ERR_FRAGMENT_DURATION = 4002
ERR_TIMECODE_LOWER = 4004
ERR_INVALID_MKV = 4006
ERR_PRODUCER_TIMESTAMP = 4007
ERR_STREAM_DELETED = 4008
ERR_TRACK_MISMATCH = 4010
ERR_TOO_MANY_TRACKS = 4012
ERR_INTERNAL = 5000
ERR_PERSIST = 5001


class MkvError(Exception):
    """A PutMedia body that cannot be taken: ``error_id`` is the ack's ErrorId."""

    def __init__(self, error_id: int, message: str) -> None:
        super().__init__(message)
        self.error_id = error_id


@dataclass(slots=True, frozen=True)
class Track:
    number: int
    kind: int  # 1 video, 2 audio
    codec_id: str
    has_private: bool
    default_duration_ns: int | None


@dataclass(slots=True)
class Header:
    """What precedes the clusters: written before each fragment so that every fragment is a playable MKV."""

    ebml: bytes
    info: bytes
    tracks_raw: bytes
    timecode_scale: int  # nanoseconds per timecode unit
    tracks: dict[int, Track]

    def prefix(self) -> bytes:
        """EBML header, a Segment of unknown size, Info and Tracks."""
        return self.ebml + encode_id(SEGMENT) + b"\x01\xff\xff\xff\xff\xff\xff\xff" + self.info + self.tracks_raw


@dataclass(slots=True)
class Cluster:
    header: Header
    timecode: int  # the cluster's own Timecode, in timecode-scale units
    blocks: bytearray = field(default_factory=bytearray)  # SimpleBlock / BlockGroup elements, as received
    frames: int = 0
    first_key: bool = False
    min_offset: int | None = None
    max_offset: int = 0
    size: int = 0  # bytes received for it

    def duration_ns(self) -> int:
        """From its first frame to the end of its last (the video track's frame duration, or the mean spacing)."""
        if self.min_offset is None:
            return 0
        span = (self.max_offset - self.min_offset) * self.header.timecode_scale
        frame = next((t.default_duration_ns for t in self.header.tracks.values() if t.default_duration_ns), None)
        if frame is None:
            frame = span // (self.frames - 1) if self.frames > 1 else 0
        return span + frame


@dataclass(slots=True, frozen=True)
class Started:
    """A cluster began (its Timecode arrived): the BUFFERING ack."""

    timecode: int
    timecode_scale: int


@dataclass(slots=True, frozen=True)
class Completed:
    cluster: Cluster


Event = Started | Completed

_TOP, _SEGMENT, _CLUSTER = 0, 1, 2


def _read_vint(buf: bytearray, pos: int, keep_marker: bool) -> tuple[int, int] | None:
    """(value, length) of the EBML variable-size integer at ``pos``; None when more bytes are needed."""
    if pos >= len(buf):
        return None
    first = buf[pos]
    if first == 0:
        raise MkvError(ERR_INVALID_MKV, "invalid EBML variable-size integer")
    length = 1
    while not first & (0x80 >> (length - 1)):
        length += 1
    if pos + length > len(buf):
        return None
    value = first if keep_marker else first & ((0x80 >> (length - 1)) - 1)
    all_ones = value == (0x80 >> (length - 1)) - 1 if not keep_marker else False
    for k in range(1, length):
        byte = buf[pos + k]
        value = (value << 8) | byte
        all_ones = all_ones and byte == 0xFF
    if not keep_marker and all_ones:
        return _UNKNOWN, length
    return value, length


def read_uint(data: bytes | bytearray) -> int:
    return int.from_bytes(data, "big") if data else 0


def children(data: bytes | bytearray) -> Iterable[tuple[int, bytes]]:
    """The (id, payload) children of a master element held whole (one level, sizes checked)."""
    buf = bytearray(data)
    pos = 0
    while pos < len(buf):
        got = _read_vint(buf, pos, True)
        if got is None:
            raise MkvError(ERR_INVALID_MKV, "truncated EBML element")
        ident, id_len = got
        if id_len > 4:
            raise MkvError(ERR_INVALID_MKV, "EBML element id longer than 4 bytes")
        size_at = pos + id_len
        sized = _read_vint(buf, size_at, False)
        if sized is None or sized[0] == _UNKNOWN:
            raise MkvError(ERR_INVALID_MKV, "truncated or unknown-size EBML element")
        size, size_len = sized
        start = size_at + size_len
        if start + size > len(buf):
            raise MkvError(ERR_INVALID_MKV, "EBML element larger than its parent")
        yield ident, bytes(buf[start : start + size])
        pos = start + size


def _parse_tracks(payload: bytes) -> dict[int, Track]:
    tracks: dict[int, Track] = {}
    for ident, entry in children(payload):
        if ident != TRACK_ENTRY:
            continue
        number = kind = 0
        codec = ""
        private = False
        default: int | None = None
        for child, value in children(entry):
            if child == TRACK_NUMBER:
                number = read_uint(value)
            elif child == TRACK_TYPE:
                kind = read_uint(value)
            elif child == CODEC_ID:
                codec = value.decode("ascii", "replace")
            elif child == CODEC_PRIVATE:
                private = bool(value)
            elif child == DEFAULT_DURATION:
                default = read_uint(value) or None
        if number <= 0:
            raise MkvError(ERR_INVALID_MKV, "a TrackEntry without a TrackNumber")
        tracks[number] = Track(number, kind, codec, private, default)
    if not tracks:
        raise MkvError(ERR_INVALID_MKV, "Tracks holds no TrackEntry")
    if len(tracks) > MAX_TRACKS:
        raise MkvError(ERR_TOO_MANY_TRACKS, f"more than {MAX_TRACKS} tracks")
    return tracks


def _block_head(payload: bytes | bytearray) -> tuple[int, int, int]:
    """(track number, signed timecode offset, flags) of a Block or SimpleBlock's payload."""
    buf = bytearray(payload[:12])
    got = _read_vint(buf, 0, False)
    if got is None or got[0] == _UNKNOWN or got[1] + 3 > len(buf):
        raise MkvError(ERR_INVALID_MKV, "truncated block header")
    track, length = got
    offset = int.from_bytes(buf[length : length + 2], "big", signed=True)
    return track, offset, buf[length + 2]


class Parser:
    """Feed it the body's chunks; it answers the events each chunk completes. Bytes are held only while an element
    that must be whole (a header element, a block) is incomplete, so memory stays bounded by the limits above."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._offset = 0  # absolute offset of _buf[0] in the body
        self._state = _TOP
        self._segment_end: int | None = None
        self._skip = 0
        self._ebml = b""
        self._info = b""
        self._tracks_raw = b""
        self._scale = 1_000_000
        self._header: Header | None = None
        self._cluster: Cluster | None = None
        self._cluster_end: int | None = None
        self._error: MkvError | None = None

    @property
    def error(self) -> MkvError | None:
        """The fault found after the events the last feed answered (raised by the next call)."""
        return self._error

    @property
    def cluster(self) -> Cluster | None:
        """The cluster being received, if any."""
        return self._cluster

    def feed(self, data: bytes) -> list[Event]:
        """The events ``data`` completes. On malformed input the events before the fault are answered first; the
        next call raises the MkvError."""
        if self._error is not None:
            raise self._error
        events: list[Event] = []
        if self._skip:
            taken = min(self._skip, len(data))
            self._skip -= taken
            self._offset += taken
            data = data[taken:]
            if self._cluster is not None:
                self._cluster.size += taken
        self._buf += data
        try:
            pos = self._run(events)
        except MkvError as error:
            if not events:
                raise
            self._error = error
            return events
        del self._buf[:pos]
        self._offset += pos
        return events

    def finish(self) -> list[Event]:
        """The body ended: a cluster of unknown size in progress is complete; anything half-received is an error."""
        if self._error is not None:
            raise self._error
        events: list[Event] = []
        if self._buf or self._skip:
            raise MkvError(ERR_INVALID_MKV, "the body ended inside an MKV element")
        if self._cluster is not None:
            if self._cluster_end is not None and self._cluster_end > self._offset:
                raise MkvError(ERR_INVALID_MKV, "the body ended inside a cluster")
            events.append(self._complete())
        return events

    def _complete(self) -> Completed:
        assert self._cluster is not None
        cluster = self._cluster
        self._cluster = None
        self._cluster_end = None
        self._state = _SEGMENT
        if cluster.frames == 0:
            raise MkvError(ERR_INVALID_MKV, "a cluster without frames")
        return Completed(cluster)

    def _run(self, events: list[Event]) -> int:
        buf = self._buf
        pos = 0
        while True:
            here = self._offset + pos
            if self._state == _CLUSTER and self._cluster_end is not None and here >= self._cluster_end:
                events.append(self._complete())
            if self._state == _SEGMENT and self._segment_end is not None and here >= self._segment_end:
                self._state = _TOP
            got = _read_vint(buf, pos, True)
            if got is None:
                return pos
            ident, id_len = got
            if id_len > 4:
                raise MkvError(ERR_INVALID_MKV, "EBML element id longer than 4 bytes")
            sized = _read_vint(buf, pos + id_len, False)
            if sized is None:
                return pos
            size, size_len = sized
            head = id_len + size_len
            if self._state == _CLUSTER and self._cluster_end is None and (ident in LEVEL1 or ident in (EBML, SEGMENT)):
                events.append(self._complete())  # a cluster of unknown size ends where its next sibling begins
            if self._state == _TOP:
                if ident == EBML:
                    whole = self._whole(pos, head, size, MAX_HEADER_ELEMENT)
                    if whole is None:
                        return pos
                    for child, value in children(whole):
                        if child == DOC_TYPE and value.rstrip(b"\0") not in (b"matroska", b"webm"):
                            raise MkvError(ERR_INVALID_MKV, "the EBML DocType is not matroska")
                    self._ebml = bytes(buf[pos : pos + head + size])
                    self._header = None
                    pos += head + size
                elif ident == SEGMENT:
                    if not self._ebml:
                        raise MkvError(ERR_INVALID_MKV, "a Segment before the EBML header")
                    self._segment_end = None if size == _UNKNOWN else self._offset + pos + head + size
                    self._state = _SEGMENT
                    pos += head
                else:
                    raise MkvError(ERR_INVALID_MKV, "the body does not start with an EBML header")
            elif self._state == _SEGMENT:
                if ident in (EBML, SEGMENT):
                    self._state = _TOP
                elif ident == CLUSTER:
                    header = self._current_header()
                    if size != _UNKNOWN and size > MAX_FRAGMENT:
                        raise MkvError(ERR_FRAGMENT_SIZE, "a fragment larger than 50 MB")
                    self._cluster = Cluster(header, -1)
                    self._cluster_end = None if size == _UNKNOWN else self._offset + pos + head + size
                    self._state = _CLUSTER
                    pos += head
                elif ident in (INFO, TRACKS):
                    whole = self._whole(pos, head, size, MAX_HEADER_ELEMENT)
                    if whole is None:
                        return pos
                    raw = bytes(buf[pos : pos + head + size])
                    if ident == INFO:
                        self._info = raw
                        self._scale = 1_000_000
                        for child, value in children(whole):
                            if child == TIMECODE_SCALE:
                                self._scale = read_uint(value) or 1_000_000
                    else:
                        self._tracks_raw = raw
                        _parse_tracks(whole)
                    self._header = None
                    pos += head + size
                else:
                    pos = self._pass_over(pos, head, size)
                    if self._skip:
                        return pos
            else:  # in a cluster
                cluster = self._cluster
                assert cluster is not None
                if size == _UNKNOWN:
                    raise MkvError(ERR_INVALID_MKV, "an element of unknown size inside a cluster")
                if cluster.size + head + size > MAX_FRAGMENT:
                    raise MkvError(ERR_FRAGMENT_SIZE, "a fragment larger than 50 MB")
                if ident in (TIMECODE, SIMPLE_BLOCK, BLOCK_GROUP):
                    if pos + head + size > len(buf):
                        return pos
                    payload = bytes(buf[pos + head : pos + head + size])
                    if ident == TIMECODE:
                        cluster.timecode = read_uint(payload)
                        events.append(Started(cluster.timecode, cluster.header.timecode_scale))
                    else:
                        self._block(cluster, ident, payload, bytes(buf[pos : pos + head + size]))
                    cluster.size += head + size
                    pos += head + size
                else:  # Position, PrevSize, Void, CRC-32, SilentTracks…: not kept
                    cluster.size += head
                    pos = self._pass_over(pos, head, size)
                    if self._skip:
                        return pos

    def _whole(self, pos: int, head: int, size: int, limit: int) -> bytes | None:
        if size == _UNKNOWN or size > limit:
            raise MkvError(ERR_INVALID_MKV, "a header element of unknown or excessive size")
        if pos + head + size > len(self._buf):
            return None
        return bytes(self._buf[pos + head : pos + head + size])

    def _pass_over(self, pos: int, head: int, size: int) -> int:
        if size == _UNKNOWN or size > MAX_SKIPPED:
            raise MkvError(ERR_INVALID_MKV, "an element of unknown or excessive size")
        available = len(self._buf) - pos - head
        if available >= size:
            if self._cluster is not None:
                self._cluster.size += size
            return pos + head + size
        self._skip = size - available
        if self._cluster is not None:
            self._cluster.size += available
        return len(self._buf)

    def _current_header(self) -> Header:
        if self._header is None:
            if not self._tracks_raw:
                raise MkvError(ERR_INVALID_MKV, "a cluster before the segment's Tracks")
            tracks = _parse_tracks(next(value for _, value in children(self._tracks_raw)))
            self._header = Header(self._ebml, self._info, self._tracks_raw, self._scale, tracks)
        return self._header

    def _block(self, cluster: Cluster, ident: int, payload: bytes, raw: bytes) -> None:
        if cluster.timecode < 0:
            raise MkvError(ERR_INVALID_MKV, "a block before its cluster's Timecode")
        if ident == SIMPLE_BLOCK:
            track, offset, flags = _block_head(payload)
            key = bool(flags & 0x80)
        else:
            block = None
            key = True
            for child, value in children(payload):
                if child == BLOCK:
                    block = value
                elif child == REFERENCE_BLOCK:
                    key = False
            if block is None:
                raise MkvError(ERR_INVALID_MKV, "a BlockGroup without a Block")
            track, offset, _ = _block_head(block)
        if track not in cluster.header.tracks:
            raise MkvError(ERR_TRACK_MISMATCH, "the track number of a frame is not in the MKV header")
        if cluster.frames == 0:
            cluster.first_key = key
        cluster.frames += 1
        cluster.min_offset = offset if cluster.min_offset is None else min(cluster.min_offset, offset)
        cluster.max_offset = max(cluster.max_offset, offset)
        cluster.blocks += raw


# --- writing ---------------------------------------------------------------------------------------------------


def encode_id(ident: int) -> bytes:
    return ident.to_bytes((ident.bit_length() + 7) // 8, "big")


def encode_size(size: int) -> bytes:
    """An 8-byte EBML size (always long enough, simple to rewrite)."""
    return (size | (1 << 56)).to_bytes(8, "big")


def element(ident: int, payload: bytes) -> bytes:
    return encode_id(ident) + encode_size(len(payload)) + payload


def uint(value: int) -> bytes:
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


def cluster_bytes(timecode: int, blocks: bytes | bytearray) -> bytes:
    """A cluster of known size with the given Timecode and the received blocks."""
    return element(CLUSTER, element(TIMECODE, uint(timecode)) + bytes(blocks))


def tags(values: Iterable[tuple[str, str]]) -> bytes:
    """A segment-level Tags element with one SimpleTag per (name, value)."""
    simple = b"".join(
        element(SIMPLE_TAG, element(TAG_NAME, name.encode()) + element(TAG_STRING, value.encode()))
        for name, value in values
    )
    return element(TAGS, element(TAG, element(TARGETS, b"") + simple))
