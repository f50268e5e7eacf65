"""On a tuned server (strict SigV4, retention hours of 0.5 s, a sweep every 0.2 s): PutMedia's signature is verified;
kill -9 during an upload loses no fragment that was acknowledged PERSISTED (its file and index row survive, GetMedia
serves it after the restart); fragments past the stream's retention are swept (index rows and files)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

from ...conftest import StoreFactory, make_client
from ...server import Server
from ._helpers import Upload, ffprobe, frames, persisted, put_media, split
from .conftest import create


def test_signature_is_checked(tuned: Server, sample_mkv: bytes, name: str) -> None:
    kvs = make_client(tuned.endpoint, "kinesisvideo")
    create(kvs, name)
    assert len(persisted(put_media(tuned.endpoint, [sample_mkv], stream_name=name))) == 4
    sock = socket.create_connection(("127.0.0.1", tuned.port), timeout=10)
    sock.sendall(
        b"POST /putMedia HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        + f"x-amzn-stream-name: {name}\r\nx-amzn-fragment-timecode-type: ABSOLUTE\r\n\r\n0\r\n\r\n".encode()
    )
    answer = sock.recv(65536).decode()
    sock.close()
    assert answer.startswith("HTTP/1.1 403") and "MissingAuthenticationTokenException" in answer


def test_kill_during_upload_keeps_persisted_fragments(
    store: StoreFactory, sample_mkv: bytes, tmp_path: Path, name: str
) -> None:
    place = store()
    server = Server(**place).start()
    kvs = make_client(server.endpoint, "kinesisvideo")
    create(kvs, name, retention=24)
    result: list[Upload] = []
    # sent slowly (2 KiB every 20 ms) so that the kill comes mid-upload
    chunks = split(sample_mkv, 2048)
    uploader = threading.Thread(
        target=lambda: result.append(put_media(server.endpoint, chunks, stream_name=name, pace=0.02, timeout=30)),
        daemon=True,
    )
    uploader.start()
    deadline = time.monotonic() + 30
    archived = make_client(server.endpoint, "kinesis-video-archived-media")
    while time.monotonic() < deadline and len(archived.list_fragments(StreamName=name)["Fragments"]) < 2:
        time.sleep(0.05)
    server.kill()
    uploader.join(30)
    acked = [a["FragmentNumber"] for a in persisted(result[0])] if result else []
    assert acked, "no fragment was acknowledged PERSISTED before the kill"

    again = Server(**place).start()
    try:
        archived = make_client(again.endpoint, "kinesis-video-archived-media")
        listed = [f["FragmentNumber"] for f in archived.list_fragments(StreamName=name)["Fragments"]]
        assert set(acked) <= set(listed)
        data = archived.get_media_for_fragment_list(StreamName=name, Fragments=listed)["Payload"].read()
        assert frames(ffprobe(data, "matroska")) == 10 * len(listed)
    finally:
        again.stop()


def test_retention_sweeps_old_fragments(tuned: Server, sample_mkv: bytes, name: str) -> None:
    kvs = make_client(tuned.endpoint, "kinesisvideo")
    create(kvs, name, retention=2)  # two tuned hours: one second
    assert len(persisted(put_media(tuned.endpoint, [sample_mkv], stream_name=name))) == 4
    archived = make_client(tuned.endpoint, "kinesis-video-archived-media")
    assert len(archived.list_fragments(StreamName=name)["Fragments"]) == 4
    files = list(Path(tuned.data_dir or "/nonexistent", "kinesisvideo").glob("*/*.mkv"))
    assert len(files) >= 4
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and archived.list_fragments(StreamName=name)["Fragments"]:
        time.sleep(0.2)
    assert archived.list_fragments(StreamName=name)["Fragments"] == []
    assert not [f for f in files if f.exists()]
