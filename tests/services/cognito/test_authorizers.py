"""API Gateway checks this server's Cognito tokens: a REST API's COGNITO_USER_POOLS authorizer (ID tokens, or
access tokens holding a method's scopes; claims in $context.authorizer.claims) and an HTTP API's JWT authorizer
(issuer https://cognito-idp.<region>.amazonaws.com/<pool-id>, verified against the pool's keys) admit a user's
token and refuse a tampered, foreign or missing one."""

from __future__ import annotations

from typing import Any

import httpx

from ._helpers import ACCOUNT, client, password_auth, pool, user


def _tamper(token: str) -> str:
    head, body, sig = token.split(".")
    return f"{head}.{body[:-2]}{'AA' if not body.endswith('AA') else 'BB'}.{sig}"


def _sign_in(idp: Any, name: str) -> tuple[str, dict[str, Any], dict[str, str]]:
    pool_id = pool(idp, name)
    app = client(idp, pool_id)
    user(idp, pool_id, "tess", email="tess@example.com")
    tokens = password_auth(idp, app["ClientId"], "tess")["AuthenticationResult"]
    return pool_id, app, tokens


def _mock_method(gw: Any, api_id: str, resource: str, authorizer: str, scopes: list[str] | None) -> None:
    extra = {"authorizationScopes": scopes} if scopes else {}
    gw.put_method(
        restApiId=api_id,
        resourceId=resource,
        httpMethod="GET",
        authorizationType="COGNITO_USER_POOLS",
        authorizerId=authorizer,
        **extra,
    )
    gw.put_integration(
        restApiId=api_id,
        resourceId=resource,
        httpMethod="GET",
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
    )
    gw.put_method_response(restApiId=api_id, resourceId=resource, httpMethod="GET", statusCode="200")
    gw.put_integration_response(
        restApiId=api_id,
        resourceId=resource,
        httpMethod="GET",
        statusCode="200",
        responseTemplates={
            "application/json": '{"email": "$context.authorizer.claims.email", '
            '"user": "$context.authorizer.claims[\'cognito:username\']"}'
        },
    )


def test_rest_api_cognito_authorizer(aws: Any, idp: Any, endpoint: str, name: str) -> None:
    pool_id, _, tokens = _sign_in(idp, name)
    other_pool, _, other_tokens = _sign_in(idp, name + "-other")
    gw = aws("apigateway")
    api = gw.create_rest_api(name=name)
    api_id, root = api["id"], api["rootResourceId"]
    authorizer = gw.create_authorizer(
        restApiId=api_id,
        name="users",
        type="COGNITO_USER_POOLS",
        providerARNs=[f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/{pool_id}"],
        identitySource="method.request.header.Authorization",
    )["id"]
    me = gw.create_resource(restApiId=api_id, parentId=root, pathPart="me")["id"]
    admin = gw.create_resource(restApiId=api_id, parentId=root, pathPart="admin")["id"]
    _mock_method(gw, api_id, me, authorizer, None)
    _mock_method(gw, api_id, admin, authorizer, ["aws.cognito.signin.user.admin"])
    gw.create_deployment(restApiId=api_id, stageName="prod")
    base = f"{endpoint}/restapis/{api_id}/prod/_user_request_"

    def call(path: str, token: str | None) -> httpx.Response:
        return httpx.get(f"{base}{path}", headers={"Authorization": token} if token else {})

    admitted = call("/me", tokens["IdToken"])
    assert admitted.status_code == 200, admitted.text
    assert admitted.json() == {"email": "tess@example.com", "user": "tess"}
    for refused in (
        call("/me", None),
        call("/me", _tamper(tokens["IdToken"])),
        call("/me", other_tokens["IdToken"]),
        call("/me", tokens["AccessToken"]),
        call("/admin", tokens["IdToken"]),
    ):
        assert refused.status_code == 401 and refused.json() == {"message": "Unauthorized"}
    scoped = call("/admin", tokens["AccessToken"])
    assert scoped.status_code == 200, scoped.text
    del other_pool


def test_http_api_jwt_authorizer(aws: Any, idp: Any, endpoint: str, name: str) -> None:
    pool_id, app, tokens = _sign_in(idp, name)
    gw = aws("apigatewayv2")
    api_id = gw.create_api(Name=name, ProtocolType="HTTP")["ApiId"]
    integration = gw.create_integration(
        ApiId=api_id,
        IntegrationType="HTTP_PROXY",
        IntegrationMethod="GET",
        IntegrationUri=f"{endpoint}/{pool_id}/.well-known/openid-configuration",
        PayloadFormatVersion="1.0",
    )["IntegrationId"]
    authorizer = gw.create_authorizer(
        ApiId=api_id,
        Name="users",
        AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={
            "Issuer": f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}",
            "Audience": [app["ClientId"]],
        },
    )["AuthorizerId"]
    gw.create_route(
        ApiId=api_id,
        RouteKey="GET /me",
        Target=f"integrations/{integration}",
        AuthorizationType="JWT",
        AuthorizerId=authorizer,
    )
    gw.create_route(
        ApiId=api_id,
        RouteKey="GET /admin",
        Target=f"integrations/{integration}",
        AuthorizationType="JWT",
        AuthorizerId=authorizer,
        AuthorizationScopes=["admin"],
    )
    gw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    base = f"{endpoint}/restapis/{api_id}/$default/_user_request_"

    def call(path: str, token: str | None) -> httpx.Response:
        return httpx.get(f"{base}{path}", headers={"Authorization": f"Bearer {token}"} if token else {})

    for token in (tokens["IdToken"], tokens["AccessToken"]):
        admitted = call("/me", token)
        assert admitted.status_code == 200, admitted.text
        assert admitted.json()["issuer"].endswith(pool_id)
    for refused in (call("/me", None), call("/me", _tamper(tokens["IdToken"]))):
        assert refused.status_code == 401 and refused.json() == {"message": "Unauthorized"}
    forbidden = call("/admin", tokens["AccessToken"])
    assert forbidden.status_code == 403
