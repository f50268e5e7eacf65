"""Function URLs as values and transaction bodies: url ids, the URL configuration documents and their API's
checks, the HTTP request → payload format 2.0 event, the function's answer → HTTP response, CORS, and who may call a
URL (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html). No processes; the HTTP front is
url_front.py.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import secrets
import string
from typing import Any
from urllib.parse import parse_qsl

from ... import safejson
from ...aws.http import Request, Response
from ...store.base import Tx
from . import store, store_configs
from .aliases import is_alias
from .errors import ResourceNotFoundException, ValidationException, conflict, function_not_found
from .functions import function_arn

_ID_ALPHABET = string.ascii_lowercase + string.digits
_NOT_FOUND = "The resource you requested does not exist."
# the members CreateFunctionUrlConfig answers with; the others answer LastModifiedTime too
_CONFIG_MEMBERS = ("FunctionArn", "AuthType", "Cors", "CreationTime", "InvokeMode")
_FULL_MEMBERS = ("FunctionArn", "AuthType", "Cors", "CreationTime", "LastModifiedTime", "InvokeMode")
HOST_FORM = re.compile(r"^(?P<id>[a-z0-9]{32})\.lambda-url\.(?P<region>[a-z0-9-]+)\.", re.IGNORECASE)
# the path form needs no DNS: /lambda-url/{url-id}/… never collides with an AWS REST API (none starts with it)
PATH_PREFIX = "/lambda-url/"
_TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml", "application/ecmascript")


def new_url_id() -> str:
    """32 lower-case letters and digits, as AWS's url ids."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(32))


def function_url(url_id: str, region: str, base_url: str) -> str:
    """http://{url-id}.lambda-url.{region}.localhost:{port}/ on the port the API request came in on (``base_url``:
    that request's scheme://host)."""
    scheme, _, host = base_url.partition("://")
    port = host.rsplit(":", 1)[1] if ":" in host and not host.endswith("]") else ("443" if scheme == "https" else "80")
    default = (scheme == "http" and port == "80") or (scheme == "https" and port == "443")
    return f"{scheme}://{url_id}.lambda-url.{region}.localhost{'' if default else ':' + port}/"


def locate(request: Request) -> tuple[str, str] | None:
    """(url id, raw path the function sees) for the host form or the path form; None when neither."""
    match = HOST_FORM.match(request.host)
    if match:
        return match.group("id").lower(), request.raw_path or "/"
    if request.raw_path.startswith(PATH_PREFIX):
        rest = request.raw_path[len(PATH_PREFIX) :]
        url_id, _, path = rest.partition("/")
        if len(url_id) == 32:
            return url_id.lower(), "/" + path
    return None


def _is_text(content_type: str) -> bool:
    kind = content_type.split(";")[0].strip().lower()
    return kind.startswith(_TEXT_TYPES) or kind.endswith(("+json", "+xml"))


def build_event(
    request: Request,
    url_id: str,
    region: str,
    account: str,
    raw_path: str,
    request_id: str,
    now: float,
    authorizer: dict[str, Any] | None,
) -> dict[str, Any]:
    """The payload format 2.0 event AWS hands a function behind a URL."""
    headers = {key: value for key, value in request.headers.items() if key != "cookie"}
    host = request.host.split(":")[0] if HOST_FORM.match(request.host) else f"{url_id}.lambda-url.{region}.localhost"
    headers["host"] = host
    source_ip = request.peer
    stamp = dt.datetime.fromtimestamp(now, dt.UTC)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": request.query_string,
    }
    cookie = request.headers.get("cookie")
    if cookie:
        event["cookies"] = [part.strip() for part in re.split(r"[;,]", cookie) if part.strip()]
    event["headers"] = headers
    if request.query_string:
        params: dict[str, str] = {}
        for key, value in parse_qsl(request.query_string, keep_blank_values=True):
            params[key] = f"{params[key]},{value}" if key in params else value
        event["queryStringParameters"] = params
    context: dict[str, Any] = {
        "accountId": "anonymous" if authorizer is None else account,
        "apiId": url_id,
        "domainName": host,
        "domainPrefix": url_id,
        "http": {
            "method": request.method,
            "path": raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": source_ip,
            "userAgent": request.headers.get("user-agent", ""),
        },
        "requestId": request_id,
        "routeKey": "$default",
        "stage": "$default",
        "time": stamp.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(now * 1000),
    }
    if authorizer is not None:
        context["authorizer"] = {"iam": authorizer}
    event["requestContext"] = context
    if request.body:
        text = _is_text(request.headers.get("content-type", ""))
        if text:
            try:
                event["body"] = request.body.decode("utf-8")
            except UnicodeDecodeError:
                text = False
        if not text:
            event["body"] = base64.b64encode(request.body).decode()
        event["isBase64Encoded"] = not text
    else:
        event["isBase64Encoded"] = False
    return event


