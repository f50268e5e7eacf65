"""Kinesis Video test helpers: ffmpeg (Debian's, installed with apt when missing and root, as tests/containers.py
installs podman) making small test-pattern H.264 MKVs as a camera producer sends them (one cluster per key frame), a
PutMedia client (botocore's SigV4 signature, a chunked upload over a raw socket while the acks are read), and ffprobe
checks."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from ... import debian

REGION = "us-east-1"


class FfmpegUnavailable(RuntimeError):
    pass


def _has_ffmpeg() -> bool:
    return bool(shutil.which("ffmpeg") and shutil.which("ffprobe"))


def ensure_ffmpeg() -> None:
    """Debian's ffmpeg (ffmpeg and ffprobe) on PATH, installed with apt when missing and we are root."""
    if debian.ensure(
        lambda: bool(shutil.which("ffmpeg") and shutil.which("ffprobe")), ["ffmpeg"], "the Kinesis Video tests"
    ):
        return
    raise FfmpegUnavailable("the Kinesis Video tests need ffmpeg (Debian: apt-get install ffmpeg); run them as root")


def make_mkv(path: Path, seconds: int = 4, fps: int = 10, size: str = "160x120", pattern: str = "testsrc") -> bytes:
    """A test-pattern H.264 MKV as a KVS producer sends it: an unknown-size Segment, one cluster per second, each
    starting with a key frame, timecodes from 0 (RELATIVE)."""
    subprocess.run(
        [
            "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"{pattern}=size={size}:rate={fps}",
            "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
            "-g", str(fps), "-keyint_min", str(fps), "-sc_threshold", "0", "-pix_fmt", "yuv420p",
            "-dash", "1", "-live", "1", "-cluster_time_limit", "100000", "-f", "matroska", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


def ffprobe(data: bytes, fmt: str | None = None, count: bool = True) -> dict[str, Any]:
    """ffprobe's JSON view of ``data`` (streams, format; frame counts when ``count``); fails the test if it errs."""
    args = ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format"]
    if count:
        args.append("-count_frames")
    if fmt:
        args += ["-f", fmt]
    done = subprocess.run([*args, "-i", "pipe:0"], input=data, capture_output=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return json.loads(done.stdout)


def frames(info: dict[str, Any]) -> int:
    return sum(int(s.get("nb_read_frames") or 0) for s in info["streams"] if s["codec_type"] == "video")


@dataclass
class Upload:
    status: int
    headers: dict[str, str]
    acks: list[dict[str, Any]] = field(default_factory=list)
    body: bytes = b""


def _signed_headers(endpoint: str, headers: dict[str, str], region: str = REGION) -> dict[str, str]:
    """botocore's SigV4 signature of a PutMedia request (service kinesisvideo, payload unsigned)."""
    request = AWSRequest(
        method="POST", url=f"{endpoint}/putMedia", headers={**headers, "x-amz-content-sha256": "UNSIGNED-PAYLOAD"}
    )
    SigV4Auth(Credentials("test", "test"), "kinesisvideo", region).add_auth(request)
    return dict(request.headers.items())


def put_media(
    endpoint: str,
    chunks: Iterable[bytes],
    *,
    stream_name: str | None = None,
    stream_arn: str | None = None,
    timecode_type: str = "RELATIVE",
    start: float | None = None,
    pace: float = 0.0,
    timeout: float = 60.0,
) -> Upload:
    """A PutMedia upload: the chunks go out chunked (``pace`` seconds apart) from a thread while the response's acks
    are read as they come; returns when the server ends the response."""
    url = urlparse(endpoint)
    headers = {"x-amzn-fragment-timecode-type": timecode_type, "Transfer-Encoding": "chunked"}
    if stream_name:
        headers["x-amzn-stream-name"] = stream_name
    if stream_arn:
        headers["x-amzn-stream-arn"] = stream_arn
    headers["x-amzn-producer-start-timestamp"] = f"{time.time() if start is None else start:.3f}"
    signed = _signed_headers(endpoint, headers)
    sock = socket.create_connection((url.hostname, url.port), timeout=timeout)
    head = "POST /putMedia HTTP/1.1\r\n" + f"Host: {url.netloc}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in signed.items() if k.lower() != "host") + "\r\n"
    sock.sendall(head.encode())

    def send() -> None:
        try:
            for chunk in chunks:
                if chunk:
                    sock.sendall(b"%x\r\n%b\r\n" % (len(chunk), chunk))
                if pace:
                    time.sleep(pace)
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server ended the upload (an ERROR ack)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    reader = sock.makefile("rb")
    status_line = reader.readline().decode()
    status = int(status_line.split()[1])
    response_headers: dict[str, str] = {}
    while (line := reader.readline().decode().strip()) != "":
        key, _, value = line.partition(":")
        response_headers[key.strip().lower()] = value.strip()
    body = bytearray()
    try:
        if response_headers.get("transfer-encoding") == "chunked":
            while True:
                size = int(reader.readline().strip(), 16)
                if size == 0:
                    reader.readline()
                    break
                body += reader.read(size)
                reader.readline()
        else:
            body += reader.read(int(response_headers.get("content-length", "0")))
    except (OSError, ValueError):
        pass  # the server went away mid-answer (killed): what arrived is the answer
    sender.join(timeout)
    sock.close()
    upload = Upload(status, response_headers, body=bytes(body))
    if status == 200:
        lines = bytes(body).split(b"\n")
        upload.acks = [json.loads(line) for line in lines[:-1] if line.strip()]  # whole lines only
    return upload


def split(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def persisted(upload: Upload) -> list[dict[str, Any]]:
    return [a for a in upload.acks if a["EventType"] == "PERSISTED"]


def _vint(data: bytes, pos: int, marker: bool) -> tuple[int, int]:
    length = 9 - data[pos].bit_length()
    value = int.from_bytes(data[pos : pos + length], "big")
    return (value if marker else value & ((1 << (7 * length)) - 1)), length


def clusters(data: bytes) -> list[tuple[int, int, int]]:
    """(offset, header length, payload size) of each top-level Cluster of a test MKV (its Segment of unknown size)."""
    found = []
    pos = 0
    while pos < len(data):
        ident, id_len = _vint(data, pos, True)
        size, size_len = _vint(data, pos + id_len, False)
        if ident == 0x18538067:  # Segment: descend
            pos += id_len + size_len
            continue
        if ident == 0x1F43B675:
            found.append((pos, id_len + size_len, size))
        pos += id_len + size_len + size
    return found


def children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    """(id, offset, total length) of the elements between ``start`` and ``end``."""
    found = []
    pos = start
    while pos < end:
        ident, id_len = _vint(data, pos, True)
        size, size_len = _vint(data, pos + id_len, False)
        found.append((ident, pos, id_len + size_len + size))
        pos += id_len + size_len + size
    return found
