"""Calling an API destination over HTTP with its connection's authorization, and the per-node state that needs:
the HTTP client, each destination's rate slots and each connection's cached OAuth token (HttpInvoker, owned by
the backend).

The request carries the connection's InvocationHttpParameters and its authorization (an API key header, HTTP
Basic, or an OAuth client-credentials bearer token fetched from the AuthorizationEndpoint and cached until it
expires). InvocationRateLimitPerSecond is kept per node: calls over the rate wait for their slot, or are retried
later when the wait would not fit the call's time. Retries follow eb-api-destinations.html: 401, 407, 409, 429
and 5xx are retried; other answers are final.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ... import safejson
from ...delivery import DeliveryError
from . import limits
from .store_connections import ApiDestination, Connection

if TYPE_CHECKING:
    import httpx

    from ...clock import Clock

_RETRYABLE = {401, 407, 409, 429}
RATE_WAIT_BUDGET = 20.0  # seconds a call may wait for its rate slot before it is retried later instead


def _params(http: dict[str, Any], member: str) -> dict[str, str]:
    return {item["Key"]: item.get("Value", "") for item in http.get(member) or []}


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
        document = safejson.loads(text)
    except ValueError:
        return text
    if isinstance(document, dict):
        document.update(extra)
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return text


def _basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


class HttpInvoker:
    """This node's HTTP side of API destinations: one client, rate slots, OAuth tokens."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._slots: dict[str, float] = {}  # API destination ARN → monotonic time of its next free slot
        self._tokens: dict[str, tuple[str, float]] = {}  # connection ARN → (OAuth access token, monotonic expiry)
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        import httpx  # imported on first use: it costs start-up time

        if self._client is None:
            self._client = httpx.AsyncClient(timeout=limits.HTTP_TIMEOUT, follow_redirects=False)
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _wait_for_slot(self, arn: str, rate: int) -> None:
        now = self.clock.monotonic()
        slot = max(self._slots.get(arn, now), now)
        wait = slot - now
        if wait > RATE_WAIT_BUDGET:
            raise DeliveryError(
                "The API destination's InvocationRateLimitPerSecond was reached.", code="ThrottlingException"
            )
        self._slots[arn] = slot + 1.0 / max(1, rate)
        if wait > 0:
            await asyncio.sleep(wait)

    async def _oauth_token(self, connection: Connection) -> str:
        import httpx  # imported on first use: it costs start-up time

        cached = self._tokens.get(connection.arn)
        if cached is not None and cached[1] > self.clock.monotonic():
            return cached[0]
        oauth = connection.auth["OAuthParameters"]
        client = oauth.get("ClientParameters", {})
        extra = oauth.get("OAuthHttpParameters") or {}
        credentials = _basic(client.get("ClientID", ""), client.get("ClientSecret", ""))
        headers = {"Authorization": f"Basic {credentials}", **_params(extra, "HeaderParameters")}
        body = _params(extra, "BodyParameters")
        try:
            answer = await self._http().request(
                oauth.get("HttpMethod", "POST"),
                oauth["AuthorizationEndpoint"],
                headers=headers,
                params=_params(extra, "QueryStringParameters"),
                data=body or None,
            )
            document = answer.json() if answer.is_success else {}
        except (httpx.HTTPError, ValueError) as error:
            raise DeliveryError(f"OAuth token request failed: {error}", code="OAuthTokenFailure") from error
        token = document.get("access_token") if isinstance(document, dict) else None
        if not token:
            raise DeliveryError(
                f"OAuth token request answered {answer.status_code} without an access_token.",
                code="OAuthTokenFailure",
            )
        lifetime = max(30.0, float(document.get("expires_in", 3600)) - 30.0)
        self._tokens[connection.arn] = (token, self.clock.monotonic() + lifetime)
        return str(token)

    async def call(
        self,
        destination: ApiDestination,
        connection: Connection,
        body: str,
        path: list[str],
        headers: dict[str, str],
        query: dict[str, str],
    ) -> None:
        """One invocation (rate slot, authorization, request); DeliveryError unless the endpoint answered 2xx."""
        import httpx  # imported on first use: it costs start-up time

        await self._wait_for_slot(destination.arn, destination.rate_limit)
        invocation = connection.auth.get("InvocationHttpParameters") or {}
        sent = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Amazon/EventBridge/ApiDestinations"}
        sent.update(_params(invocation, "HeaderParameters"))
        sent.update(headers)
        params = {**_params(invocation, "QueryStringParameters"), **query}
        if connection.auth_type == "API_KEY":
            key = connection.auth["ApiKeyAuthParameters"]
            sent[key["ApiKeyName"]] = key.get("ApiKeyValue", "")
        elif connection.auth_type == "BASIC":
            basic = connection.auth["BasicAuthParameters"]
            sent["Authorization"] = "Basic " + _basic(basic.get("Username", ""), basic.get("Password", ""))
        else:
            sent["Authorization"] = f"Bearer {await self._oauth_token(connection)}"
        text = _body(body, _params(invocation, "BodyParameters"))
        try:
            answer = await self._http().request(
                destination.method,
                _url(destination, path),
                headers=sent,
                params=params or None,
                content=text.encode() if destination.method not in ("GET", "HEAD") else None,
            )
        except httpx.HTTPError as error:
            raise DeliveryError(f"{type(error).__name__}: {error}", code="HttpConnectionFailure") from error
        if answer.is_success:
            return
        if answer.status_code == 401:
            self._tokens.pop(connection.arn, None)
        retryable = answer.status_code in _RETRYABLE or answer.status_code >= 500
        raise DeliveryError(
            f"The API destination answered {answer.status_code}.", code=str(answer.status_code), retryable=retryable
        )