class BadResponse(Exception):
    """The function's answer cannot be turned into an HTTP response (AWS answers 502)."""


def map_response(payload: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers, body) from the function's JSON answer.

    A JSON object with statusCode is read as {statusCode, headers, cookies, body, isBase64Encoded}; any other JSON
    value is the body of a 200 application/json answer (a JSON string is sent as its text)."""
    try:
        doc = safejson.loads(payload) if payload else None
    except (ValueError, UnicodeDecodeError):
        raise BadResponse("The function's response is not JSON.") from None
    if not (isinstance(doc, dict) and "statusCode" in doc):
        body = doc if isinstance(doc, str) else ("" if doc is None else json.dumps(doc))
        return 200, [("Content-Type", "application/json")], body.encode()
    status = doc.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or not 100 <= status <= 599:
        raise BadResponse(f"Invalid statusCode {status!r}")
    headers: list[tuple[str, str]] = []
    raw_headers = doc.get("headers") or {}
    if not isinstance(raw_headers, dict):
        raise BadResponse("headers must be an object")
    for key, value in raw_headers.items():
        headers.append((str(key), str(value).lower() if isinstance(value, bool) else str(value)))
    if not any(key.lower() == "content-type" for key, _ in headers):
        headers.append(("Content-Type", "application/json"))
    for cookie in doc.get("cookies") or []:
        headers.append(("Set-Cookie", str(cookie)))
    raw_body = doc.get("body")
    if raw_body is None:
        data = b""
    elif doc.get("isBase64Encoded"):
        try:
            data = base64.b64decode(str(raw_body), validate=True)
        except ValueError:
            raise BadResponse("body is not valid base64") from None
    else:
        data = (raw_body if isinstance(raw_body, str) else json.dumps(raw_body)).encode()
    return status, headers, data


def json_response(status: int, message: str, request_id: str) -> Response:
    """An answer of the URL itself (not the function's), shaped as AWS's: {"Message": …}."""
    return Response(
        status,
        [("Content-Type", "application/json"), ("x-amzn-RequestId", request_id)],
        json.dumps({"Message": message}).encode(),
    )


# --- CORS ------------------------------------------------------------------------------------------


def _origin_allowed(cors: dict[str, Any], origin: str) -> str | None:
    """The Access-Control-Allow-Origin value for ``origin``, or None when the configuration does not allow it."""
    allowed = [o.rstrip("/") for o in cors.get("AllowOrigins") or []]
    if "*" in allowed:
        return origin if cors.get("AllowCredentials") else "*"
    for pattern in allowed:
        if pattern == origin.rstrip("/") or (
            "*" in pattern and re.fullmatch(re.escape(pattern).replace(r"\*", "[^.]+"), origin)
        ):
            return origin
    return None


def is_preflight(request: Request, cors: dict[str, Any] | None) -> bool:
    return (
        bool(cors)
        and request.method == "OPTIONS"
        and "origin" in request.headers
        and "access-control-request-method" in request.headers
    )


def preflight(request: Request, cors: dict[str, Any], request_id: str) -> Response:
    """Answer a CORS preflight from the URL's Cors configuration, without invoking the function."""
    headers = [("x-amzn-RequestId", request_id), ("Content-Length", "0")]
    origin = request.headers.get("origin", "")
    allow = _origin_allowed(cors, origin)
    method = request.headers.get("access-control-request-method", "").upper()
    methods = [m.upper() for m in cors.get("AllowMethods") or []]
    if allow is not None and ("*" in methods or method in methods):
        headers.append(("Access-Control-Allow-Origin", allow))
        headers.append(("Access-Control-Allow-Methods", ",".join(methods) if methods else method))
        asked = request.headers.get("access-control-request-headers")
        allowed_headers = [h.lower() for h in cors.get("AllowHeaders") or []]
        if allowed_headers:
            headers.append(
                (
                    "Access-Control-Allow-Headers",
                    asked if "*" in allowed_headers and asked else ",".join(allowed_headers),
                )
            )
        if cors.get("MaxAge"):
            headers.append(("Access-Control-Max-Age", str(cors["MaxAge"])))
        if cors.get("AllowCredentials"):
            headers.append(("Access-Control-Allow-Credentials", "true"))
        headers.append(("Vary", "Origin"))
    return Response(200, headers, b"")


def cors_headers(request: Request, cors: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The CORS headers added to an actual (non-preflight) answer."""
    origin = request.headers.get("origin")
    if not cors or not origin:
        return []
    allow = _origin_allowed(cors, origin)
    if allow is None:
        return []
    headers = [("Access-Control-Allow-Origin", allow), ("Vary", "Origin")]
    if cors.get("ExposeHeaders"):
        headers.append(("Access-Control-Expose-Headers", ",".join(cors["ExposeHeaders"])))
    if cors.get("AllowCredentials"):
        headers.append(("Access-Control-Allow-Credentials", "true"))
    return headers


# --- who may call ----------------------------------------------------------------------------------


def _covers(value: Any, wanted: tuple[str, ...]) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(v in wanted for v in values)


def public_access(policy: list[dict[str, Any]] | None, auth_type: str) -> bool:
    """True when a statement lets anyone call lambda:InvokeFunctionUrl (what an AuthType NONE URL needs)."""
    for statement in policy or []:
        if statement.get("Effect") != "Allow" or not _covers(
            statement.get("Action"), ("lambda:InvokeFunctionUrl", "lambda:*", "*")
        ):
            continue
        principal = statement.get("Principal")
        if principal != "*" and not (isinstance(principal, dict) and principal.get("AWS") == "*"):
            continue
        wanted = ((statement.get("Condition") or {}).get("StringEquals") or {}).get("lambda:FunctionUrlAuthType")
        if wanted is None or wanted == auth_type:
            return True
    return False


# --- the URL configuration API ---------------------------------------------------------------------


def check_qualifier(qualifier: str | None) -> str:
    """A URL belongs to the function ("") or to an alias, never to a version."""
    if qualifier is not None and not is_alias(qualifier):
        raise ValidationException(
            "1 validation error detected: Value at 'qualifier' failed to satisfy constraint: Member must satisfy "
            "regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)",
            fields={"Type": "User"},
        )
    return qualifier or ""


def iso_time(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def doc(base_url: str, url_id: str, region: str, config: dict[str, Any], full: bool = True) -> dict[str, Any]:
    """A FunctionUrlConfig (``full``: with LastModifiedTime) with its FunctionUrl."""
    out = {"FunctionUrl": function_url(url_id, region, base_url)}
    out.update(
        {key: config[key] for key in (_FULL_MEMBERS if full else _CONFIG_MEMBERS) if config.get(key) is not None}
    )
    return out


def _not_found() -> Exception:
    return ResourceNotFoundException(_NOT_FOUND, fields={"Type": "User"})


def _check_target(tx: Tx, account: str, region: str, name: str, qualifier: str) -> None:
    if store.get_function(tx, account, region, name) is None:
        raise function_not_found(function_arn(region, account, name, qualifier or None))
    if qualifier and store.get_alias(tx, account, region, name, qualifier) is None:
        raise function_not_found(function_arn(region, account, name, qualifier))


def new_config(
    arn: str, auth_type: str, cors: dict[str, Any] | None, invoke_mode: str | None, now: float
) -> dict[str, Any]:
    stamp = iso_time(now)
    return {"FunctionArn": arn, "AuthType": auth_type, "Cors": cors, "InvokeMode": invoke_mode or "BUFFERED",
            "CreationTime": stamp, "LastModifiedTime": stamp}  # fmt: skip


def create(tx: Tx, account: str, region: str, name: str, qualifier: str, url_id: str, config: dict[str, Any]) -> None:
    _check_target(tx, account, region, name, qualifier)
    if store_configs.get_url(tx, account, region, name, qualifier) is not None:
        raise conflict(
            f"Failed to create function url config for [functionArn = {config['FunctionArn']}]. Error message:  "
            "FunctionUrlConfig exists for this Lambda function"
        )
    store_configs.insert_url(tx, account, region, name, qualifier, url_id, config)


def get(tx: Tx, account: str, region: str, name: str, qualifier: str) -> tuple[str, dict[str, Any]]:
    """(url id, config) of the URL of a function or alias."""
    _check_target(tx, account, region, name, qualifier)
    found = store_configs.get_url(tx, account, region, name, qualifier)
    if found is None:
        raise _not_found()
    return found


def update(
    tx: Tx, account: str, region: str, name: str, qualifier: str, changes: dict[str, Any], now: float
) -> tuple[str, dict[str, Any]]:
    """Apply ``changes`` (AuthType, Cors, InvokeMode: those not None); (url id, config)."""
    url_id, config = get(tx, account, region, name, qualifier)
    config.update({member: value for member, value in changes.items() if value is not None})
    config["LastModifiedTime"] = iso_time(now)
    store_configs.update_url(tx, url_id, config)
    return url_id, config


def delete(tx: Tx, account: str, region: str, name: str, qualifier: str) -> None:
    get(tx, account, region, name, qualifier)
    store_configs.delete_urls(tx, account, region, name, qualifier)


def listing(tx: Tx, account: str, region: str, name: str) -> list[tuple[str, dict[str, Any]]]:
    """(url id, config) of every URL of a function and its aliases."""
    _check_target(tx, account, region, name, "")
    return store_configs.list_urls(tx, account, region, name)
