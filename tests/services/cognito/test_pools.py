"""User pools, app clients, groups, tags and deletion protection through boto3."""

from __future__ import annotations

from typing import Any

from ._helpers import expect_error, pool


def test_pool_lifecycle(idp: Any, name: str) -> None:
    created = idp.create_user_pool(
        PoolName=name,
        Policies={"PasswordPolicy": {"MinimumLength": 10, "RequireSymbols": False}},
        Schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True}],
        UserPoolTags={"team": "a"},
        AutoVerifiedAttributes=["email"],
    )["UserPool"]
    pool_id = created["Id"]
    assert pool_id.startswith("us-east-1_")
    assert created["Arn"].endswith(f":userpool/{pool_id}")
    described = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert described["Policies"]["PasswordPolicy"]["MinimumLength"] == 10
    assert described["Policies"]["PasswordPolicy"]["RequireSymbols"] is False
    names = {a["Name"] for a in described["SchemaAttributes"]}
    assert {"sub", "email", "custom:tier"} <= names
    # the standard attributes as AWS describes them (Terraform's provider tells them from the pool's own by these)
    standard = {a["Name"]: a for a in described["SchemaAttributes"]}
    assert standard["birthdate"]["StringAttributeConstraints"] == {"MinLength": "10", "MaxLength": "10"}
    assert standard["email"]["StringAttributeConstraints"] == {"MinLength": "0", "MaxLength": "2048"}
    assert standard["sub"]["StringAttributeConstraints"] == {"MinLength": "1", "MaxLength": "2048"}
    assert (standard["sub"]["Mutable"], standard["sub"]["Required"]) == (False, True)
    assert standard["updated_at"]["NumberAttributeConstraints"] == {"MinValue": "0"}
    assert described["EstimatedNumberOfUsers"] == 0
    idp.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[{"Name": "plan", "AttributeDataType": "String"}])
    names = {a["Name"] for a in idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["SchemaAttributes"]}
    assert "custom:plan" in names
    expect_error(
        idp.add_custom_attributes,
        "InvalidParameterException",
        UserPoolId=pool_id,
        CustomAttributes=[{"Name": "plan", "AttributeDataType": "String"}],
    )
    listed = [p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]]
    assert pool_id in listed
    arn = created["Arn"]
    idp.tag_resource(ResourceArn=arn, Tags={"env": "dev"})
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "a", "env": "dev"}
    idp.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "dev"}
    idp.delete_user_pool(UserPoolId=pool_id)
    expect_error(idp.describe_user_pool, "ResourceNotFoundException", UserPoolId=pool_id)


def test_deletion_protection(idp: Any, name: str) -> None:
    pool_id = pool(idp, name, DeletionProtection="ACTIVE")
    expect_error(idp.delete_user_pool, "InvalidParameterException", UserPoolId=pool_id)
    idp.update_user_pool(UserPoolId=pool_id, DeletionProtection="INACTIVE")
    idp.delete_user_pool(UserPoolId=pool_id)


def test_clients(idp: Any, name: str) -> None:
    pool_id = pool(idp, name)
    made = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        AccessTokenValidity=30,
        TokenValidityUnits={"AccessToken": "minutes"},
        ReadAttributes=["email", "custom:nope"][:1],
        WriteAttributes=["email"],
    )["UserPoolClient"]
    assert len(made["ClientId"]) == 26 and len(made["ClientSecret"]) == 51
    got = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=made["ClientId"])["UserPoolClient"]
    assert got["AccessTokenValidity"] == 30 and got["TokenValidityUnits"]["AccessToken"] == "minutes"
    assert got["ClientSecret"] == made["ClientSecret"]
    expect_error(
        idp.create_user_pool_client,
        "InvalidParameterException",
        UserPoolId=pool_id,
        ClientName="x",
        AccessTokenValidity=2,
        TokenValidityUnits={"AccessToken": "days"},
    )
    updated = idp.update_user_pool_client(UserPoolId=pool_id, ClientId=made["ClientId"], ClientName="web2")
    assert updated["UserPoolClient"]["ClientName"] == "web2"
    assert updated["UserPoolClient"]["ClientSecret"] == made["ClientSecret"]
    # an update replaces the settings: units not given are not answered (as AWS does; Terraform reads them as set)
    assert "TokenValidityUnits" not in updated["UserPoolClient"]
    assert updated["UserPoolClient"]["AccessTokenValidity"] == 1
    assert [c["ClientId"] for c in idp.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"]] == [
        made["ClientId"]
    ]
    idp.delete_user_pool_client(UserPoolId=pool_id, ClientId=made["ClientId"])
    expect_error(
        idp.describe_user_pool_client, "ResourceNotFoundException", UserPoolId=pool_id, ClientId=made["ClientId"]
    )


