"""The object formats of S3 deliveries (CompressionFormat): UNCOMPRESSED, GZIP, ZIP (one entry named like the
object), Snappy (the Snappy framing format) and HADOOP_SNAPPY (Hadoop's block stream: per block the uncompressed
length, then per compressed chunk its length, 4-byte big-endian, and the raw Snappy chunk). Snappy through cramjam.
CPU work: callers run it off the event loop."""

from __future__ import annotations

import gzip
import io
import struct
import zipfile

import cramjam

EXTENSIONS = {"UNCOMPRESSED": "", "GZIP": ".gz", "ZIP": ".zip", "Snappy": ".snappy", "HADOOP_SNAPPY": ".hsnappy"}
CONTENT_ENCODING = {"GZIP": "gzip"}
_HADOOP_BLOCK = 256 * 1024  # Hadoop's default io.compression.codec.snappy.buffersize


def compress(data: bytes, fmt: str, entry: str = "data") -> bytes:
    if fmt == "GZIP":
        return gzip.compress(data, compresslevel=6, mtime=0)
    if fmt == "ZIP":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(entry, data)
        return buf.getvalue()
    if fmt == "Snappy":
        return bytes(cramjam.snappy.compress(data))
    if fmt == "HADOOP_SNAPPY":
        out = bytearray()
        for start in range(0, len(data), _HADOOP_BLOCK):
            block = data[start : start + _HADOOP_BLOCK]
            chunk = bytes(cramjam.snappy.compress_raw(block))
            out += struct.pack(">II", len(block), len(chunk)) + chunk
        return bytes(out)
    return data


def decompress(data: bytes, fmt: str) -> bytes:
    """The inverse (tests, and the Decompression processor's GZIP)."""
    if fmt == "GZIP":
        return gzip.decompress(data)
    if fmt == "ZIP":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return b"".join(archive.read(name) for name in archive.namelist())
    if fmt == "Snappy":
        return bytes(cramjam.snappy.decompress(data))
    if fmt == "HADOOP_SNAPPY":
        out, pos = bytearray(), 0
        while pos < len(data):
            total, pos = struct.unpack_from(">I", data, pos)[0], pos + 4
            got = 0
            while got < total:
                size, pos = struct.unpack_from(">I", data, pos)[0], pos + 4
                piece = bytes(cramjam.snappy.decompress_raw(data[pos : pos + size]))
                pos += size
                out += piece
                got += len(piece)
        return bytes(out)
    return data
