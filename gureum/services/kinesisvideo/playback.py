"""Archived media playback: HLS and DASH streaming sessions (signed session tokens in URLs gureum serves: master and
media playlists, MPD manifests, fMP4 init/media parts and MPEG-TS segments remuxed per fragment), GetClip (one MP4 of
a time range) and GetImages (JPEG/PNG frames at an interval). Remuxing is remux.py's (ffmpeg subprocesses)."""

from __future__ import annotations

import base64
import collections
import dataclasses
import datetime as dt
import functools
import hashlib
import hmac
import json
import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote

from ...aws.http import Request, Response
from ...store.base import Tx
from . import store
from .errors import (
    InvalidArgumentException,
    NoDataRetentionException,
    ResourceNotFoundException,
    ServiceError,
    SessionExpiredException,
)
from .media import MediaBackend
from .remux import Remuxer
from .resources import Fragment, Stream, epoch_ms, fragment_number, fragment_seq

_LIVE_WINDOW = 5  # fragments in a LIVE media playlist unless MaxMediaPlaylistFragmentResults says otherwise
_ON_DEMAND_MAX = 1000
_CACHE = 64  # remuxed fragments kept in memory (live viewers ask for the same few)
_CLIP_MAX_FRAGMENTS = 900
_DEFAULT_IMAGES = 25


