"""The digests S3 keeps of a body: the MD5 its ETag is, and the flexible checksums (CRC32, CRC32C, SHA1, SHA256) a
client declares (x-amz-checksum-*, x-amz-sdk-checksum-algorithm, or a trailer). Fed chunk by chunk in a worker
thread (hashlib and crc32c release the GIL on large buffers)."""

from __future__ import annotations

import base64
import hashlib
import zlib
from collections.abc import Callable
from typing import Protocol

import crc32c as _crc32c

from .errors import InvalidRequest

ALGORITHMS = ("CRC32", "CRC32C", "SHA1", "SHA256")


class _Digest(Protocol):
    def update(self, data: bytes | memoryview) -> None: ...

    def digest(self) -> bytes: ...


class _Crc32:
    def __init__(self) -> None:
        self.value = 0

    def update(self, data: bytes | memoryview) -> None:
        self.value = zlib.crc32(data, self.value)

    def digest(self) -> bytes:
        return self.value.to_bytes(4, "big")


class _Crc32c:
    def __init__(self) -> None:
        self.value = 0

    def update(self, data: bytes | memoryview) -> None:
        self.value = _crc32c.crc32c(data, self.value)

    def digest(self) -> bytes:
        return self.value.to_bytes(4, "big")


def new_digest(algorithm: str) -> _Digest:
    if algorithm == "CRC32":
        return _Crc32()
    if algorithm == "CRC32C":
        return _Crc32c()
    if algorithm == "SHA1":
        return hashlib.sha1(usedforsecurity=False)
    if algorithm == "SHA256":
        return hashlib.sha256()
    raise InvalidRequest(
        f"Checksum algorithm {algorithm} is not supported by gureum (supported: {', '.join(ALGORITHMS)})."
    )


def check_algorithm(algorithm: str) -> str:
    algorithm = algorithm.upper()
    if algorithm not in ALGORITHMS:
        if algorithm == "CRC64NVME":
            raise InvalidRequest("gureum does not compute CRC64NVME checksums; use CRC32, CRC32C, SHA1 or SHA256.")
        raise InvalidRequest(
            "Checksum algorithm provided is unsupported. Please try again with any of the valid types: "
            "[CRC32, CRC32C, SHA1, SHA256]"
        )
    return algorithm


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


class Digests:
    """MD5 always; SHA-256 of the payload when the client signed its hash; one flexible checksum when declared."""

    def __init__(self, sha256: bool, algorithm: str | None) -> None:
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.sha256 = hashlib.sha256() if sha256 else None
        self.algorithm = algorithm
        self.checksum = new_digest(algorithm) if algorithm else None
        self.size = 0

    def update(self, data: bytes | memoryview) -> None:
        self.size += len(data)
        self.md5.update(data)
        if self.sha256 is not None:
            self.sha256.update(data)
        if self.checksum is not None:
            self.checksum.update(data)

    def updaters(self) -> list[Callable[[bytes], None]]:
        """Each digest's own update (the caller counts ``size``): run in threads of their own, side by side."""
        found = [self.md5, self.sha256, self.checksum]
        return [digest.update for digest in found if digest is not None]

    def checksum_b64(self) -> str | None:
        return b64(self.checksum.digest()) if self.checksum is not None else None


def composite(algorithm: str, part_checksums: list[str]) -> str:
    """A multipart object's COMPOSITE checksum: the checksum of the parts' raw checksums, then "-<parts>"."""
    digest = new_digest(algorithm)
    for item in part_checksums:
        digest.update(base64.b64decode(item))
    return f"{b64(digest.digest())}-{len(part_checksums)}"
