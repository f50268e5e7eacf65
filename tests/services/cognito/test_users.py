"""Users: AdminCreateUser with temporary passwords, SignUp → ConfirmSignUp with captured codes, forgotten
passwords, attributes and their verification, ListUsers' filters, enable/disable, the password policy."""

from __future__ import annotations

from typing import Any

from ._helpers import PASSWORD, client, codes, expect_error, last_code, password_auth, pool, user


def test_sign_up_and_confirm(idp: Any, endpoint: str, name: str) -> None:
    pool_id = pool(idp, name, AutoVerifiedAttributes=["email"])
    app = client(idp, pool_id)
    out = idp.sign_up(
        ClientId=app["ClientId"],
        Username="bob",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "bob@example.com"}],
    )
    assert out["UserConfirmed"] is False
    assert out["CodeDeliveryDetails"] == {
        "Destination": "b***@e***.com",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    expect_error(
        idp.sign_up,
        "UsernameExistsException",
        "User already exists",
        ClientId=app["ClientId"],
        Username="bob",
        Password=PASSWORD,
    )
    expect_error(
        lambda: password_auth(idp, app["ClientId"], "bob"), "UserNotConfirmedException", "User is not confirmed."
    )
    code = last_code(endpoint, pool_id, "bob")
    assert code in codes(endpoint, pool_id, "bob")[0]["message"]
    wrong = "000000" if code != "000000" else "111111"
    expect_error(
        idp.confirm_sign_up,
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
        ClientId=app["ClientId"],
        Username="bob",
        ConfirmationCode=wrong,
    )
    idp.confirm_sign_up(ClientId=app["ClientId"], Username="bob", ConfirmationCode=code)
    got = idp.admin_get_user(UserPoolId=pool_id, Username="bob")
    assert got["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in got["UserAttributes"]
    tokens = password_auth(idp, app["ClientId"], "bob")["AuthenticationResult"]
    assert tokens["TokenType"] == "Bearer" and tokens["ExpiresIn"] == 3600


def test_password_policy(idp: Any, name: str) -> None:
    every = {"RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True, "RequireSymbols": True}
    pool_id = pool(idp, name, Policies={"PasswordPolicy": {"MinimumLength": 12, **every}})
    app = client(idp, pool_id)
    for password, rule in [
        ("Sh0rt!", "Password not long enough"),
        ("alllowercase1!", "Password must have uppercase characters"),
        ("ALLUPPERCASE1!", "Password must have lowercase characters"),
        ("NoNumbersHere!", "Password must have numeric characters"),
        ("NoSymbolsHere12", "Password must have symbol characters"),
    ]:
        expect_error(
            idp.sign_up,
            "InvalidPasswordException",
            f"Password did not conform with policy: {rule}",
            ClientId=app["ClientId"],
            Username="carl",
            Password=password,
        )


def test_admin_create_user_temporary_password(idp: Any, endpoint: str, name: str) -> None:
    pool_id = pool(idp, name)
    app = client(idp, pool_id)
    made = idp.admin_create_user(
        UserPoolId=pool_id,
        Username="dora",
        DesiredDeliveryMediums=["EMAIL"],
        UserAttributes=[{"Name": "email", "Value": "dora@example.com"}],
    )["User"]
    assert made["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    temporary = last_code(endpoint, pool_id, "dora")
    started = password_auth(idp, app["ClientId"], "dora", temporary)
    assert started["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert started["ChallengeParameters"]["USER_ID_FOR_SRP"] == "dora"
    expect_error(
        idp.respond_to_auth_challenge,
        "InvalidPasswordException",
        ClientId=app["ClientId"],
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=started["Session"],
        ChallengeResponses={"USERNAME": "dora", "NEW_PASSWORD": "weak"},
    )
    again = password_auth(idp, app["ClientId"], "dora", temporary)
    done = idp.respond_to_auth_challenge(
        ClientId=app["ClientId"],
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=again["Session"],
        ChallengeResponses={"USERNAME": "dora", "NEW_PASSWORD": PASSWORD},
    )
    assert "AccessToken" in done["AuthenticationResult"]
    assert idp.admin_get_user(UserPoolId=pool_id, Username="dora")["UserStatus"] == "CONFIRMED"


def test_forgot_password(idp: Any, endpoint: str, name: str) -> None:
    pool_id = pool(idp, name, AliasAttributes=["email"])
    app = client(idp, pool_id)
    user(idp, pool_id, "erin", email="erin@example.com", email_verified="true")
    sent = idp.forgot_password(ClientId=app["ClientId"], Username="erin")["CodeDeliveryDetails"]
    assert sent["DeliveryMedium"] == "EMAIL"
    code = last_code(endpoint, pool_id, "erin")
    new = "N3w-Passw0rd"
    idp.confirm_forgot_password(ClientId=app["ClientId"], Username="erin", ConfirmationCode=code, Password=new)
    expect_error(
        lambda: password_auth(idp, app["ClientId"], "erin"), "NotAuthorizedException", "Incorrect username or password."
    )
    password_auth(idp, app["ClientId"], "erin@example.com", new)
    expect_error(
        idp.confirm_forgot_password,
        "ExpiredCodeException",
        ClientId=app["ClientId"],
        Username="erin",
        ConfirmationCode=code,
        Password=new,
    )


def test_list_users_filters(idp: Any, name: str) -> None:
    pool_id = pool(idp, name)
    for who in ("anna", "andy", "bert"):
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username=who,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": f"{who}@example.com"}],
        )
    idp.admin_disable_user(UserPoolId=pool_id, Username="bert")

    def names(**kw: Any) -> list[str]:
        return sorted(u["Username"] for u in idp.list_users(UserPoolId=pool_id, **kw)["Users"])

    assert names() == ["andy", "anna", "bert"]
    assert names(Filter='username ^= "an"') == ["andy", "anna"]
    assert names(Filter='email = "bert@example.com"') == ["bert"]
    assert names(Filter='status = "Disabled"') == ["bert"]
    assert names(Filter='cognito:user_status = "FORCE_CHANGE_PASSWORD"') == ["andy", "anna", "bert"]
    expect_error(idp.list_users, "InvalidParameterException", UserPoolId=pool_id, Filter="email ~ x")
    expect_error(idp.list_users, "InvalidParameterException", UserPoolId=pool_id, Filter='custom:x = "y"')
    first = idp.list_users(UserPoolId=pool_id, Limit=2)
    assert len(first["Users"]) == 2
    rest = idp.list_users(UserPoolId=pool_id, Limit=2, PaginationToken=first["PaginationToken"])
    assert [u["Username"] for u in first["Users"] + rest["Users"]] == ["andy", "anna", "bert"]


def test_disable_and_attributes(idp: Any, name: str) -> None:
    pool_id = pool(idp, name, Schema=[{"Name": "tier", "AttributeDataType": "String"}])
    app = client(idp, pool_id)
    user(idp, pool_id, "fay", **{"custom:tier": "gold"})
    idp.admin_disable_user(UserPoolId=pool_id, Username="fay")
    expect_error(lambda: password_auth(idp, app["ClientId"], "fay"), "NotAuthorizedException", "User is disabled.")
    idp.admin_enable_user(UserPoolId=pool_id, Username="fay")
    expect_error(
        idp.admin_update_user_attributes,
        "InvalidParameterException",
        UserPoolId=pool_id,
        Username="fay",
        UserAttributes=[{"Name": "custom:unknown", "Value": "x"}],
    )
    idp.admin_update_user_attributes(
        UserPoolId=pool_id, Username="fay", UserAttributes=[{"Name": "custom:tier", "Value": "silver"}]
    )
    idp.admin_delete_user_attributes(UserPoolId=pool_id, Username="fay", UserAttributeNames=["custom:tier"])
    attrs = {a["Name"] for a in idp.admin_get_user(UserPoolId=pool_id, Username="fay")["UserAttributes"]}
    assert "custom:tier" not in attrs
    idp.admin_delete_user(UserPoolId=pool_id, Username="fay")
    expect_error(
        idp.admin_get_user, "UserNotFoundException", "User does not exist.", UserPoolId=pool_id, Username="fay"
    )


def test_a_given_policy_requires_only_what_it_names(idp: Any, name: str) -> None:
    """The requirements a PasswordPolicy leaves out are off (Terraform sends only those set); none given: AWS's."""
    pool_id = pool(idp, name, Policies={"PasswordPolicy": {"MinimumLength": 10}})
    policy = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Policies"]["PasswordPolicy"]
    assert (policy["MinimumLength"], policy["RequireUppercase"], policy["RequireSymbols"]) == (10, False, False)
    app = client(idp, pool_id)
    expect_error(idp.sign_up, "InvalidPasswordException", "Password did not conform with policy: Password not long "
                 "enough", ClientId=app["ClientId"], Username="dora", Password="short")  # fmt: skip
    idp.sign_up(ClientId=app["ClientId"], Username="dora", Password="onlylowercase")
    default = idp.describe_user_pool(UserPoolId=pool(idp, f"{name}-d"))["UserPool"]["Policies"]["PasswordPolicy"]
    assert (default["MinimumLength"], default["RequireUppercase"], default["RequireSymbols"]) == (8, True, True)
