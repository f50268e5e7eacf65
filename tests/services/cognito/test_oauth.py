"""A user pool's domain: the OAuth 2.0 endpoints and the managed login page, driven as a browser and a web app's
back end would (httpx, no redirects followed), on the pool-id path form and on the prefix domain's host form."""

from __future__ import annotations

import base64
import hashlib
import secrets
import urllib.parse
from typing import Any

import httpx
import jwt
import pytest

from ._helpers import PASSWORD, client, pool, user

CALLBACK = "http://localhost:3000/callback"
SIGNED_OUT = "http://localhost:3000/bye"


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _query(location: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def _hidden_and_action(page: str) -> str:
    assert "<form method='post' action='login'>" in page, page
    return page


@pytest.fixture()
def app(idp: Any, endpoint: str, name: str) -> dict[str, Any]:
    pool_id = pool(idp, name, AutoVerifiedAttributes=["email"])
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain=name.lower())
    web = client(
        idp,
        pool_id,
        CallbackURLs=[CALLBACK],
        LogoutURLs=[SIGNED_OUT],
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code", "implicit"],
        AllowedOAuthScopes=["openid", "email", "aws.cognito.signin.user.admin"],
        SupportedIdentityProviders=["COGNITO"],
    )
    user(idp, pool_id, "ana", email="ana@example.com")
    return {"pool": pool_id, "client": web["ClientId"], "base": f"{endpoint}/{pool_id}", "domain": name.lower()}


def _sign_in(http: httpx.Client, base: str, client_id: str, challenge: str, state: str = "s1") -> httpx.Response:
    """/oauth2/authorize → the login page → the form posted with the right password: the redirect to the app."""
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": CALLBACK,
        "state": state,
        "scope": "openid email",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    to_login = http.get(f"{base}/oauth2/authorize", params=params)
    assert to_login.status_code == 302
    login_url = urllib.parse.urljoin(f"{base}/oauth2/authorize", to_login.headers["location"])
    assert urllib.parse.urlsplit(login_url).path.endswith("/login")
    form_page = http.get(login_url)
    assert form_page.status_code == 200 and "text/html" in form_page.headers["content-type"]
    _hidden_and_action(form_page.text)
    wrong = http.post(f"{base}/login", data={**params, "username": "ana", "password": "nope-Nope1!"})
    assert wrong.status_code == 200 and "Incorrect username or password." in wrong.text
    answer = http.post(f"{base}/login", data={**params, "username": "ana", "password": PASSWORD})
    assert answer.status_code == 302, answer.text
    return answer


