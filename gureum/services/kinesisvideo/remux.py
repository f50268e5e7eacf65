"""Remuxing stored MKV fragments with Debian's ffmpeg, always in subprocesses (never on the event loop), without
re-encoding: fragmented MP4 (an init part and a media part per fragment, the media part's decode times set to the
session's timeline), MPEG-TS, a whole MP4 clip, and single frames as JPEG or PNG. At most two ffmpeg processes run
at once; without ffmpeg on PATH these operations are refused (errors.no_ffmpeg)."""

from __future__ import annotations

import asyncio
import shutil
import struct
import tempfile
from pathlib import Path

from .errors import InvalidMediaFrameException, no_ffmpeg

_TIMEOUT = 60.0
_MAX_OUTPUT = 200 * 1024 * 1024  # GetClip's limit (AWS: 200 MB of media per clip)


class Remuxer:
    def __init__(self, parallel: int = 2) -> None:
        self._slots = asyncio.Semaphore(parallel)

    @staticmethod
    def available() -> bool:
        return shutil.which("ffmpeg") is not None

    def require(self, operation: str) -> str:
        binary = shutil.which("ffmpeg")
        if binary is None:
            raise no_ffmpeg(operation)
        return binary

    async def run(self, operation: str, args: list[str], data: bytes | None = None) -> bytes:
        """ffmpeg's standard output for ``args`` (its input on stdin when ``data`` is given)."""
        binary = self.require(operation)
        async with self._slots:
            proc = await asyncio.create_subprocess_exec(
                binary,
                "-hide_banner",
                "-loglevel",
                "error",
                "-nostdin" if data is None else "-y",
                *args,
                stdin=asyncio.subprocess.PIPE if data is not None else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            try:
                out, err = await asyncio.wait_for(proc.communicate(data), _TIMEOUT)
            except TimeoutError:
                proc.kill()
                await proc.wait()
                raise InvalidMediaFrameException(f"{operation}: remuxing took longer than {_TIMEOUT:.0f} s.") from None
        if proc.returncode != 0 or not out:
            detail = err.decode("utf-8", "replace").strip().splitlines()
            raise InvalidMediaFrameException(
                f"{operation}: the stream's media could not be remuxed ({detail[-1] if detail else 'no output'})."
            )
        if len(out) > _MAX_OUTPUT:
            raise InvalidMediaFrameException(f"{operation}: the media is larger than 200 MB.")
        return out

    async def fmp4(self, fragment: bytes, decode_seconds: float) -> tuple[bytes, bytes]:
        """(init part: ftyp+moov, media part: moof+mdat) of one fragment, its decode time moved to
        ``decode_seconds`` on the session's timeline."""
        out = await self.run(
            "GetHLSStreamingSessionURL",
            [
                "-f",
                "matroska",
                "-i",
                "pipe:0",
                "-map",
                "0",
                "-c",
                "copy",
                "-f",
                "mp4",
                "-movflags",
                "frag_keyframe+empty_moov+default_base_moof+skip_trailer",
                "-frag_duration",
                "100000000",
                "pipe:1",
            ],
            fragment,
        )
        return split_fmp4(out, decode_seconds)

    async def mpegts(self, fragment: bytes, origin_seconds: float) -> bytes:
        """One fragment as MPEG-TS, its timestamps counted from ``origin_seconds`` (producer time) plus 10 s."""
        return await self.run(
            "GetHLSStreamingSessionURL",
            [
                "-copyts",
                "-f",
                "matroska",
                "-i",
                "pipe:0",
                "-map",
                "0",
                "-c",
                "copy",
                "-bsf:v",
                "h264_mp4toannexb",
                "-output_ts_offset",
                f"{10.0 - origin_seconds:.3f}",
                "-f",
                "mpegts",
                "pipe:1",
            ],
            fragment,
        )

    async def clip(self, mkv_data: bytes) -> bytes:
        """A whole MP4 (moov first, playable progressively) of one MKV."""
        with tempfile.TemporaryDirectory(prefix="gureum-kvs-clip-") as directory:
            source = Path(directory) / "in.mkv"
            target = Path(directory) / "out.mp4"
            await asyncio.to_thread(source.write_bytes, mkv_data)
            await self._to_file("GetClip", source, target)
            return await asyncio.to_thread(target.read_bytes)

    async def _to_file(self, operation: str, source: Path, target: Path) -> None:
        binary = self.require(operation)
        async with self._slots:
            proc = await asyncio.create_subprocess_exec(
                binary,
                "-hide_banner",
                "-loglevel",
                "error",
                "-nostdin",
                "-y",
                "-i",
                str(source),
                "-map",
                "0",
                "-c",
                "copy",
                "-movflags",
                "+faststart",
                "-f",
                "mp4",
                str(target),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            try:
                _, err = await asyncio.wait_for(proc.communicate(), _TIMEOUT)
            except TimeoutError:
                proc.kill()
                await proc.wait()
                raise InvalidMediaFrameException(f"{operation}: remuxing took longer than {_TIMEOUT:.0f} s.") from None
        if proc.returncode != 0 or not target.exists():
            detail = err.decode("utf-8", "replace").strip().splitlines()
            raise InvalidMediaFrameException(
                f"{operation}: the stream's media could not be remuxed ({detail[-1] if detail else 'no output'})."
            )

    async def frames(
        self, fragment: bytes, image_format: str, width: int | None, height: int | None, quality: int | None
    ) -> list[tuple[float, bytes]]:
        """Every video frame of one fragment, decoded once and encoded as JPEG or PNG (scaled when asked, keeping
        the aspect ratio when only one side is given): (seconds from the fragment's first frame, image), in order."""
        binary = self.require("GetImages")
        scale = f",scale={width or -2}:{height or -2}" if width or height else ""
        if image_format == "PNG":
            codec = ["-c:v", "png"]
        else:
            codec = ["-c:v", "mjpeg"]
            if quality:  # JPEGQuality 1-100 → ffmpeg's qscale 31 (worst) … 2 (best)
                codec += ["-q:v", str(max(2, min(31, 31 - (quality * 29) // 100)))]
        async with self._slots:
            proc = await asyncio.create_subprocess_exec(
                binary,
                "-hide_banner",
                "-nostats",
                "-loglevel",
                "info",
                "-f",
                "matroska",
                "-i",
                "pipe:0",
                "-map",
                "0:v:0",
                "-vf",
                f"showinfo{scale}",
                "-fps_mode",
                "passthrough",
                *codec,
                "-f",
                "image2pipe",
                "pipe:1",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            try:
                out, err = await asyncio.wait_for(proc.communicate(fragment), _TIMEOUT)
            except TimeoutError:
                proc.kill()
                await proc.wait()
                raise InvalidMediaFrameException(f"GetImages: decoding took longer than {_TIMEOUT:.0f} s.") from None
        times = [_pts_time(line) for line in err.decode("utf-8", "replace").splitlines() if "pts_time:" in line]
        pictures = _split_png(out) if image_format == "PNG" else _split_jpeg(out)
        if proc.returncode != 0 or not pictures or len(pictures) != len(times):
            raise InvalidMediaFrameException("GetImages: the fragment's frames could not be decoded.")
        first = times[0]
        return [(t - first, picture) for t, picture in zip(times, pictures, strict=True)]


def _pts_time(line: str) -> float:
    """The pts_time of one of ffmpeg's showinfo lines."""
    text = line.split("pts_time:", 1)[1].split(None, 1)[0]
    try:
        return float(text)
    except ValueError:
        return 0.0


def _split_jpeg(data: bytes) -> list[bytes]:
    """ffmpeg's JPEG stream → its images (each SOI … EOI; 0xFF in entropy-coded data is stuffed, so EOI is unique)."""
    pictures = []
    start = 0
    while (end := data.find(b"\xff\xd9", start)) >= 0:
        pictures.append(data[start : end + 2])
        start = end + 2
    return pictures


def _split_png(data: bytes) -> list[bytes]:
    """ffmpeg's PNG stream → its images (each ends with its IEND chunk)."""
    marker = b"IEND\xaeB`\x82"
    pictures = []
    start = 0
    while (end := data.find(marker, start)) >= 0:
        pictures.append(data[start : end + len(marker)])
        start = end + len(marker)
    return pictures


# --- fragmented MP4 --------------------------------------------------------------------------------------------


def _boxes(data: bytes, start: int = 0, end: int | None = None) -> list[tuple[bytes, int, int]]:
    """(type, offset, size) of the boxes between ``start`` and ``end`` (one level)."""
    end = len(data) if end is None else end
    found = []
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
        elif size == 0:
            size = end - pos
        if size < 8 or pos + size > end:
            raise InvalidMediaFrameException("ffmpeg wrote a malformed MP4 box.")
        found.append((kind, pos, size))
        pos += size
    return found


def _timescales(init: bytes) -> dict[int, int]:
    """track ID → media timescale, from moov/trak/(tkhd, mdia/mdhd)."""
    scales: dict[int, int] = {}
    for kind, pos, size in _boxes(init):
        if kind != b"moov":
            continue
        for trak, tpos, tsize in _boxes(init, pos + 8, pos + size):
            if trak != b"trak":
                continue
            track_id = scale = 0
            for child, cpos, csize in _boxes(init, tpos + 8, tpos + tsize):
                if child == b"tkhd":
                    version = init[cpos + 8]
                    track_id = struct.unpack(
                        ">I", init[cpos + (28 if version == 1 else 20) : cpos + (32 if version == 1 else 24)]
                    )[0]
                elif child == b"mdia":
                    for inner, ipos, _ in _boxes(init, cpos + 8, cpos + csize):
                        if inner == b"mdhd":
                            version = init[ipos + 8]
                            at = ipos + (28 if version == 1 else 20)
                            scale = struct.unpack(">I", init[at : at + 4])[0]
            if track_id and scale:
                scales[track_id] = scale
    return scales


def split_fmp4(data: bytes, decode_seconds: float) -> tuple[bytes, bytes]:
    """ffmpeg's fragmented MP4 → (init, media) with every traf's tfdt set to ``decode_seconds`` in its timescale."""
    boxes = _boxes(data)
    first_moof = next((pos for kind, pos, _ in boxes if kind == b"moof"), None)
    if first_moof is None:
        raise InvalidMediaFrameException("the fragment holds no media frames.")
    init, media = data[:first_moof], bytearray(data[first_moof:])
    scales = _timescales(init)
    base_by_track: dict[int, int] = {}
    for kind, pos, size in _boxes(bytes(media)):
        if kind != b"moof":
            continue
        for traf, tpos, tsize in _boxes(bytes(media), pos + 8, pos + size):
            if traf != b"traf":
                continue
            track_id = 0
            for child, cpos, _ in _boxes(bytes(media), tpos + 8, tpos + tsize):
                if child == b"tfhd":
                    track_id = struct.unpack(">I", media[cpos + 12 : cpos + 16])[0]
                elif child == b"tfdt":
                    version = media[cpos + 8]
                    scale = scales.get(track_id, 90000)
                    if version == 1:
                        old = struct.unpack(">Q", media[cpos + 12 : cpos + 20])[0]
                    else:
                        old = struct.unpack(">I", media[cpos + 12 : cpos + 16])[0]
                    base = base_by_track.setdefault(track_id, old)
                    value = int(round(decode_seconds * scale)) + (old - base)
                    if version == 1:
                        media[cpos + 12 : cpos + 20] = struct.pack(">Q", value)
                    else:
                        media[cpos + 12 : cpos + 16] = struct.pack(">I", value & 0xFFFFFFFF)
    return init, bytes(media)
