"""The job role's credentials as a job's container asks for them (AWS_CONTAINER_CREDENTIALS_FULL_URI =
<gureum>/_batch/credentials/<job id>, with AWS_CONTAINER_AUTHORIZATION_TOKEN in the Authorization header), so SDKs
in a job call gureum as its jobRoleArn with no configuration. Served as an edge route ("/_batch/…": no S3 bucket
name starts with "_")."""

from __future__ import annotations

import datetime as dt
import hmac
import json
import urllib.parse
from typing import Any

from ...aws.authorize import role_credentials
from ...aws.http import Request, Response
from ...runtime import Runtime
from . import store
from .jobs import PRIVATE


def _json(doc: Any, status: int = 200) -> Response:
    return Response(status, [("Content-Type", "application/json")], json.dumps(doc).encode())


async def handle(runtime: Runtime, request: Request) -> Response:
    parts = request.path.strip("/").split("/")  # ["_batch", "credentials", job id]
    if len(parts) != 3 or parts[1] != "credentials" or request.method != "GET":
        return _json({"message": "not found"}, 404)
    job_id = urllib.parse.unquote(parts[2])
    doc = await runtime.store.read(lambda tx: store.job(tx, job_id))
    token = request.headers.get("authorization", "").strip()
    secret = (doc or {}).get(PRIVATE, {}).get("secret", "")
    role = (doc or {}).get("container", {}).get("jobRoleArn")
    if doc is None or not role or not secret or not hmac.compare_digest(token, secret):
        return _json({"code": "NotFound", "message": "no credentials for this job"}, 404)
    issued = role_credentials(runtime, role, f"batch-job-{job_id.replace(':', '-')}"[:64])
    expires = dt.datetime.fromtimestamp(issued.expires, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return _json(
        {
            "AccessKeyId": issued.access_key,
            "SecretAccessKey": issued.secret,
            "Token": issued.token,
            "Expiration": expires,
            "RoleArn": role,
        }
    )