def test_groups(idp: Any, name: str) -> None:
    pool_id = pool(idp, name)
    idp.create_group(UserPoolId=pool_id, GroupName="admins", Precedence=1, RoleArn="arn:aws:iam::000000000000:role/a")
    expect_error(idp.create_group, "GroupExistsException", UserPoolId=pool_id, GroupName="admins")
    idp.admin_create_user(UserPoolId=pool_id, Username="ann", MessageAction="SUPPRESS")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="ann", GroupName="admins")
    groups = idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="ann")["Groups"]
    assert [g["GroupName"] for g in groups] == ["admins"]
    members = idp.list_users_in_group(UserPoolId=pool_id, GroupName="admins")["Users"]
    assert [u["Username"] for u in members] == ["ann"]
    idp.update_group(UserPoolId=pool_id, GroupName="admins", Description="the admins")
    assert idp.get_group(UserPoolId=pool_id, GroupName="admins")["Group"]["Description"] == "the admins"
    idp.admin_remove_user_from_group(UserPoolId=pool_id, Username="ann", GroupName="admins")
    assert idp.list_users_in_group(UserPoolId=pool_id, GroupName="admins")["Users"] == []
    idp.delete_group(UserPoolId=pool_id, GroupName="admins")
    expect_error(idp.get_group, "ResourceNotFoundException", UserPoolId=pool_id, GroupName="admins")


def test_domain_managed_login_version(idp: Any, name: str) -> None:
    """A prefix domain keeps its managed login version: 1 unless 2 is asked for, changed by UpdateUserPoolDomain
    (Terraform's aws_cognito_user_pool_domain with managed_login_version = 2 read back nothing: a diff after apply,
    and changing it failed on UpdateUserPoolDomain, NotImplemented)."""
    pool_id = pool(idp, name)
    domain = f"{name.lower()}-v"
    assert idp.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)["ManagedLoginVersion"] == 1
    assert idp.describe_user_pool_domain(Domain=domain)["DomainDescription"]["ManagedLoginVersion"] == 1
    updated = idp.update_user_pool_domain(UserPoolId=pool_id, Domain=domain, ManagedLoginVersion=2)
    assert updated["ManagedLoginVersion"] == 2
    described = idp.describe_user_pool_domain(Domain=domain)["DomainDescription"]
    assert described["ManagedLoginVersion"] == 2 and described["UserPoolId"] == pool_id
    expect_error(
        idp.update_user_pool_domain, "InvalidParameterException", UserPoolId=pool_id, Domain=domain + "-none",
        ManagedLoginVersion=1,
    )  # fmt: skip
    expect_error(
        idp.update_user_pool_domain, "InvalidParameterException", UserPoolId=pool_id, Domain=domain,
        ManagedLoginVersion=3,
    )  # fmt: skip
    idp.delete_user_pool_domain(UserPoolId=pool_id, Domain=domain)
    other = f"{name.lower()}-w"
    assert (
        idp.create_user_pool_domain(UserPoolId=pool_id, Domain=other, ManagedLoginVersion=2)["ManagedLoginVersion"] == 2
    )
    idp.delete_user_pool_domain(UserPoolId=pool_id, Domain=other)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_ui_customization(idp: Any, name: str) -> None:
    """SetUICustomization for the pool (ALL) and for one client, which overrides the pool's; GetUICustomization
    answers the client's, else the pool's (Terraform's aws_cognito_user_pool_ui_customization: NotImplemented)."""
    pool_id = pool(idp, name)
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName=name)["UserPoolClient"]["ClientId"]
    css = ".label-customizable {font-weight: 400;}"
    expect_error(idp.set_ui_customization, "InvalidParameterException", UserPoolId=pool_id, CSS=css)
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain=f"{name.lower()}-ui")
    made = idp.set_ui_customization(UserPoolId=pool_id, CSS=css)
    assert made["UICustomization"]["ClientId"] == "ALL" and "CSSVersion" in made["UICustomization"]
    got = idp.get_ui_customization(UserPoolId=pool_id, ClientId=client_id)["UICustomization"]
    assert got["CSS"] == ".label-customizable {font-weight: 400;}" and got["ClientId"] == "ALL"
    own = idp.set_ui_customization(UserPoolId=pool_id, ClientId=client_id, ImageFile=PNG)["UICustomization"]
    assert own["ImageUrl"].startswith("data:image/png;base64,") and "CSS" not in own
    assert idp.get_ui_customization(UserPoolId=pool_id, ClientId=client_id)["UICustomization"]["ImageUrl"]
    expect_error(idp.set_ui_customization, "InvalidParameterException", UserPoolId=pool_id, ImageFile=b"GIF89a")
    expect_error(idp.get_ui_customization, "ResourceNotFoundException", UserPoolId=pool_id, ClientId="nope")
    idp.set_ui_customization(UserPoolId=pool_id, ClientId=client_id)  # neither CSS nor image: removed
    assert idp.get_ui_customization(UserPoolId=pool_id, ClientId=client_id)["UICustomization"]["ClientId"] == "ALL"
    assert idp.get_ui_customization(UserPoolId=pool_id, ClientId="ALL")["UICustomization"]["CSS"] == css
    idp.set_ui_customization(UserPoolId=pool_id, ClientId="ALL")  # "ALL" names the pool's own, as Terraform sends
    cleared = idp.get_ui_customization(UserPoolId=pool_id)["UICustomization"]
    assert "CSS" not in cleared and "ImageUrl" not in cleared