def test_authorization_code_with_pkce_userinfo_refresh_and_single_sign_on(app: dict[str, Any], endpoint: str) -> None:
    base, client_id = app["base"], app["client"]
    verifier, challenge = _pkce()
    with httpx.Client() as http:
        answer = _sign_in(http, base, client_id, challenge)
        location = answer.headers["location"]
        assert location.startswith(CALLBACK + "?")
        got = _query(location)
        assert got["state"] == "s1" and got["code"]
        assert "cognito=" in answer.headers["set-cookie"]

        token_url = f"{base}/oauth2/token"
        form = {"grant_type": "authorization_code", "client_id": client_id, "redirect_uri": CALLBACK}
        bad = http.post(token_url, data={**form, "code": got["code"], "code_verifier": "x" * 50})
        assert bad.status_code == 400 and bad.json() == {"error": "invalid_grant"}
        # a code is good for one redemption attempt (the wrong verifier spent it): authorize again, and the
        # domain's session cookie skips the form
        again = http.get(
            f"{base}/oauth2/authorize",
            params={
                "response_type": "code",
                "client_id": client_id,
                "redirect_uri": CALLBACK,
                "scope": "openid email",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            },
        )
        assert again.status_code == 302 and again.headers["location"].startswith(CALLBACK + "?code=")
        code = _query(again.headers["location"])["code"]
        tokens = http.post(token_url, data={**form, "code": code, "code_verifier": verifier})
        assert tokens.status_code == 200, tokens.text
        body = tokens.json()
        assert set(body) == {"access_token", "id_token", "refresh_token", "token_type", "expires_in"}
        assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
        assert http.post(token_url, data={**form, "code": code, "code_verifier": verifier}).json() == {
            "error": "invalid_grant"
        }

        config = http.get(f"{endpoint}/{app['pool']}/.well-known/openid-configuration").json()
        assert config["token_endpoint"] == token_url
        keys = jwt.PyJWKSet.from_dict(http.get(config["jwks_uri"]).json())
        header = jwt.get_unverified_header(body["id_token"])
        key = next(k for k in keys.keys if k.key_id == header["kid"])
        claims = jwt.decode(body["id_token"], key.key, algorithms=["RS256"], audience=client_id)
        assert claims["email"] == "ana@example.com" and claims["cognito:username"] == "ana"
        access = jwt.decode(body["access_token"], key.key, algorithms=["RS256"], options={"verify_aud": False})
        assert sorted(access["scope"].split()) == ["email", "openid"] and access["client_id"] == client_id

        info = http.get(f"{base}/oauth2/userInfo", headers={"Authorization": f"Bearer {body['access_token']}"})
        assert info.status_code == 200 and info.json()["email"] == "ana@example.com"
        assert info.json()["username"] == "ana" and info.json()["sub"] == claims["sub"]
        assert http.get(f"{base}/oauth2/userInfo", headers={"Authorization": "Bearer x.y.z"}).status_code == 401

        refresh = {"grant_type": "refresh_token", "client_id": client_id, "refresh_token": body["refresh_token"]}
        refreshed = http.post(token_url, data=refresh)
        assert refreshed.status_code == 200 and "refresh_token" not in refreshed.json()
        again_access = jwt.decode(
            refreshed.json()["access_token"], key.key, algorithms=["RS256"], options={"verify_aud": False}
        )
        assert sorted(again_access["scope"].split()) == ["email", "openid"]  # the grant's scopes, kept

        revoked = http.post(f"{base}/oauth2/revoke", data={"token": body["refresh_token"], "client_id": client_id})
        assert revoked.status_code == 200
        after = http.post(token_url, data=refresh)
        assert after.status_code == 400 and after.json()["error"] == "invalid_grant"

        out = http.get(f"{base}/logout", params={"client_id": client_id, "logout_uri": SIGNED_OUT})
        assert out.status_code == 302 and out.headers["location"] == SIGNED_OUT
        http.cookies.clear()
        assert "max-age=0" in out.headers["set-cookie"].lower()
        fresh = http.get(
            f"{base}/oauth2/authorize",
            params={"response_type": "code", "client_id": client_id, "redirect_uri": CALLBACK},
        )
        assert fresh.status_code == 302 and "/login?" in fresh.headers["location"]  # signed out: the form again


def test_the_session_cookie_ends_at_logout(app: dict[str, Any]) -> None:
    base, client_id = app["base"], app["client"]
    _, challenge = _pkce()
    with httpx.Client() as http:
        _sign_in(http, base, client_id, challenge)
        cookie = http.cookies.get("cognito")
        assert cookie
        http.get(f"{base}/logout", params={"client_id": client_id, "logout_uri": SIGNED_OUT})
        # the old cookie no longer signs anyone in, even when a client keeps sending it
        replay = httpx.get(
            f"{base}/oauth2/authorize",
            params={"response_type": "code", "client_id": client_id, "redirect_uri": CALLBACK},
            cookies={"cognito": cookie},
        )
        assert replay.status_code == 302 and "/login?" in replay.headers["location"]


def test_implicit_grant_on_the_prefix_domain_host(app: dict[str, Any], endpoint: str) -> None:
    port = urllib.parse.urlsplit(endpoint).port
    host = f"{app['domain']}.auth.us-east-1.localhost:{port}"
    params = {
        "response_type": "token",
        "client_id": app["client"],
        "redirect_uri": CALLBACK,
        "state": "xyz",
        "scope": "openid",
    }
    with httpx.Client(base_url=endpoint, headers={"Host": host}) as http:
        first = http.get("/oauth2/authorize", params=params)
        assert first.status_code == 302 and first.headers["location"].startswith("/login?")
        answer = http.post("/login", data={**params, "username": "ana", "password": PASSWORD})
        assert answer.status_code == 302, answer.text
        location = answer.headers["location"]
        assert location.startswith(CALLBACK + "#")
        fragment = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).fragment))
        assert fragment["token_type"] == "Bearer" and fragment["state"] == "xyz"
        assert fragment["access_token"] and fragment["id_token"] and "refresh_token" not in fragment
        nobody = {"Host": f"nobody.auth.us-east-1.localhost:{port}"}
        unknown = http.get("/oauth2/authorize", params=params, headers=nobody)
        assert unknown.status_code == 404


