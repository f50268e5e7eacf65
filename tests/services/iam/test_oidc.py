"""OpenID Connect providers end to end: create, read, client ids, thumbprints, tags, delete."""

from __future__ import annotations

from typing import Any

from ...expect import ACCOUNT, expect_error

THUMB = "6938fd4d98bab03faadb97b34396831e3780aea1"


def test_oidc_provider_lifecycle(iam: Any, name: str) -> None:
    url = f"https://{name}.example.com/issuer"
    arn = iam.create_open_id_connect_provider(
        Url=url, ClientIDList=["sts.amazonaws.com"], ThumbprintList=[THUMB], Tags=[{"Key": "a", "Value": "b"}]
    )["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:oidc-provider/{name}.example.com/issuer"
    expect_error(
        iam.create_open_id_connect_provider,
        "EntityAlreadyExists",
        f"Provider with url {url} already exists.",
        409,
        Url=url,
        ThumbprintList=[THUMB],
    )
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert (got["Url"], got["ClientIDList"], got["ThumbprintList"], got["Tags"]) == (
        f"{name}.example.com/issuer",
        ["sts.amazonaws.com"],
        [THUMB],
        [{"Key": "a", "Value": "b"}],
    )
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="my-app")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="sts.amazonaws.com")
    iam.update_open_id_connect_provider_thumbprint(
        OpenIDConnectProviderArn=arn, ThumbprintList=[THUMB.upper(), "f" * 40]
    )
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=["a"])
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert (got["ClientIDList"], got["ThumbprintList"], got.get("Tags")) == (["my-app"], [THUMB, "f" * 40], None)
    assert arn in [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    expect_error(
        iam.update_open_id_connect_provider_thumbprint,
        "LimitExceeded",
        OpenIDConnectProviderArn=arn,
        ThumbprintList=[f"{i}" * 40 for i in range(6)],
    )
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    expect_error(
        iam.get_open_id_connect_provider,
        "NoSuchEntity",
        f"OpenIDConnect Provider not found for arn {arn}",
        404,
        OpenIDConnectProviderArn=arn,
    )
    expect_error(iam.create_open_id_connect_provider, "InvalidInput", Url=f"http://{name}.example.com")
