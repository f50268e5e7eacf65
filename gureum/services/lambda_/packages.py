"""Deployment packages: the checks AWS makes on a .zip (size, unzippable, safe paths), where a package comes from
(ZipFile, or an S3 object that code_s3.py reads), refusing an image where a .zip is expected, and
unpacking zips (a function's code, its layers) on this node's disk."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import RequestEntityTooLargeException, invalid
from .limits import MAX_UNZIPPED, MAX_ZIP


@dataclass(frozen=True, slots=True)
class S3Code:
    """A deployment package in S3 (S3Bucket, S3Key, S3ObjectVersion)."""

    bucket: str
    key: str
    version: str | None = None


def check_zip(zip_bytes: bytes, limit: int = MAX_ZIP) -> None:
    """Refuse what AWS refuses: not a zip, too large zipped (``limit``: a direct upload's; one from S3 is bounded by
    the unzipped limit only) or unzipped, paths leaving the package."""
    if len(zip_bytes) > limit:
        raise RequestEntityTooLargeException(
            f"Request must be smaller than {MAX_ZIP} bytes for the CreateFunction operation"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
            bad = [
                info.filename
                for info in archive.infolist()
                if info.filename.startswith("/") or ".." in info.filename.split("/")
            ]
    except (zipfile.BadZipFile, ValueError):
        raise invalid("Could not unzip uploaded file. Please check your file, then try to upload again.") from None
    if bad:
        raise invalid(f"Could not unzip uploaded file: unsafe path {bad[0]!r}.")
    if unzipped > MAX_UNZIPPED:
        raise invalid(f"Unzipped size must be smaller than {MAX_UNZIPPED} bytes")


def refuse_image(uri: str) -> None:
    """An ImageUri where a .zip package is expected (a function of PackageType Zip, a layer): container images are
    functions of PackageType Image (image.py)."""
    raise invalid(
        f"Source image {uri} can only be the code of a function of PackageType Image: create the function with "
        "PackageType Image, or give a .zip package (ZipFile or S3Bucket/S3Key)."
    )


def code_source(code: dict[str, Any]) -> bytes | S3Code:
    """Where a Code (CreateFunction, PublishLayerVersion's Content) or UpdateFunctionCode's members say the package
    is: the checked ZipFile, or an S3 object (read by code_s3.fetch)."""
    if code.get("ImageUri"):
        refuse_image(code["ImageUri"])
    zip_bytes = code.get("ZipFile")
    s3 = [code.get(member) for member in ("S3Bucket", "S3Key", "S3ObjectVersion")]
    if zip_bytes and any(s3):
        raise invalid("Please do not provide other FunctionCode parameters when providing a ZipFile.")
    if any(s3):
        if not s3[0] or not s3[1]:
            raise invalid("Please provide a source for function code: S3Bucket and S3Key together.")
        return S3Code(s3[0], s3[1], s3[2] or None)
    if not zip_bytes:
        raise invalid("Please provide a source for function code: ZipFile or S3Bucket/S3Key.")
    check_zip(zip_bytes)
    return bytes(zip_bytes)


def unpack(zip_bytes: bytes | list[bytes], target: Path) -> None:
    """Unzip into ``target`` atomically (a sibling temp folder renamed into place), keeping exec bits; several
    zips (layers) are unpacked in order, later ones overwriting earlier files, as AWS merges them into /opt.
    Everything is readable (and what its owner may execute, executable) by every user: environments run as users
    of their own when gureum is root (AWS refuses a package without world-read permissions; gureum grants them)."""
    if target.exists():
        if not target.stat().st_mode & 0o001:  # unpacked by a gureum that kept it to its own user
            _open_up(target)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".unpack-", dir=target.parent))
    for one in zip_bytes if isinstance(zip_bytes, list) else [zip_bytes]:
        with zipfile.ZipFile(io.BytesIO(one)) as archive:
            for info in archive.infolist():
                path = archive.extract(info, scratch)
                mode = (info.external_attr >> 16) & 0o777
                if mode and not info.is_dir():
                    os.chmod(path, mode)
    _open_up(scratch)
    try:
        scratch.rename(target)
    except OSError:  # another task unpacked the same code first
        shutil.rmtree(scratch, ignore_errors=True)


def _open_up(folder: Path) -> None:
    """Every file readable by all (executable by all when its owner may execute it), every folder 0o755 (the top
    one is made by mkdtemp: 0o700)."""
    for parent, _, files in os.walk(folder):
        os.chmod(parent, 0o755)
        for name in files:
            path = os.path.join(parent, name)
            mode = os.lstat(path).st_mode
            if not os.path.islink(path):
                os.chmod(path, (mode & 0o777) | 0o444 | (0o111 if mode & 0o100 else 0))
