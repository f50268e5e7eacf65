"""Identity pools: GetId / GetCredentialsForIdentity / GetOpenIdToken for a user-pool login and for unauthenticated
identities, role mappings by rules and by token, and the credentials calling SQS (and STS) as the role's session."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from ._helpers import ACCOUNT, claims, client, expect_error, password_auth, pool, user

AUTH_ROLE = f"arn:aws:iam::{ACCOUNT}:role/cognito-auth"
UNAUTH_ROLE = f"arn:aws:iam::{ACCOUNT}:role/cognito-unauth"
ADMIN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/cognito-admin"


def _session_client(endpoint: str, service: str, creds: dict[str, Any]) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretKey"],
        aws_session_token=creds["SessionToken"],
        config=Config(retries={"max_attempts": 1}),
    )


def _setup(idp: Any, identity: Any, name: str, **settings: Any) -> tuple[str, str, str, str]:
    pool_id = pool(idp, name)
    app = client(idp, pool_id)
    user(idp, pool_id, "sam")
    provider = f"cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    made = identity.create_identity_pool(
        IdentityPoolName=name.replace("-", "_"),
        AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": app["ClientId"]}],
        **settings,
    )
    identity.set_identity_pool_roles(
        IdentityPoolId=made["IdentityPoolId"], Roles={"authenticated": AUTH_ROLE, "unauthenticated": UNAUTH_ROLE}
    )
    id_token = password_auth(idp, app["ClientId"], "sam")["AuthenticationResult"]["IdToken"]
    return pool_id, made["IdentityPoolId"], provider, id_token


def test_authenticated_credentials_call_sqs(idp: Any, identity: Any, endpoint: str, name: str) -> None:
    pool_id, identity_pool, provider, id_token = _setup(idp, identity, name)
    identity_id = identity.get_id(IdentityPoolId=identity_pool, Logins={provider: id_token})["IdentityId"]
    assert identity.get_id(IdentityPoolId=identity_pool, Logins={provider: id_token})["IdentityId"] == identity_id
    creds = identity.get_credentials_for_identity(IdentityId=identity_id, Logins={provider: id_token})["Credentials"]
    caller = _session_client(endpoint, "sts", creds).get_caller_identity()
    assert caller["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/cognito-auth/CognitoIdentityCredentials"
    sqs = _session_client(endpoint, "sqs", creds)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="from a Cognito identity")
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "from a Cognito identity"
    expect_error(identity.get_credentials_for_identity, "NotAuthorizedException", IdentityId=identity_id)
    tampered = id_token[:-4] + ("AAAA" if not id_token.endswith("AAAA") else "BBBB")
    expect_error(identity.get_id, "NotAuthorizedException", IdentityPoolId=identity_pool, Logins={provider: tampered})
    token = identity.get_open_id_token(IdentityId=identity_id, Logins={provider: id_token})["Token"]
    assert claims(token)["sub"] == identity_id and claims(token)["aud"] == identity_pool
    assert claims(token)["amr"] == ["authenticated", provider]
    described = identity.describe_identity(IdentityId=identity_id)
    assert described["Logins"] == [provider]


def test_unauthenticated_identities(idp: Any, identity: Any, endpoint: str, name: str) -> None:
    _, identity_pool, _, _ = _setup(idp, identity, name)
    first = identity.get_id(IdentityPoolId=identity_pool)["IdentityId"]
    assert identity.get_id(IdentityPoolId=identity_pool)["IdentityId"] != first
    creds = identity.get_credentials_for_identity(IdentityId=first)["Credentials"]
    caller = _session_client(endpoint, "sts", creds).get_caller_identity()
    assert caller["Arn"].endswith(":assumed-role/cognito-unauth/CognitoIdentityCredentials")
    listed = identity.list_identities(IdentityPoolId=identity_pool, MaxResults=10)["Identities"]
    assert first in [i["IdentityId"] for i in listed]
    identity.update_identity_pool(
        IdentityPoolId=identity_pool, IdentityPoolName=name.replace("-", "_"), AllowUnauthenticatedIdentities=False
    )
    expect_error(
        identity.get_id,
        "NotAuthorizedException",
        "Unauthenticated access is not supported for this identity pool.",
        IdentityPoolId=identity_pool,
    )


def test_role_mappings(idp: Any, identity: Any, endpoint: str, name: str) -> None:
    pool_id, identity_pool, provider, _ = _setup(idp, identity, name)
    identity.set_identity_pool_roles(
        IdentityPoolId=identity_pool,
        Roles={"authenticated": AUTH_ROLE},
        RoleMappings={
            provider: {
                "Type": "Rules",
                "AmbiguousRoleResolution": "AuthenticatedRole",
                "RulesConfiguration": {
                    "Rules": [
                        {"Claim": "cognito:groups", "MatchType": "Contains", "Value": "admins", "RoleARN": ADMIN_ROLE}
                    ]
                },
            }
        },
    )
    assert identity.get_identity_pool_roles(IdentityPoolId=identity_pool)["RoleMappings"][provider]["Type"] == "Rules"
    idp.create_group(UserPoolId=pool_id, GroupName="admins")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="sam", GroupName="admins")
    app_id = identity.describe_identity_pool(IdentityPoolId=identity_pool)["CognitoIdentityProviders"][0]["ClientId"]
    id_token = password_auth(idp, app_id, "sam")["AuthenticationResult"]["IdToken"]
    identity_id = identity.get_id(IdentityPoolId=identity_pool, Logins={provider: id_token})["IdentityId"]
    creds = identity.get_credentials_for_identity(IdentityId=identity_id, Logins={provider: id_token})["Credentials"]
    assert ":assumed-role/cognito-admin/" in _session_client(endpoint, "sts", creds).get_caller_identity()["Arn"]
