"""Non-AWS routes under /_gureum/lambda/: the deployment package GetFunction's Code.Location points at."""

from __future__ import annotations

from ...aws.http import Request, Response
from ...runtime import Runtime
from .backend import backend


async def get_code(runtime: Runtime, request: Request) -> Response:
    account, sha = request.query.get("account", ""), request.query.get("sha", "")
    zip_bytes = await backend(runtime).code_zip(account, sha)
    if zip_bytes is None:
        return Response(404, [("Content-Type", "text/plain")], b"No such deployment package.")
    return Response(200, [("Content-Type", "application/zip")], zip_bytes)


ROUTES = {("GET", "/_gureum/lambda/code"): get_code}
