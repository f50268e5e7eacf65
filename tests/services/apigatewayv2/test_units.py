"""Pure logic of API Gateway v2: HTTP route selection, WebSocket route selection, route-key rules, JWT checks."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from gureum.clock import FakeClock
from gureum.services.apigatewayv2 import jwt as gw_jwt
from gureum.services.apigatewayv2.model import route_key_problem
from gureum.services.apigatewayv2.routes import RouteTable
from gureum.services.apigatewayv2.throttle import Buckets, settings_for
from gureum.services.apigatewayv2.websocket_api import select_route


def test_most_specific_route_wins() -> None:
    table = RouteTable(
        ["GET /a/{x}", "GET /a/b", "ANY /a/b", "GET /{proxy+}", "GET /a/{proxy+}", "POST /a/{x}/c", "$default"]
    )
    assert table.match("GET", "/a/b") == ("GET /a/b", {})
    assert table.match("PUT", "/a/b") == ("ANY /a/b", {})
    assert table.match("GET", "/a/z") == ("GET /a/{x}", {"x": "z"})
    assert table.match("GET", "/a/z/y") == ("GET /a/{proxy+}", {"proxy": "z/y"})
    assert table.match("GET", "/q") == ("GET /{proxy+}", {"proxy": "q"})
    assert table.match("POST", "/a/z/c") == ("POST /a/{x}/c", {"x": "z"})
    assert table.match("DELETE", "/zzz") == ("$default", {})
    assert RouteTable(["GET /a"]).match("GET", "/b") is None
    assert RouteTable(["GET /"]).match("GET", "/") == ("GET /", {})


def test_websocket_route_selection() -> None:
    routes = {"$connect": {}, "$default": {}, "send": {}, "deep": {}}
    assert select_route("$request.body.action", '{"action": "send"}', routes) == "send"
    assert select_route("$request.body.action", '{"action": "missing"}', routes) == "$default"
    assert select_route("$request.body.action", '{"action": "$connect"}', routes) == "$default"
    assert select_route("$request.body.action", "not json", routes) == "$default"
    assert select_route("$request.body.action", b"\x00", routes) == "$default"
    assert select_route("$request.body.a.b", '{"a": {"b": "deep"}}', routes) == "deep"
    assert select_route("${request.body.action}", '{"action": "send"}', routes) == "send"


@pytest.mark.parametrize("key", ["GET /pets", "$default", "ANY /{proxy+}", "GET /pets/{id}/toys", "OPTIONS /"])
def test_valid_http_route_keys(key: str) -> None:
    assert route_key_problem("HTTP", key) is None


@pytest.mark.parametrize("key", ["GET pets", "FETCH /x", "GET /{proxy+}/x", "/x", "GET /a b"])
def test_invalid_http_route_keys(key: str) -> None:
    assert route_key_problem("HTTP", key) is not None


class _Keys(gw_jwt.JwksCache):
    def __init__(self, keys: dict[str, Any]) -> None:
        super().__init__(FakeClock())
        self.fixed = keys

    async def key(self, issuer: str, kid: str | None, local: gw_jwt.LocalKeys | None = None) -> dict[str, Any]:
        if kid not in self.fixed:
            raise gw_jwt.TokenProblem("signing key not found")
        return self.fixed[kid]


def test_jwt_verification_rsa_and_ec() -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    keys = {
        "r": json.loads(RSAAlgorithm.to_jwk(rsa_key.public_key())),
        "e": json.loads(ECAlgorithm.to_jwk(ec_key.public_key())),
    }
    cache = _Keys(keys)
    now = time.time()
    claims = {"iss": "https://i", "aud": ["x", "y"], "exp": now + 60, "scope": "a b"}

    def check(token: str, audiences: list[str] = ["y"]) -> dict[str, Any]:  # noqa: B006
        return asyncio.run(gw_jwt.verify(token, "https://i", audiences, cache, now))

    assert check(jwt.encode(claims, rsa_key, algorithm="RS256", headers={"kid": "r"}))["scope"] == "a b"
    assert check(jwt.encode(claims, ec_key, algorithm="ES256", headers={"kid": "e"}))["iss"] == "https://i"
    assert check(
        jwt.encode({**claims, "aud": None, "client_id": "x"}, rsa_key, algorithm="RS512", headers={"kid": "r"}), ["x"]
    )
    for bad in (
        jwt.encode(claims, rsa_key, algorithm="RS256", headers={"kid": "e"}),
        jwt.encode({**claims, "nbf": now + 30}, rsa_key, algorithm="RS256", headers={"kid": "r"}),
        jwt.encode(claims, "s" * 32, algorithm="HS256", headers={"kid": "r"}),
        "a.b",
    ):
        with pytest.raises(gw_jwt.TokenProblem):
            check(bad)
    with pytest.raises(gw_jwt.TokenProblem):
        check(jwt.encode(claims, rsa_key, algorithm="RS256", headers={"kid": "r"}), ["z"])
    assert gw_jwt.claims_for_event({"a": ["b", "c"], "n": 5, "s": "t"}) == {"a": "[b c]", "n": "5", "s": "t"}


def test_throttling_token_bucket() -> None:
    stage = {
        "DefaultRouteSettings": {"ThrottlingRateLimit": 1.0, "ThrottlingBurstLimit": 2},
        "RouteSettings": {"GET /free": {"ThrottlingRateLimit": 1000.0, "ThrottlingBurstLimit": 1000}},
    }
    buckets, key = Buckets(), ("api", "s", "GET /x")
    limited = settings_for(stage, "GET /x")
    assert [buckets.allow(key, limited, 0.0) for _ in range(3)] == [True, True, False]
    assert buckets.allow(key, limited, 1.0) and not buckets.allow(key, limited, 1.0)
    assert all(buckets.allow(("api", "s", "GET /free"), settings_for(stage, "GET /free"), 0.0) for _ in range(100))
    assert buckets.allow(key, settings_for({}, "GET /x"), 0.0)
