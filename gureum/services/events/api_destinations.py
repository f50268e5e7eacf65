"""The "events-http" delivery kind: invoke an API destination over HTTP with its connection's authorization.

Address: the API destination ARN; payload: {"body", "path": [...], "headers": {...}, "query": {...}} from the
rule target's HttpParameters. The request carries the connection's InvocationHttpParameters and its
authorization (an API key header, HTTP Basic, or an OAuth client-credentials bearer token fetched from the
AuthorizationEndpoint and cached until it expires). InvocationRateLimitPerSecond is kept per node: calls over
the rate wait for their slot, or are retried later when the wait would not fit the call's time. Retries follow
eb-api-destinations.html: 401, 407, 409, 429 and 5xx are retried; other answers are final.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ...delivery import DeliveryError, Target
from . import limits, store_connections
from .names import parse_arn
from .routing import HTTP_KIND
from .store_connections import ApiDestination, Connection

if TYPE_CHECKING:
    import httpx

    from ...runtime import Runtime

_RETRYABLE = {401, 407, 409, 429}
_RATE_WAIT_BUDGET = 20.0  # seconds a call may wait for its rate slot before it is retried later instead
_slots: dict[str, float] = {}  # API destination ARN → monotonic time of its next free slot
_tokens: dict[str, tuple[str, float]] = {}  # connection ARN → (OAuth access token, monotonic expiry)
_client: httpx.AsyncClient | None = None


def _http() -> httpx.AsyncClient:
    import httpx  # imported on first use: it costs start-up time

    global _client
    if _client is None:
        _client = httpx.AsyncClient(timeout=limits.HTTP_TIMEOUT, follow_redirects=False)
    return _client


async def close() -> None:
    global _client
    if _client is not None:
        await _client.aclose()
        _client = None


async def _wait_for_slot(runtime: Runtime, arn: str, rate: int) -> None:
    now = runtime.clock.monotonic()
    slot = max(_slots.get(arn, now), now)
    wait = slot - now
    if wait > _RATE_WAIT_BUDGET:
        raise DeliveryError(
            "The API destination's InvocationRateLimitPerSecond was reached.", code="ThrottlingException"
        )
    _slots[arn] = slot + 1.0 / max(1, rate)
    if wait > 0:
        await asyncio.sleep(wait)


def _params(http: dict[str, Any], member: str) -> dict[str, str]:
    return {item["Key"]: item.get("Value", "") for item in http.get(member) or []}


async def _oauth_token(runtime: Runtime, connection: Connection) -> str:
    import httpx  # imported on first use: it costs start-up time

    cached = _tokens.get(connection.arn)
    if cached is not None and cached[1] > runtime.clock.monotonic():
        return cached[0]
    oauth = connection.auth["OAuthParameters"]
    client = oauth.get("ClientParameters", {})
    extra = oauth.get("OAuthHttpParameters") or {}
    credentials = base64.b64encode(f"{client.get('ClientID', '')}:{client.get('ClientSecret', '')}".encode()).decode()
    headers = {"Authorization": f"Basic {credentials}", **_params(extra, "HeaderParameters")}
    body = _params(extra, "BodyParameters")
    try:
        answer = await _http().request(oauth.get("HttpMethod", "POST"), oauth["AuthorizationEndpoint"], headers=headers,
                                       params=_params(extra, "QueryStringParameters"), data=body or None)  # fmt: skip
        document = answer.json() if answer.is_success else {}
    except (httpx.HTTPError, ValueError) as error:
        raise DeliveryError(f"OAuth token request failed: {error}", code="OAuthTokenFailure") from error
    token = document.get("access_token") if isinstance(document, dict) else None
    if not token:
        raise DeliveryError(
            f"OAuth token request answered {answer.status_code} without an access_token.", code="OAuthTokenFailure"
        )
    _tokens[connection.arn] = (
        token,
        runtime.clock.monotonic() + max(30.0, float(document.get("expires_in", 3600)) - 30.0),
    )
    return str(token)


def _url(destination: ApiDestination, path: list[str]) -> str:
    """The endpoint with each ``*`` replaced by the next PathParameterValues entry."""
    parts = destination.endpoint.split("*")
    out = parts[0]
    for index, part in enumerate(parts[1:]):
        out += (quote(path[index], safe="") if index < len(path) else "") + part
    return out


def _body(text: str, extra: dict[str, str]) -> str:
    if not extra:
        return text
    try:
        document = json.loads(text)
    except ValueError:
        return text
    if isinstance(document, dict):
        document.update(extra)
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return text


async def _invoke(runtime: Runtime, address: str, payload: dict[str, Any]) -> None:
    import httpx  # imported on first use: it costs start-up time

    parts = parse_arn(address)
    name = parts[2].split("/")[1] if parts and parts[2].startswith("api-destination/") else ""

    def lookup(tx: Any) -> tuple[ApiDestination | None, Connection | None]:
        destination = store_connections.get_destination(tx, parts[1], parts[0], name) if parts else None
        if destination is None:
            return None, None
        connection_parts = parse_arn(destination.connection_arn)
        connection_name = connection_parts[2].split("/")[1] if connection_parts else ""
        return destination, store_connections.get_connection(
            tx, destination.account, destination.region, connection_name
        )

    destination, connection = await runtime.store.read(lookup)
    if destination is None:
        raise DeliveryError(
            f"API destination {address} does not exist.", code="ResourceNotFoundException", retryable=False
        )
    if connection is None or connection.state != "AUTHORIZED":
        raise DeliveryError(
            f"The connection of API destination {destination.name} is not authorized.",
            code="ConnectionNotAuthorized",
            retryable=False,
        )
    await _wait_for_slot(runtime, destination.arn, destination.rate_limit)
    invocation = connection.auth.get("InvocationHttpParameters") or {}
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Amazon/EventBridge/ApiDestinations"}
    headers.update(_params(invocation, "HeaderParameters"))
    headers.update(payload.get("headers") or {})
    query = {**_params(invocation, "QueryStringParameters"), **(payload.get("query") or {})}
    if connection.auth_type == "API_KEY":
        key = connection.auth["ApiKeyAuthParameters"]
        headers[key["ApiKeyName"]] = key.get("ApiKeyValue", "")
    elif connection.auth_type == "BASIC":
        basic = connection.auth["BasicAuthParameters"]
        headers["Authorization"] = (
            "Basic " + base64.b64encode(f"{basic.get('Username', '')}:{basic.get('Password', '')}".encode()).decode()
        )
    else:
        headers["Authorization"] = f"Bearer {await _oauth_token(runtime, connection)}"
    body = _body(payload.get("body", ""), _params(invocation, "BodyParameters"))
    try:
        answer = await _http().request(destination.method, _url(destination, payload.get("path") or []), headers=headers, params=query or None,
                                       content=body.encode() if destination.method not in ("GET", "HEAD") else None)  # fmt: skip
    except httpx.HTTPError as error:
        raise DeliveryError(f"{type(error).__name__}: {error}", code="HttpConnectionFailure") from error
    if answer.is_success:
        return
    if answer.status_code == 401:
        _tokens.pop(connection.arn, None)
    retryable = answer.status_code in _RETRYABLE or answer.status_code >= 500
    raise DeliveryError(
        f"The API destination answered {answer.status_code}.", code=str(answer.status_code), retryable=retryable
    )


TARGET = Target(HTTP_KIND, call=_invoke, timeout=limits.HTTP_TIMEOUT + _RATE_WAIT_BUDGET + 5.0)
