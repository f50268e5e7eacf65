"""HTTP API authorizers: JWT (the issuer's JWKS served by a small HTTP server in the test, tokens minted with PyJWT)
and Lambda REQUEST authorizers (simple responses with payload 2.0, IAM policies with 1.0, result caching)."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from .helpers import function, stage_url


class Issuer:
    """An OpenID issuer on a loopback port: /.well-known/openid-configuration and its JWKS."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid="k1", alg="RS256", use="sig")
        issuer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": issuer.url + "/jwks.json"}
                elif self.path == "/jwks.json":
                    body = {"keys": [jwk]}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def token(self, key: Any = None, **claims: Any) -> str:
        now = int(time.time())
        body = {
            "iss": self.url,
            "aud": "my-app",
            "sub": "user-1",
            "iat": now,
            "exp": now + 300,
            "scope": "read write",
            **claims,
        }
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": "k1"})


@pytest.fixture(scope="module")
def issuer() -> Iterator[Issuer]:
    server = Issuer()
    yield server
    server.httpd.shutdown()


CLAIMS = """
import json
def handler(event, context):
    return {'authorizer': event['requestContext'].get('authorizer'), 'route': event['routeKey']}
"""


def test_jwt_authorizer(aws: Callable[..., Any], endpoint: str, name: str, issuer: Issuer) -> None:
    gw = aws("apigatewayv2")
    api_id = gw.create_api(Name=name, ProtocolType="HTTP")["ApiId"]
    arn = function(aws, name, CLAIMS)
    integration = gw.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn, PayloadFormatVersion="2.0"
    )["IntegrationId"]
    authorizer = gw.create_authorizer(
        ApiId=api_id,
        Name="jwt",
        AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={"Issuer": issuer.url, "Audience": ["my-app"]},
    )["AuthorizerId"]
    target = f"integrations/{integration}"
    gw.create_route(ApiId=api_id, RouteKey="GET /me", Target=target, AuthorizationType="JWT", AuthorizerId=authorizer)
    gw.create_route(
        ApiId=api_id,
        RouteKey="GET /admin",
        Target=target,
        AuthorizationType="JWT",
        AuthorizerId=authorizer,
        AuthorizationScopes=["admin"],
    )
    gw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    base = stage_url(endpoint, api_id, "$default")

    allowed = httpx.get(f"{base}/me", headers={"Authorization": f"Bearer {issuer.token(groups=['a', 'b'])}"})
    assert allowed.status_code == 200, allowed.text
    auth = allowed.json()["authorizer"]["jwt"]
    assert (
        auth["claims"]["sub"] == "user-1"
        and auth["claims"]["groups"] == "[a b]"
        and auth["claims"]["iss"] == issuer.url
    )
    assert auth["scopes"] == ["read", "write"]

    def denied(token: str | None, path: str = "/me") -> httpx.Response:
        return httpx.get(f"{base}{path}", headers={"Authorization": f"Bearer {token}"} if token else {})

    missing = denied(None)
    assert (
        missing.status_code == 401
        and missing.json() == {"message": "Unauthorized"}
        and missing.headers["www-authenticate"] == "Bearer"
    )
    for token, why in (
        (issuer.token(exp=int(time.time()) - 10), "expired"),
        (issuer.token(aud="someone-else"), "audience"),
        (issuer.token(key=issuer.other), "signature"),
        (issuer.token(iss="https://elsewhere"), "issuer"),
        ("not-a-jwt", "malformed"),
    ):
        answer = denied(token)
        assert answer.status_code == 401 and answer.json() == {"message": "Unauthorized"}, why
        assert 'error="invalid_token"' in answer.headers["www-authenticate"], why
    forbidden = denied(issuer.token(), "/admin")
    assert (
        forbidden.status_code == 403
        and forbidden.json() == {"message": "Forbidden"}
        and 'error="insufficient_scope"' in forbidden.headers["www-authenticate"]
    )
    assert denied(issuer.token(scope="admin"), "/admin").status_code == 200


SIMPLE = """
import time
def handler(event, context):
    token = event['headers'].get('x-token')
    assert event['type'] == 'REQUEST' and event['identitySource'] == [token]
    return {'isAuthorized': token == 'good', 'context': {'user': 'u-' + str(token), 'at': time.time()}}
"""

POLICY = """
def handler(event, context):
    effect = 'Allow' if event['headers'].get('x-token') == 'good' else 'Deny'
    assert event['methodArn'].endswith('/GET/thing') and event['identitySource'] == event['headers'].get('x-token')
    return {'principalId': 'p1', 'policyDocument': {'Version': '2012-10-17', 'Statement': [
        {'Action': 'execute-api:Invoke', 'Effect': effect, 'Resource': event['methodArn']}]}, 'context': {'k': 'v'}}
"""


def _lambda_authorized_api(aws: Callable[..., Any], name: str, code: str, **authorizer: Any) -> tuple[Any, str]:
    gw = aws("apigatewayv2")
    api_id = gw.create_api(Name=name, ProtocolType="HTTP")["ApiId"]
    target = function(aws, name, CLAIMS)
    auth_fn = function(aws, name + "-auth", code)
    integration = gw.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=target, PayloadFormatVersion="2.0"
    )["IntegrationId"]
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{auth_fn}/invocations"
    authorizer_id = gw.create_authorizer(
        ApiId=api_id,
        Name="lambda",
        AuthorizerType="REQUEST",
        AuthorizerUri=uri,
        IdentitySource=["$request.header.x-token"],
        **authorizer,
    )["AuthorizerId"]
    gw.create_route(
        ApiId=api_id,
        RouteKey="GET /thing",
        Target=f"integrations/{integration}",
        AuthorizationType="CUSTOM",
        AuthorizerId=authorizer_id,
    )
    gw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    return gw, api_id


def test_lambda_authorizer_simple_responses_and_cache(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    gw, api_id = _lambda_authorized_api(
        aws,
        name,
        SIMPLE,
        AuthorizerPayloadFormatVersion="2.0",
        EnableSimpleResponses=True,
        AuthorizerResultTtlInSeconds=300,
    )
    url = f"{stage_url(endpoint, api_id, '$default')}/thing"
    first = httpx.get(url, headers={"x-token": "good"})
    assert first.status_code == 200, first.text
    context = first.json()["authorizer"]["lambda"]
    assert context["user"] == "u-good"
    assert httpx.get(url, headers={"x-token": "good"}).json()["authorizer"]["lambda"] == context  # cached for the TTL
    assert httpx.get(url, headers={"x-token": "bad"}).status_code == 403
    missing = httpx.get(url)
    assert missing.status_code == 401 and missing.json() == {"message": "Unauthorized"}
    gw.reset_authorizers_cache(ApiId=api_id, StageName="$default")
    assert httpx.get(url, headers={"x-token": "good"}).json()["authorizer"]["lambda"]["at"] != context["at"]


def test_lambda_authorizer_iam_policy(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    _, api_id = _lambda_authorized_api(aws, name, POLICY, AuthorizerPayloadFormatVersion="1.0")
    url = f"{stage_url(endpoint, api_id, '$default')}/thing"
    allowed = httpx.get(url, headers={"x-token": "good"})
    assert allowed.status_code == 200 and allowed.json()["authorizer"]["lambda"] == {"k": "v", "principalId": "p1"}
    denied = httpx.get(url, headers={"x-token": "bad"})
    assert denied.status_code == 403 and denied.json() == {"message": "Forbidden"}