def test_client_credentials_with_a_resource_server(idp: Any, endpoint: str, name: str) -> None:
    pool_id = pool(idp, name)
    idp.create_resource_server(
        UserPoolId=pool_id,
        Identifier="orders",
        Name="orders",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "r"}, {"ScopeName": "write", "ScopeDescription": "w"}],
    )
    machine = client(
        idp,
        pool_id,
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["orders/read", "orders/write"],
    )
    token_url = f"{endpoint}/{pool_id}/oauth2/token"
    with httpx.Client() as http:
        got = http.post(
            token_url,
            data={"grant_type": "client_credentials", "scope": "orders/read"},
            auth=(machine["ClientId"], machine["ClientSecret"]),
        )
        assert got.status_code == 200, got.text
        assert set(got.json()) == {"access_token", "expires_in", "token_type"}
        claims = jwt.decode(got.json()["access_token"], options={"verify_signature": False})
        assert claims["scope"] == "orders/read" and claims["sub"] == machine["ClientId"]
        assert claims["token_use"] == "access" and "username" not in claims

        wrong_secret = http.post(
            token_url, data={"grant_type": "client_credentials"}, auth=(machine["ClientId"], "not-the-secret")
        )
        assert wrong_secret.status_code == 401 and wrong_secret.json() == {"error": "invalid_client"}
        bad_scope = http.post(
            token_url,
            data={"grant_type": "client_credentials", "scope": "orders/delete"},
            auth=(machine["ClientId"], machine["ClientSecret"]),
        )
        assert bad_scope.json() == {"error": "invalid_scope"}
        unsupported = http.post(
            token_url, data={"grant_type": "password"}, auth=(machine["ClientId"], machine["ClientSecret"])
        )
        assert unsupported.status_code == 400 and unsupported.json() == {"error": "unsupported_grant_type"}
        not_form = http.post(token_url, json={"grant_type": "client_credentials"})
        assert not_form.status_code == 400 and not_form.json() == {"error": "invalid_request"}


def test_authorize_refuses_what_the_client_does_not_allow(app: dict[str, Any]) -> None:
    base, client_id = app["base"], app["client"]
    with httpx.Client() as http:
        foreign = http.get(
            f"{base}/oauth2/authorize",
            params={"response_type": "code", "client_id": client_id, "redirect_uri": "https://evil.example/cb"},
        )
        assert foreign.status_code == 400 and "redirect_mismatch" in foreign.text  # never sent to that URI
        nobody = http.get(
            f"{base}/oauth2/authorize",
            params={"response_type": "code", "client_id": "nope", "redirect_uri": CALLBACK},
        )
        assert nobody.status_code == 400 and "Client does not exist." in nobody.text
        scope = http.get(
            f"{base}/oauth2/authorize",
            params={"response_type": "code", "client_id": client_id, "redirect_uri": CALLBACK, "scope": "phone"},
        )
        assert scope.status_code == 302 and _query(scope.headers["location"])["error"] == "invalid_scope"
        kind = http.get(
            f"{base}/oauth2/authorize",
            params={"response_type": "id_token", "client_id": client_id, "redirect_uri": CALLBACK, "state": "q"},
        )
        assert _query(kind.headers["location"]) == {"error": "unsupported_response_type", "state": "q"}
        plain = http.get(
            f"{base}/oauth2/authorize",
            params={
                "response_type": "code",
                "client_id": client_id,
                "redirect_uri": CALLBACK,
                "code_challenge": "abc",
                "code_challenge_method": "plain",
            },
        )
        assert _query(plain.headers["location"])["error"] == "invalid_request"
        logout = http.get(f"{base}/logout", params={"client_id": client_id, "logout_uri": "https://evil.example/"})
        assert logout.status_code == 400
        bogus_body = http.post(
            f"{base}/oauth2/token",
            content=b"\xff\xfe=\x00",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert bogus_body.status_code == 400 and bogus_body.json() == {"error": "invalid_request"}


def test_new_password_step_on_the_login_page(idp: Any, app: dict[str, Any]) -> None:
    base, client_id = app["base"], app["client"]
    idp.admin_create_user(
        UserPoolId=app["pool"], Username="ben", TemporaryPassword="Temp0rary!x", MessageAction="SUPPRESS"
    )
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": CALLBACK, "scope": "openid"}
    with httpx.Client() as http:
        step = http.post(f"{base}/login", data={**params, "username": "ben", "password": "Temp0rary!x"})
        assert step.status_code == 200 and "name='new_password'" in step.text
        session = step.text.split("name='session' value='", 1)[1].split("'", 1)[0]
        done = http.post(
            f"{base}/login",
            data={
                **params,
                "username": "ben",
                "challenge": "NEW_PASSWORD_REQUIRED",
                "session": session,
                "new_password": "Brand-New-Passw0rd",
            },
        )
        assert done.status_code == 302 and done.headers["location"].startswith(CALLBACK + "?code=")
    assert idp.admin_get_user(UserPoolId=app["pool"], Username="ben")["UserStatus"] == "CONFIRMED"
