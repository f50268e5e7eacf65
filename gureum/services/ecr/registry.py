"""The registry: the OCI Distribution API (/v2/…) that `podman push`, `docker pull` and `skopeo copy` speak, served
on gureum's port (account and region from the ECR token) and on <account>.dkr.ecr.<region>.localhost hosts.

Basic auth with GetAuthorizationToken's credentials ("AWS", token); a GetDownloadUrlForLayer URL's signature
stands in for them on that one blob. Blob bodies stream in (monolithic POST/PUT, chunked PATCH) and out (GET, with
Range) without being held whole; errors are the Distribution API's JSON ({"errors": [{code, message, detail}]}).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from ...aws.errors import ServiceError
from ...aws.http import Request, Response
from ...policy import Principal
from ...runtime import Runtime
from . import manifests
from .backend import EcrBackend, TagInvalid

API_HEADER = ("Docker-Distribution-API-Version", "registry/2.0")
_CATALOG_MAX = 1000
_TAGS_MAX = 1000


class RegistryError(Exception):
    """An answer in the Distribution API's error form."""

    def __init__(self, status: int, code: str, message: str, detail: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.detail = status, code, message, detail


def _error(
    status: int, code: str, message: str, detail: Any = None, headers: list[tuple[str, str]] | None = None
) -> Response:
    body = json.dumps({"errors": [{"code": code, "message": message, "detail": detail}]}).encode()
    return Response(status, [("Content-Type", "application/json"), API_HEADER, *(headers or [])], body)


def is_registry_path(request: Request) -> bool:
    """A Distribution API request on gureum's own host (not an AWS REST call under /v2/, such as API Gateway v2's or
    SES v2's, S3's on a bucket named v2): /v2/ itself, /v2/_catalog, or a path naming manifests, blobs or tags/list —
    and not SigV4-signed."""
    if request.headers.get("authorization", "").startswith("AWS4-") or "X-Amz-Signature=" in request.query_string:
        return False  # SigV4 in the header or the query (a presigned URL): an AWS call
    path = request.raw_path
    if path in ("/v2", "/v2/", "/v2/_catalog"):
        return True
    return "/manifests/" in path or "/blobs/" in path or path.endswith("/tags/list")


def _host_scope(request: Request) -> tuple[str, str] | None:
    """(account, region) of a <account>.dkr.ecr.<region>.localhost[:port] host; None for any other host."""
    host = request.host.split(":")[0].lower()
    parts = host.split(".")
    if len(parts) >= 5 and parts[1:3] == ["dkr", "ecr"]:
        return parts[0], parts[3]
    return None


def _unauthorized(request: Request, message: str = "authentication required") -> Response:
    realm = f'Basic realm="{request.scheme}://{request.host}/",service="ecr.amazonaws.com"'
    return _error(401, "UNAUTHORIZED", message, None, [("WWW-Authenticate", realm)])


async def handle(runtime: Runtime, request: Request) -> Response:
    be = runtime.state(EcrBackend)
    path = request.raw_path
    scope = _host_scope(request)
    route = _route(path[len("/v2") :])
    grant = be.grant(request.headers.get("authorization", ""))
    if grant is None:
        signed = _signed(be, request, route, scope)
        if signed is None:
            await _drain(request)
            return _unauthorized(request)
        account, region = signed
    else:
        if scope is not None and scope[0] != grant.account:  # another account's registry: its repository's policy
            principal = Principal(grant.account, f"arn:aws:iam::{grant.account}:root")
            action = _action(route[0], request.method)
            allowed = route[0] == "base" or (
                action is not None and await be.allowed(scope[0], scope[1], route[1], principal, action)
            )
            if not allowed:
                await _drain(request)
                return _error(403, "DENIED", f"Your authorization token is not valid for registry {scope[0]}")
        account, region = scope if scope is not None else (grant.account, grant.region)
    try:
        return await _serve(be, request, route, account, region)
    except RegistryError as exc:
        await _drain(request)
        return _error(exc.status, exc.code, exc.message, exc.detail)
    except ServiceError as exc:
        await _drain(request)
        return _service_error(exc)


def _action(kind: str, method: str) -> str | None:
    """The ECR action a registry request amounts to, as a repository policy names it."""
    reading = method in ("GET", "HEAD")
    if kind == "manifest":
        return "BatchGetImage" if reading else "PutImage" if method == "PUT" else "BatchDeleteImage"
    if kind == "blob":
        return "BatchCheckLayerAvailability" if method == "HEAD" else "GetDownloadUrlForLayer" if reading else None
    if kind == "uploads":
        return "InitiateLayerUpload"
    if kind == "upload":
        return "CompleteLayerUpload" if method == "PUT" else "UploadLayerPart"
    if kind == "tags":
        return "ListImages"
    return None


def _signed(be: EcrBackend, request: Request, route: tuple[str, str, str], scope: Any) -> tuple[str, str] | None:
    """A GetDownloadUrlForLayer URL: (account, region) when its signature holds for this blob."""
    kind, name, rest = route
    query = request.query
    if kind != "blob" or request.method not in ("GET", "HEAD") or "X-Gureum-Signature" not in query:
        return None
    account, region = query.get("X-Gureum-Account", ""), query.get("X-Gureum-Region", "")
    if be.layer_url_valid(account, region, name, rest, query.get("X-Gureum-Expires", ""), query["X-Gureum-Signature"]):
        return account, region
    return None


def _route(path: str) -> tuple[str, str, str]:
    """(kind, repository name, rest) of a path below /v2: kinds base, catalog, tags, manifest, blob, uploads, upload."""
    if path in ("", "/"):
        return "base", "", ""
    if path == "/_catalog":
        return "catalog", "", ""
    body = path[1:]
    if body.endswith("/tags/list"):
        return "tags", body[: -len("/tags/list")], ""
    for marker, kind in (("/blobs/uploads/", "upload"), ("/manifests/", "manifest"), ("/blobs/", "blob")):
        index = body.rfind(marker)
        if index > 0:
            rest = body[index + len(marker) :]
            if kind == "upload" and not rest:
                return "uploads", body[:index], ""
            return kind, body[:index], rest
    if body.endswith("/blobs/uploads"):
        return "uploads", body[: -len("/blobs/uploads")], ""
    return "unknown", "", ""


async def _serve(be: EcrBackend, request: Request, route: tuple[str, str, str], account: str, region: str) -> Response:
    kind, name, rest = route
    method = request.method
    if kind == "base":
        return Response(200, [("Content-Type", "application/json"), API_HEADER], b"{}")
    if kind == "catalog":
        return await _catalog(be, request, account, region)
    if kind == "unknown":
        raise RegistryError(404, "NAME_UNKNOWN", "repository name not known to registry")
    if await be.repository(account, region, name) is None:
        raise RegistryError(
            404,
            "NAME_UNKNOWN",
            f"The repository with name '{name}' does not exist in the registry with id '{account}'",
            {"Name": name},
        )
    if kind == "tags" and method == "GET":
        return await _tags(be, request, account, region, name)
    if kind == "manifest":
        if method in ("GET", "HEAD"):
            return await _get_manifest(be, request, account, region, name, rest)
        if method == "PUT":
            return await _put_manifest(be, request, account, region, name, rest)
        if method == "DELETE":
            return await _delete_manifest(be, account, region, name, rest)
    if kind == "blob":
        if method in ("GET", "HEAD"):
            return await _get_blob(be, request, account, region, name, rest)
        if method == "DELETE":
            raise RegistryError(405, "UNSUPPORTED", "blob deletion is not supported: delete images instead")
    if kind == "uploads" and method == "POST":
        return await _start_upload(be, request, account, region, name)
    if kind == "upload":
        return await _upload(be, request, account, region, name, rest)
    raise RegistryError(405, "UNSUPPORTED", f"{method} is not supported here")


# --- catalog and tags ---------------------------------------------------------------------------------------------


def _page(request: Request, most: int) -> tuple[int, str]:
    text = request.query.get("n", "")
    limit = int(text) if text.isdigit() else most
    if limit > most:
        raise RegistryError(400, "PAGINATION_NUMBER_INVALID", f"n must be at most {most}", {"n": limit})
    return limit, request.query.get("last", "")


def _link(request: Request, names: list[str], limit: int) -> list[tuple[str, str]]:
    if len(names) < limit or not names:
        return []
    return [("Link", f'<{request.raw_path}?n={limit}&last={quote(names[-1], safe="")}>; rel="next"')]


async def _catalog(be: EcrBackend, request: Request, account: str, region: str) -> Response:
    limit, last = _page(request, _CATALOG_MAX)
    names = await be.catalog(account, region, last, limit) if limit else []
    body = json.dumps({"repositories": names}).encode()
    return Response(200, [("Content-Type", "application/json"), API_HEADER, *_link(request, names, limit)], body)


async def _tags(be: EcrBackend, request: Request, account: str, region: str, name: str) -> Response:
    limit, last = _page(request, _TAGS_MAX)
    tags = await be.tag_list(account, region, name, last, limit) if limit else []
    body = json.dumps({"name": name, "tags": tags}).encode()
    return Response(200, [("Content-Type", "application/json"), API_HEADER, *_link(request, tags, limit)], body)


# --- manifests ----------------------------------------------------------------------------------------------------


async def _get_manifest(
    be: EcrBackend, request: Request, account: str, region: str, name: str, reference: str
) -> Response:
    if reference.startswith("sha256:") and not manifests.valid_digest(reference):
        raise RegistryError(
            400, "DIGEST_INVALID", "provided digest did not match uploaded content", {"digest": reference}
        )
    found = await be.get_manifest(account, region, name, reference)
    if found is None:
        raise RegistryError(
            404,
            "MANIFEST_UNKNOWN",
            "Requested image not found",
            {"Name": name, "Reference": reference},
        )
    text, media_type, digest = found
    data = text.encode("utf-8")
    headers = [("Content-Type", media_type), ("Docker-Content-Digest", digest), ("ETag", f'"{digest}"'), API_HEADER]
    if request.method == "HEAD":
        return Response(200, [*headers, ("Content-Length", str(len(data)))], b"")
    await be.pulled(account, region, name, digest)
    return Response(200, headers, data)


async def _put_manifest(
    be: EcrBackend, request: Request, account: str, region: str, name: str, reference: str
) -> Response:
    if not await request.load(manifests.MAX_MANIFEST):
        raise RegistryError(400, "MANIFEST_INVALID", "manifest is larger than 4 MiB")
    if reference.startswith("sha256:") and not manifests.valid_digest(reference):
        raise RegistryError(400, "DIGEST_INVALID", "provided digest is invalid", {"digest": reference})
    try:
        digest = await be.push_manifest(account, region, name, reference, request.body, request.content_type)
    except manifests.InvalidManifest as exc:
        raise RegistryError(400, "MANIFEST_INVALID", "manifest invalid", str(exc)) from None
    except TagInvalid as exc:
        raise RegistryError(400, "TAG_INVALID", str(exc), {"Tag": reference}) from None
    except ServiceError as exc:
        if exc.code == "LayersNotFoundException":
            raise RegistryError(400, "MANIFEST_BLOB_UNKNOWN", exc.message, None) from None
        if exc.code == "ReferencedImagesNotFoundException":
            raise RegistryError(400, "MANIFEST_BLOB_UNKNOWN", exc.message, None) from None
        raise
    location = f"/v2/{name}/manifests/{digest}"
    return Response(201, [("Location", location), ("Docker-Content-Digest", digest), API_HEADER])


async def _delete_manifest(be: EcrBackend, account: str, region: str, name: str, reference: str) -> Response:
    if not manifests.valid_digest(reference):
        raise RegistryError(400, "DIGEST_INVALID", "manifests are deleted by digest", {"digest": reference})
    if not await be.delete_manifest(account, region, name, reference):
        raise RegistryError(404, "MANIFEST_UNKNOWN", "manifest unknown", {"Name": name, "Reference": reference})
    return Response(202, [API_HEADER])


# --- blobs --------------------------------------------------------------------------------------------------------


async def _get_blob(be: EcrBackend, request: Request, account: str, region: str, name: str, digest: str) -> Response:
    if not manifests.valid_digest(digest):
        raise RegistryError(400, "DIGEST_INVALID", "invalid digest", {"digest": digest})
    size = await be.blob_size(account, region, name, digest)
    if size is None:
        raise RegistryError(404, "BLOB_UNKNOWN", "blob unknown to registry", {"digest": digest})
    headers = [
        ("Content-Type", "application/octet-stream"),
        ("Docker-Content-Digest", digest),
        ("Accept-Ranges", "bytes"),
        ("ETag", f'"{digest}"'),
        API_HEADER,
    ]
    start, end, status = 0, size - 1, 200
    wanted = request.headers.get("range", "")
    if wanted.startswith("bytes=") and size:
        first, _, last = wanted[len("bytes=") :].partition("-")
        if not (first.isdigit() and (last.isdigit() or last == "")) or int(first) >= size:
            return _error(416, "RANGE_INVALID", "invalid range", None, [("Content-Range", f"bytes */{size}")])
        start, end, status = int(first), min(int(last) if last else size - 1, size - 1), 206
        headers.append(("Content-Range", f"bytes {start}-{end}/{size}"))
    if request.method == "HEAD":
        return Response(status, [*headers, ("Content-Length", str(end - start + 1))], b"")
    if size == 0:
        return Response(status, headers, b"")
    return Response(status, headers, stream=be.blob_stream(digest, start, end))


async def _body(request: Request) -> AsyncIterator[bytes]:
    """The request's body as it arrives (or the body already read)."""
    if request.stream is not None:
        async for chunk in request.stream:
            yield chunk
    elif request.body:
        yield request.body


async def _drain(request: Request) -> None:
    """An answer that does not read the body: the rest of a streamed one is dropped as it arrives."""
    if request.stream is not None and not request.stream.complete:
        request.stream.discard()


def _upload_headers(name: str, upload_id: str, size: int) -> list[tuple[str, str]]:
    return [
        ("Location", f"/v2/{name}/blobs/uploads/{upload_id}"),
        ("Range", f"0-{max(0, size - 1)}"),
        ("Docker-Upload-UUID", upload_id),
        API_HEADER,
    ]


async def _start_upload(be: EcrBackend, request: Request, account: str, region: str, name: str) -> Response:
    query = request.query
    mount, source = query.get("mount"), query.get("from")
    if mount and source and manifests.valid_digest(mount):
        if await be.mount(account, region, name, mount, source):
            await _drain(request)
            headers = [("Location", f"/v2/{name}/blobs/{mount}"), ("Docker-Content-Digest", mount), API_HEADER]
            return Response(201, headers)
    upload_id = await be.start_upload(account, region, name)
    digest = query.get("digest")
    if digest is None:
        await _drain(request)
        return Response(202, _upload_headers(name, upload_id, 0))
    return await _finish(be, request, account, region, name, upload_id, digest)  # a monolithic upload


async def _upload(be: EcrBackend, request: Request, account: str, region: str, name: str, upload_id: str) -> Response:
    method = request.method
    try:
        size = await be.upload_offset(account, region, name, upload_id)
    except ServiceError:
        raise RegistryError(
            404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry", {"uuid": upload_id}
        ) from None
    if method == "GET":
        return Response(204, _upload_headers(name, upload_id, size))
    if method == "DELETE":
        await be.abandon_upload(upload_id)
        return Response(204, [API_HEADER])
    if method == "PATCH":
        content_range = request.headers.get("content-range", "")
        if content_range:
            first = content_range.removeprefix("bytes ").removeprefix("bytes=").split("-")[0]
            if not first.isdigit() or int(first) != size:
                return _error(
                    416,
                    "RANGE_INVALID",
                    "the chunk does not continue the upload",
                    None,
                    [("Range", f"0-{max(0, size - 1)}"), ("Location", f"/v2/{name}/blobs/uploads/{upload_id}")],
                )
        total = await be.append_upload(account, region, name, upload_id, _body(request))
        return Response(202, _upload_headers(name, upload_id, total))
    if method == "PUT":
        digest = request.query.get("digest")
        if digest is None:
            raise RegistryError(400, "DIGEST_INVALID", "the upload's digest is missing (?digest=)")
        return await _finish(be, request, account, region, name, upload_id, digest)
    raise RegistryError(405, "UNSUPPORTED", f"{method} is not supported on an upload")


async def _finish(
    be: EcrBackend, request: Request, account: str, region: str, name: str, upload_id: str, digest: str
) -> Response:
    if not manifests.valid_digest(digest):
        await _drain(request)
        await be.abandon_upload(upload_id)
        raise RegistryError(400, "DIGEST_INVALID", "invalid digest", {"digest": digest})
    if request.stream is not None or request.body:
        await be.append_upload(account, region, name, upload_id, _body(request))
    try:
        await be.finish_upload(account, region, name, upload_id, digest)
    except ValueError as exc:
        raise RegistryError(400, "DIGEST_INVALID", "provided digest did not match uploaded content", str(exc)) from None
    headers = [("Location", f"/v2/{name}/blobs/{digest}"), ("Docker-Content-Digest", digest), API_HEADER]
    return Response(201, headers)


def _service_error(exc: ServiceError) -> Response:
    if exc.code == "RepositoryNotFoundException":
        return _error(404, "NAME_UNKNOWN", exc.message)
    if exc.code == "UploadNotFoundException":
        return _error(404, "BLOB_UPLOAD_UNKNOWN", exc.message)
    return _error(exc.status if exc.status >= 400 else 500, "UNKNOWN", exc.message)
