"""A user pool's third-party identity providers through boto3: created with the details each type requires (and
the endpoints AWS fills in for Google), described, found by identifier, listed, updated and deleted (Terraform's
aws_cognito_identity_provider uses these)."""

from __future__ import annotations

from typing import Any

from ._helpers import expect_error, pool

GOOGLE = {"client_id": "id.apps.googleusercontent.com", "client_secret": "s", "authorize_scopes": "email profile"}
OIDC = {"client_id": "c", "attributes_request_method": "GET", "oidc_issuer": "https://issuer.example.com",
        "authorize_scopes": "openid"}  # fmt: skip


def test_identity_providers(idp: Any, name: str) -> None:
    pool_id = pool(idp, name)
    google = idp.create_identity_provider(
        UserPoolId=pool_id, ProviderName="Google", ProviderType="Google", ProviderDetails=GOOGLE,
        AttributeMapping={"email": "email"},
    )["IdentityProvider"]  # fmt: skip
    assert google["ProviderDetails"]["client_id"] == GOOGLE["client_id"]
    assert google["ProviderDetails"]["authorize_url"] == "https://accounts.google.com/o/oauth2/v2/auth"
    assert google["AttributeMapping"] == {"email": "email", "username": "sub"}
    expect_error(
        idp.create_identity_provider, "DuplicateProviderException", UserPoolId=pool_id, ProviderName="Google",
        ProviderType="Google", ProviderDetails=GOOGLE,
    )  # fmt: skip
    expect_error(
        idp.create_identity_provider, "InvalidParameterException", UserPoolId=pool_id, ProviderName="corp",
        ProviderType="OIDC", ProviderDetails={"client_id": "c"},
    )  # fmt: skip
    expect_error(
        idp.create_identity_provider, "InvalidParameterException", UserPoolId=pool_id, ProviderName="saml",
        ProviderType="SAML", ProviderDetails={"IDPSignout": "true"},
    )  # fmt: skip
    idp.create_identity_provider(
        UserPoolId=pool_id, ProviderName="corp", ProviderType="OIDC", ProviderDetails=OIDC, IdpIdentifiers=["corp.com"]
    )
    described = idp.describe_identity_provider(UserPoolId=pool_id, ProviderName="corp")["IdentityProvider"]
    assert described["ProviderDetails"] == OIDC and described["IdpIdentifiers"] == ["corp.com"]
    found = idp.get_identity_provider_by_identifier(UserPoolId=pool_id, IdpIdentifier="corp.com")["IdentityProvider"]
    assert found["ProviderName"] == "corp"
    listed = idp.list_identity_providers(UserPoolId=pool_id, MaxResults=1)
    rest = idp.list_identity_providers(UserPoolId=pool_id, NextToken=listed["NextToken"])
    assert [p["ProviderName"] for p in listed["Providers"] + rest["Providers"]] == ["Google", "corp"]
    assert listed["Providers"][0]["ProviderType"] == "Google" and "NextToken" not in rest
    updated = idp.update_identity_provider(
        UserPoolId=pool_id, ProviderName="corp", ProviderDetails={**OIDC, "authorize_scopes": "openid email"}
    )["IdentityProvider"]
    assert updated["ProviderDetails"]["authorize_scopes"] == "openid email" and updated["IdpIdentifiers"] == [
        "corp.com"
    ]
    idp.delete_identity_provider(UserPoolId=pool_id, ProviderName="corp")
    expect_error(idp.describe_identity_provider, "ResourceNotFoundException", UserPoolId=pool_id, ProviderName="corp")
    expect_error(idp.delete_identity_provider, "ResourceNotFoundException", UserPoolId=pool_id, ProviderName="corp")
    expect_error(
        idp.get_identity_provider_by_identifier, "ResourceNotFoundException", UserPoolId=pool_id,
        IdpIdentifier="corp.com",
    )  # fmt: skip
    idp.delete_user_pool(UserPoolId=pool_id)  # takes its providers with it
    expect_error(idp.list_identity_providers, "ResourceNotFoundException", UserPoolId=pool_id)