@dataclass(slots=True, frozen=True)
class Session:
    account: str
    region: str
    stream_id: int
    kind: str  # HLS | DASH
    mode: str  # LIVE | LIVE_REPLAY | ON_DEMAND
    by_producer: bool
    start_ms: int | None
    end_ms: int | None
    container: str  # FRAGMENTED_MP4 | MPEG_TS
    discontinuity: str
    display_timestamp: bool
    limit: int
    origin_ms: int  # producer time at the session's timeline zero
    expires: float


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Playback:
    def __init__(self, media: MediaBackend, secret: str, remuxer: Remuxer | None = None) -> None:
        self.media = media
        self._key = hashlib.sha256(("kinesisvideo-sessions:" + secret).encode()).digest()
        self.remuxer = remuxer or Remuxer()
        self._cache: collections.OrderedDict[tuple[int, int, str], tuple[bytes, bytes]] = collections.OrderedDict()

    # --- session URLs ----------------------------------------------------------------------------------------------

    def _token(self, session: Session) -> str:
        body = _b64(json.dumps(dataclasses.astuple(session), separators=(",", ":")).encode())
        mac = _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest()[:18])
        return f"{body}.{mac}"

    def session(self, token: str) -> Session:
        body, _, mac = token.partition(".")
        expected = _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest()[:18])
        if not mac or not hmac.compare_digest(mac.encode("utf-8", "replace"), expected.encode()):
            raise InvalidArgumentException("The SessionToken is not valid.")
        try:
            session = Session(*json.loads(_unb64(body)))
        except (ValueError, TypeError):
            raise InvalidArgumentException("The SessionToken is not valid.") from None
        if self.media.clock.now() > session.expires:
            raise SessionExpiredException("The streaming session has expired.")
        return session

    async def session_url(self, account: str, region: str, kind: str, base_url: str, params: dict[str, Any]) -> str:
        self.remuxer.require(f"Get{kind}StreamingSessionURL")
        stream = await self.media.stream(account, region, params.get("StreamName"), params.get("StreamARN"))
        if stream.retention_hours == 0:
            raise NoDataRetentionException("The stream does not retain data (DataRetentionInHours is 0).")
        mode = params.get("PlaybackMode") or "LIVE"
        selector = params.get(f"{kind}FragmentSelector") or {}
        by_producer = selector.get("FragmentSelectorType") == "PRODUCER_TIMESTAMP"
        span = selector.get("TimestampRange") or {}
        start = epoch_ms(span["StartTimestamp"]) if span.get("StartTimestamp") is not None else None
        end = epoch_ms(span["EndTimestamp"]) if span.get("EndTimestamp") is not None else None
        if mode == "LIVE" and span:
            raise InvalidArgumentException("TimestampRange must not be set when PlaybackMode is LIVE.")
        if mode in ("LIVE_REPLAY", "ON_DEMAND") and start is None:
            raise InvalidArgumentException(f"StartTimestamp is required when PlaybackMode is {mode}.")
        if mode == "ON_DEMAND" and end is None:
            raise InvalidArgumentException("EndTimestamp is required when PlaybackMode is ON_DEMAND.")
        if start is not None and end is not None and end < start:
            raise InvalidArgumentException("EndTimestamp must be later than StartTimestamp.")
        limit_key = "MaxMediaPlaylistFragmentResults" if kind == "HLS" else "MaxManifestFragmentResults"
        limit = int(params.get(limit_key) or (_LIVE_WINDOW if mode == "LIVE" else _ON_DEMAND_MAX))
        if mode == "LIVE":
            window = await self._live_window(stream, limit)
            if not window:
                raise ResourceNotFoundException("No fragments found in the stream for the streaming request.")
            origin = window[0].producer_ms
        else:
            assert start is not None
            found = await self.media.fragments(stream, by_producer, start, end if end is not None else 2**62, 0, 1)
            if not found:
                raise ResourceNotFoundException("No fragments found in the stream for the streaming request.")
            origin = found[0].producer_ms
        session = Session(
            account,
            region,
            stream.id,
            kind,
            mode,
            by_producer,
            start,
            end,
            (params.get("ContainerFormat") or "FRAGMENTED_MP4") if kind == "HLS" else "FRAGMENTED_MP4",
            params.get("DiscontinuityMode") or "ALWAYS",
            (params.get("DisplayFragmentTimestamp") or "NEVER") == "ALWAYS",
            limit,
            origin,
            self.media.clock.now() + int(params.get("Expires") or 300),
        )
        token = quote(self._token(session), safe="")
        if kind == "HLS":
            return f"{base_url}/hls/v1/getHLSMasterPlaylist.m3u8?SessionToken={token}"
        return f"{base_url}/dash/v1/getDASHManifest.mpd?SessionToken={token}"

    async def _live_window(self, stream: Stream, limit: int) -> list[Fragment]:
        last = await self.media.last_fragment(stream)
        if last is None:
            return []
        return await self.media.fragments_after(stream, max(0, last.seq - limit), limit)

    async def _session_fragments(self, session: Session) -> tuple[Stream, list[Fragment]]:
        stream = await self.media.store.read(lambda tx: store.stream_by_id(tx, session.stream_id))
        if stream is None:
            raise ResourceNotFoundException("The requested stream is not found or not active.")
        if session.mode == "LIVE":
            fragments = await self._live_window(stream, session.limit)
            return stream, [f for f in fragments if f.producer_ms >= session.origin_ms]
        assert session.start_ms is not None
        end = session.end_ms if session.end_ms is not None else 2**62
        fragments = await self.media.fragments(stream, session.by_producer, session.start_ms, end, 0, session.limit)
        return stream, fragments

    # --- serving ---------------------------------------------------------------------------------------------------

    async def serve(self, request: Request) -> Response:
        """GET /hls/v1/… and /dash/v1/…: playlists, manifests and media parts of a session."""
        query = {k: v[0] for k, v in parse_qs(request.query_string).items()}
        try:
            session = self.session(query.get("SessionToken", ""))
            name = request.path.rsplit("/", 1)[-1]
            token = quote(query.get("SessionToken", ""), safe="")
            if name == "getHLSMasterPlaylist.m3u8":
                return await self._master(session, token)
            if name == "getHLSMediaPlaylist.m3u8":
                return await self._media_playlist(session, token)
            if name == "getDASHManifest.mpd":
                return await self._manifest(session, token)
            fragment = await self._fragment(session, query.get("FragmentNumber", ""))
            if name == "getMP4InitFragment.mp4":
                init, _ = await self._fmp4(fragment, session)
                return Response(200, [("Content-Type", "video/mp4")], init)
            if name == "getMP4MediaFragment.mp4":
                _, part = await self._fmp4(fragment, session)
                return Response(200, [("Content-Type", "video/mp4")], part)
            if name == "getTSFragment.ts":
                return Response(200, [("Content-Type", "video/mp2t")], await self._ts(fragment, session))
            raise ResourceNotFoundException(f"No such streaming session resource: {name}")
        except ServiceError as error:
            body = json.dumps({"__type": error.code, "Message": error.message}).encode()
            return Response(
                error.status, [("Content-Type", "application/json"), ("x-amzn-ErrorType", error.code)], body
            )

    async def _fragment(self, session: Session, number: str) -> Fragment:
        # a full fragment number, or (DASH's $Number$) the fragment's sequence alone
        seq = fragment_seq(number) if len(number) > 21 else int(number) if number.isdigit() else None
        found = (
            await self.media.store.read(lambda tx: store.fragments_by_seq(tx, session.stream_id, [seq]))
            if seq is not None
            else []
        )
        if not found:
            raise ResourceNotFoundException(f"Fragment {number} not found in the stream.")
        return found[0]

    async def _data(self, fragment: Fragment) -> bytes:
        data = await self.media.fragment_bytes(fragment)
        if data is None:
            raise ResourceNotFoundException(f"Fragment {fragment.number} is no longer retained.")
        return data

    async def _fmp4(self, fragment: Fragment, session: Session) -> tuple[bytes, bytes]:
        key = (fragment.stream_id, fragment.seq, f"mp4:{session.origin_ms}")
        cached = self._cache.get(key)
        if cached is None:
            decode = max(0, fragment.producer_ms - session.origin_ms) / 1000
            cached = await self.remuxer.fmp4(await self._data(fragment), decode)
            self._remember(key, cached)
        return cached

    async def _ts(self, fragment: Fragment, session: Session) -> bytes:
        key = (fragment.stream_id, fragment.seq, f"ts:{session.origin_ms}")
        cached = self._cache.get(key)
        if cached is None:
            cached = (await self.remuxer.mpegts(await self._data(fragment), session.origin_ms / 1000), b"")
            self._remember(key, cached)
        return cached[0]

    def _remember(self, key: tuple[int, int, str], value: tuple[bytes, bytes]) -> None:
        self._cache[key] = value
        while len(self._cache) > _CACHE:
            self._cache.popitem(last=False)

    async def _codecs(self, fragments: list[Fragment], session: Session) -> str | None:
        """The RFC 6381 codec string of the first fragment's video ("avc1.64000d"), from its avcC."""
        if not fragments:
            return None
        init, _ = await self._fmp4(fragments[0], session)
        at = init.find(b"avcC")
        if at < 0 or at + 8 > len(init):
            return None
        return f"avc1.{init[at + 5]:02x}{init[at + 6]:02x}{init[at + 7]:02x}"

    async def _master(self, session: Session, token: str) -> Response:
        _, fragments = await self._session_fragments(session)
        codecs = await self._codecs(fragments, session) if session.container == "FRAGMENTED_MP4" else None
        bandwidth = max((f.size * 8 * 1000 // max(f.duration_ms, 1) for f in fragments), default=1_000_000)
        attributes = f"BANDWIDTH={bandwidth}" + (f',CODECS="{codecs}"' if codecs else "")
        text = (
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n"
            f"#EXT-X-STREAM-INF:{attributes}\ngetHLSMediaPlaylist.m3u8?SessionToken={token}&TrackNumber=1\n"
        )
        return Response(200, [("Content-Type", "application/vnd.apple.mpegurl")], text.encode())

    async def _media_playlist(self, session: Session, token: str) -> Response:
        _, fragments = await self._session_fragments(session)
        target = max((math.ceil(f.duration_ms / 1000) for f in fragments), default=1)
        lines = ["#EXTM3U", "#EXT-X-VERSION:7", f"#EXT-X-TARGETDURATION:{max(1, target)}"]
        lines.append(f"#EXT-X-MEDIA-SEQUENCE:{fragments[0].seq if fragments else 0}")
        if session.mode == "ON_DEMAND":
            lines.append("#EXT-X-PLAYLIST-TYPE:VOD")
        mp4 = session.container == "FRAGMENTED_MP4"
        previous: Fragment | None = None
        for fragment in fragments:
            number = fragment_number(fragment.seq)
            changed = previous is None or previous.header_size != fragment.header_size
            if previous is not None and (
                session.discontinuity == "ALWAYS"
                or (session.discontinuity == "ON_DISCONTINUITY" and (changed or _gap(previous, fragment)))
            ):
                lines.append("#EXT-X-DISCONTINUITY")
            if mp4 and (changed or session.discontinuity == "ALWAYS"):
                lines.append(f'#EXT-X-MAP:URI="getMP4InitFragment.mp4?SessionToken={token}&FragmentNumber={number}"')
            if session.display_timestamp:
                stamp = dt.datetime.fromtimestamp(fragment.producer_ms / 1000, dt.UTC)
                lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{stamp.isoformat(timespec='milliseconds')}")
            lines.append(f"#EXTINF:{fragment.duration_ms / 1000:.3f},")
            resource = "getMP4MediaFragment.mp4" if mp4 else "getTSFragment.ts"
            lines.append(f"{resource}?SessionToken={token}&FragmentNumber={number}")
            previous = fragment
        if session.mode == "ON_DEMAND" or (
            session.mode == "LIVE_REPLAY" and session.end_ms is not None and len(fragments) < session.limit
        ):
            lines.append("#EXT-X-ENDLIST")
        return Response(200, [("Content-Type", "application/vnd.apple.mpegurl")], ("\n".join(lines) + "\n").encode())

    async def _manifest(self, session: Session, token: str) -> Response:
        _, fragments = await self._session_fragments(session)
        if not fragments:
            raise ResourceNotFoundException("No fragments found in the stream for the streaming request.")
        codecs = await self._codecs(fragments, session) or "avc1.42c01e"
        live = session.mode != "ON_DEMAND"
        total = sum(f.duration_ms for f in fragments)
        first = fragments[0].number
        # a SegmentTemplate whose $Number$ is the fragment's sequence (getMP4MediaFragment.mp4 takes it as well as
        # the full fragment number), with each fragment's time and duration in the timeline
        timeline = "".join(
            f'<S t="{max(0, f.producer_ms - session.origin_ms)}" d="{max(1, f.duration_ms)}"/>' for f in fragments
        )
        start = dt.datetime.fromtimestamp(session.origin_ms / 1000, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        kind = (
            f'type="dynamic" availabilityStartTime="{start}" minimumUpdatePeriod="PT1S" '
            f'timeShiftBufferDepth="PT{max(total / 1000, 1):.3f}S"'
            if live
            else f'type="static" mediaPresentationDuration="PT{total / 1000:.3f}S"'
        )
        text = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" {kind} '
            'minBufferTime="PT2S">'
            '<Period id="0" start="PT0S"><AdaptationSet mimeType="video/mp4" segmentAlignment="true" startWithSAP="1">'
            f'<Representation id="1" bandwidth="1000000" codecs="{codecs}">'
            f'<SegmentTemplate timescale="1000" startNumber="{fragments[0].seq}" '
            f'initialization="getMP4InitFragment.mp4?SessionToken={token}&amp;FragmentNumber={first}" '
            f'media="getMP4MediaFragment.mp4?SessionToken={token}&amp;FragmentNumber=$Number$">'
            f"<SegmentTimeline>{timeline}</SegmentTimeline></SegmentTemplate>"
            "</Representation></AdaptationSet></Period></MPD>\n"
        )
        return Response(200, [("Content-Type", "application/dash+xml")], text.encode())

    # --- GetClip and GetImages -------------------------------------------------------------------------------------

    async def clip(
        self, account: str, region: str, name: str | None, arn: str | None, selector: dict[str, Any]
    ) -> bytes:
        self.remuxer.require("GetClip")
        stream = await self.media.stream(account, region, name, arn)
        if stream.retention_hours == 0:
            raise NoDataRetentionException("The stream does not retain data (DataRetentionInHours is 0).")
        span = selector["TimestampRange"]
        start, end = epoch_ms(span["StartTimestamp"]), epoch_ms(span["EndTimestamp"])
        if end <= start:
            raise InvalidArgumentException("EndTimestamp must be later than StartTimestamp.")
        fragments = await self.media.fragments(
            stream, selector["FragmentSelectorType"] == "PRODUCER_TIMESTAMP", start, end, 0, _CLIP_MAX_FRAGMENTS
        )
        if not fragments:
            raise ResourceNotFoundException("No fragments found in the stream for the clip request.")
        parts: list[bytes] = []
        for fragment in fragments:
            data = await self.media.fragment_bytes(fragment)
            if data is not None:  # the first fragment's header, then every fragment's cluster
                parts.append(data if not parts else data[fragment.header_size :])
        if not parts:
            raise ResourceNotFoundException("No fragments found in the stream for the clip request.")
        return await self.remuxer.clip(b"".join(parts))

    async def images(
        self, account: str, region: str, name: str | None, arn: str | None, params: dict[str, Any]
    ) -> dict[str, Any]:
        self.remuxer.require("GetImages")
        stream = await self.media.stream(account, region, name, arn)
        if stream.retention_hours == 0:
            raise NoDataRetentionException("The stream does not retain data (DataRetentionInHours is 0).")
        by_producer = params["ImageSelectorType"] == "PRODUCER_TIMESTAMP"
        start, end = epoch_ms(params["StartTimestamp"]), epoch_ms(params["EndTimestamp"])
        if end < start:
            raise InvalidArgumentException("EndTimestamp must be later than StartTimestamp.")
        interval = params.get("SamplingInterval")
        if interval is None:
            interval = 3000
        if interval < 200 or interval > 20000:
            raise InvalidArgumentException("SamplingInterval must be between 200 and 20000 milliseconds.")
        token = params.get("NextToken")
        if token is not None:
            if not token.isdigit():
                raise InvalidArgumentException("NextToken is not a token GetImages gave.")
            start = int(token)
        limit = int(params.get("MaxResults") or _DEFAULT_IMAGES)
        quality_text = (params.get("FormatConfig") or {}).get("JPEGQuality")
        quality = int(quality_text) if quality_text and str(quality_text).isdigit() else None
        images: list[dict[str, Any]] = []
        decoded: tuple[int, list[tuple[float, bytes]]] | None = None  # the last fragment's frames, decoded once
        at = start
        while at <= end and len(images) < limit:
            stamp = dt.datetime.fromtimestamp(at / 1000, dt.UTC)
            fragment = await self.media.store.read(
                functools.partial(_holding, stream_id=stream.id, by_producer=by_producer, at_ms=at)
            )
            if fragment is None:
                images.append({"TimeStamp": stamp, "Error": "NO_MEDIA"})
                at += interval
                continue
            if decoded is None or decoded[0] != fragment.seq:
                data = await self.media.fragment_bytes(fragment)
                try:
                    frames = (
                        await self.remuxer.frames(
                            data, params["Format"], params.get("WidthPixels"), params.get("HeightPixels"), quality
                        )
                        if data
                        else []
                    )
                except ServiceError:
                    frames = []
                decoded = (fragment.seq, frames)
            begins = fragment.producer_ms if by_producer else fragment.server_ms
            offset = (at - begins) / 1000
            # the frame on screen at that instant: the last one starting at or before it
            shown = [picture for time_, picture in decoded[1] if time_ <= offset + 0.0005]
            if shown:
                images.append({"TimeStamp": stamp, "ImageContent": base64.b64encode(shown[-1]).decode()})
            else:
                images.append({"TimeStamp": stamp, "Error": "MEDIA_ERROR"})
            at += interval
        out: dict[str, Any] = {"Images": images}
        if at <= end:
            out["NextToken"] = str(at)
        return out


def _gap(previous: Fragment, fragment: Fragment) -> bool:
    return fragment.producer_ms - (previous.producer_ms + previous.duration_ms) > 100


def _holding(tx: Tx, stream_id: int, by_producer: bool, at_ms: int) -> Fragment | None:
    """The fragment that holds the instant ``at_ms``."""
    fragment = store.fragment_at(tx, stream_id, by_producer, at_ms)
    if fragment is None:
        return None
    begins = fragment.producer_ms if by_producer else fragment.server_ms
    return fragment if begins + max(fragment.duration_ms, 1) > at_ms else None
