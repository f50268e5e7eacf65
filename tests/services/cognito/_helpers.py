"""Helpers for the Cognito tests: a pool with a client, the captured codes at /_gureum/cognito/codes, and
SECRET_HASH."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.request
from typing import Any

from ...expect import ACCOUNT, REGION, expect_error  # noqa: F401  (re-exported)

PASSWORD = "Passw0rd!x"


def pool(idp: Any, name: str, **settings: Any) -> str:
    return str(idp.create_user_pool(PoolName=name, **settings)["UserPool"]["Id"])


def client(idp: Any, pool_id: str, **settings: Any) -> dict[str, Any]:
    settings.setdefault(
        "ExplicitAuthFlows",
        [
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            "ALLOW_CUSTOM_AUTH",
        ],
    )
    return dict(idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **settings)["UserPoolClient"])


def user(idp: Any, pool_id: str, username: str, password: str = PASSWORD, **attributes: str) -> None:
    """A confirmed user with a permanent password."""
    attrs = [{"Name": k, "Value": v} for k, v in attributes.items()]
    idp.admin_create_user(UserPoolId=pool_id, Username=username, UserAttributes=attrs, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)


def password_auth(idp: Any, client_id: str, username: str, password: str = PASSWORD) -> dict[str, Any]:
    """InitiateAuth USER_PASSWORD_AUTH."""
    return dict(
        idp.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
    )


def codes(endpoint: str, pool_id: str, username: str | None = None) -> list[dict[str, Any]]:
    query = f"?userPoolId={pool_id}" + (f"&username={username}" if username else "")
    with urllib.request.urlopen(f"{endpoint}/_gureum/cognito/codes{query}") as response:
        return list(json.loads(response.read())["messages"])


def last_code(endpoint: str, pool_id: str, username: str | None = None) -> str:
    found = codes(endpoint, pool_id, username)
    assert found, "no code was sent"
    return str(found[0]["code"])


def secret_hash(secret: str, username: str, client_id: str) -> str:
    return base64.b64encode(
        hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    ).decode()


def claims(token: str) -> dict[str, Any]:
    body = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))))


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url) as response:
        return json.loads(response.read())
