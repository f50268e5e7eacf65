"""Sign-in flows through boto3 and pycognito: USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_SRP_AUTH (pycognito's
AWSSRP, unchanged), REFRESH_TOKEN_AUTH, SECRET_HASH, TOTP and SMS MFA, global sign-out and revocation, lockout; the
tokens verify against the pool's JWKS served by gureum (PyJWT) and carry AWS's claims."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from typing import Any

import jwt
import pytest
from pycognito.aws_srp import AWSSRP

from ._helpers import (
    PASSWORD,
    claims,
    client,
    expect_error,
    get_json,
    last_code,
    password_auth,
    pool,
    secret_hash,
    user,
)


def _totp(secret: str, at: float) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def test_password_auth_tokens_verify(idp: Any, endpoint: str, name: str) -> None:
    pool_id = pool(idp, name, Schema=[{"Name": "tier", "AttributeDataType": "String"}])
    app = client(idp, pool_id)
    user(idp, pool_id, "gus", email="gus@example.com", **{"custom:tier": "gold"})
    idp.create_group(UserPoolId=pool_id, GroupName="staff", Precedence=2)
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="gus", GroupName="staff")
    result = password_auth(idp, app["ClientId"], "gus")["AuthenticationResult"]
    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    config = get_json(f"{endpoint}/{pool_id}/.well-known/openid-configuration")
    assert config["issuer"] == issuer
    keys = jwt.PyJWKSet.from_dict(get_json(config["jwks_uri"]))
    head = jwt.get_unverified_header(result["IdToken"])
    key = next(k for k in keys.keys if k.key_id == head["kid"])
    id_claims = jwt.decode(result["IdToken"], key.key, algorithms=["RS256"], audience=app["ClientId"], issuer=issuer)
    assert id_claims["token_use"] == "id" and id_claims["cognito:username"] == "gus"
    assert id_claims["cognito:groups"] == ["staff"] and id_claims["custom:tier"] == "gold"
    assert id_claims["email"] == "gus@example.com" and id_claims["exp"] - id_claims["iat"] == 3600
    access = jwt.decode(result["AccessToken"], key.key, algorithms=["RS256"], issuer=issuer)
    assert access["token_use"] == "access" and access["client_id"] == app["ClientId"]
    assert access["scope"] == "aws.cognito.signin.user.admin" and access["username"] == "gus"
    assert access["sub"] == id_claims["sub"] and access["origin_jti"] == id_claims["origin_jti"]
    me = idp.get_user(AccessToken=result["AccessToken"])
    assert me["Username"] == "gus"
    tampered = result["AccessToken"][:-4] + ("AAAA" if not result["AccessToken"].endswith("AAAA") else "BBBB")
    expect_error(idp.get_user, "NotAuthorizedException", "Invalid Access Token", AccessToken=tampered)
    expect_error(idp.get_user, "NotAuthorizedException", AccessToken=result["IdToken"])


def test_wrong_password_and_lockout(idp: Any, name: str) -> None:
    pool_id = pool(idp, name)
    app = client(idp, pool_id)
    user(idp, pool_id, "hal")
    expect_error(lambda: password_auth(idp, app["ClientId"], "nobody"), "UserNotFoundException", "User does not exist.")
    for _ in range(5):
        expect_error(
            lambda: password_auth(idp, app["ClientId"], "hal", "Wrong-pass1"),
            "NotAuthorizedException",
            "Incorrect username or password.",
        )
    expect_error(
        lambda: password_auth(idp, app["ClientId"], "hal"), "NotAuthorizedException", "Password attempts exceeded"
    )
    hidden = client(idp, pool_id, PreventUserExistenceErrors="ENABLED")
    expect_error(
        lambda: password_auth(idp, hidden["ClientId"], "nobody"),
        "NotAuthorizedException",
        "Incorrect username or password.",
    )


def test_flows_must_be_enabled(idp: Any, name: str) -> None:
    pool_id = pool(idp, name)
    app = client(idp, pool_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    user(idp, pool_id, "ida")
    expect_error(
        lambda: password_auth(idp, app["ClientId"], "ida"),
        "InvalidParameterException",
        "USER_PASSWORD_AUTH flow not enabled for this client",
    )


def test_admin_auth_and_secret_hash(idp: Any, name: str) -> None:
    pool_id = pool(idp, name)
    app = client(idp, pool_id, GenerateSecret=True)
    user(idp, pool_id, "jan")
    params = {"USERNAME": "jan", "PASSWORD": PASSWORD}
    error = expect_error(
        idp.admin_initiate_auth,
        "NotAuthorizedException",
        UserPoolId=pool_id,
        ClientId=app["ClientId"],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters=params,
    )
    assert "SECRET_HASH was not received" in error["Message"]
    expect_error(
        idp.admin_initiate_auth,
        "NotAuthorizedException",
        UserPoolId=pool_id,
        ClientId=app["ClientId"],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={**params, "SECRET_HASH": "bm9wZQ=="},
    )
    good = secret_hash(app["ClientSecret"], "jan", app["ClientId"])
    out = idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=app["ClientId"],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={**params, "SECRET_HASH": good},
    )
    assert "IdToken" in out["AuthenticationResult"]
    expect_error(
        idp.initiate_auth,
        "InvalidParameterException",
        ClientId=app["ClientId"],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters=params,
    )


def test_srp_with_pycognito(idp: Any, name: str) -> None:
    pool_id = pool(idp, name)
    app = client(idp, pool_id)
    user(idp, pool_id, "kim", email="kim@example.com")
    tokens = AWSSRP(
        username="kim", password=PASSWORD, pool_id=pool_id, client_id=app["ClientId"], client=idp
    ).authenticate_user()
    assert claims(tokens["AuthenticationResult"]["IdToken"])["cognito:username"] == "kim"
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        AWSSRP(
            username="kim", password="Wrong-pass1", pool_id=pool_id, client_id=app["ClientId"], client=idp
        ).authenticate_user()
    secret_app = client(idp, pool_id, GenerateSecret=True)
    tokens = AWSSRP(
        username="kim",
        password=PASSWORD,
        pool_id=pool_id,
        client_id=secret_app["ClientId"],
        client_secret=secret_app["ClientSecret"],
        client=idp,
    ).authenticate_user()
    assert "AccessToken" in tokens["AuthenticationResult"]


def test_srp_new_password_required(idp: Any, endpoint: str, name: str) -> None:
    pool_id = pool(idp, name)
    app = client(idp, pool_id)
    idp.admin_create_user(
        UserPoolId=pool_id, Username="lea", TemporaryPassword="Temp-Passw0rd", MessageAction="SUPPRESS"
    )
    srp = AWSSRP(username="lea", password="Temp-Passw0rd", pool_id=pool_id, client_id=app["ClientId"], client=idp)
    started = idp.initiate_auth(
        ClientId=app["ClientId"], AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params()
    )
    answer = srp.process_challenge(started["ChallengeParameters"], srp.get_auth_params())
    step = idp.respond_to_auth_challenge(
        ClientId=app["ClientId"], ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer
    )
    assert step["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    done = idp.respond_to_auth_challenge(
        ClientId=app["ClientId"],
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=step["Session"],
        ChallengeResponses={"USERNAME": "lea", "NEW_PASSWORD": PASSWORD},
    )
    assert "AccessToken" in done["AuthenticationResult"]
    tokens = AWSSRP(
        username="lea", password=PASSWORD, pool_id=pool_id, client_id=app["ClientId"], client=idp
    ).authenticate_user()
    assert "IdToken" in tokens["AuthenticationResult"]


def test_refresh_sign_out_and_revoke(idp: Any, name: str) -> None:
    pool_id = pool(idp, name)
    app = client(idp, pool_id)
    user(idp, pool_id, "max")
    first = password_auth(idp, app["ClientId"], "max")["AuthenticationResult"]
    refreshed = idp.initiate_auth(
        ClientId=app["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]}
    )["AuthenticationResult"]
    assert "RefreshToken" not in refreshed
    assert claims(refreshed["AccessToken"])["origin_jti"] == claims(first["AccessToken"])["origin_jti"]
    idp.get_user(AccessToken=refreshed["AccessToken"])
    idp.revoke_token(ClientId=app["ClientId"], Token=first["RefreshToken"])
    expect_error(
        idp.initiate_auth,
        "NotAuthorizedException",
        "Refresh Token has been revoked",
        ClientId=app["ClientId"],
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},
    )
    expect_error(
        idp.get_user, "NotAuthorizedException", "Access Token has been revoked", AccessToken=refreshed["AccessToken"]
    )
    second = password_auth(idp, app["ClientId"], "max")["AuthenticationResult"]
    idp.global_sign_out(AccessToken=second["AccessToken"])
    expect_error(
        idp.get_user, "NotAuthorizedException", "Access Token has been revoked", AccessToken=second["AccessToken"]
    )
    expect_error(
        idp.initiate_auth,
        "NotAuthorizedException",
        ClientId=app["ClientId"],
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": second["RefreshToken"]},
    )


def test_self_service_with_access_token(idp: Any, endpoint: str, name: str) -> None:
    pool_id = pool(idp, name, AutoVerifiedAttributes=["email"], AliasAttributes=["email"])
    app = client(idp, pool_id)
    user(idp, pool_id, "ned", email="ned@example.com", email_verified="true")
    token = password_auth(idp, app["ClientId"], "ned")["AuthenticationResult"]["AccessToken"]
    sent = idp.update_user_attributes(
        AccessToken=token, UserAttributes=[{"Name": "email", "Value": "ned2@example.com"}]
    )
    assert sent["CodeDeliveryDetailsList"][0]["AttributeName"] == "email"
    idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=last_code(endpoint, pool_id, "ned"))
    password_auth(idp, app["ClientId"], "ned2@example.com")
    idp.change_password(AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword="An0ther-Pass")
    password_auth(idp, app["ClientId"], "ned", "An0ther-Pass")
    expect_error(
        idp.change_password,
        "NotAuthorizedException",
        AccessToken=token,
        PreviousPassword=PASSWORD,
        ProposedPassword="Th1rd-Passw0rd",
    )
    idp.delete_user(AccessToken=token)
    expect_error(idp.admin_get_user, "UserNotFoundException", UserPoolId=pool_id, Username="ned")


def test_totp_mfa(idp: Any, name: str) -> None:
    pool_id = pool(idp, name, MfaConfiguration="OPTIONAL")
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL"
    )
    app = client(idp, pool_id)
    user(idp, pool_id, "ora")
    token = password_auth(idp, app["ClientId"], "ora")["AuthenticationResult"]["AccessToken"]
    secret = idp.associate_software_token(AccessToken=token)["SecretCode"]
    expect_error(
        idp.verify_software_token,
        "EnableSoftwareTokenMFAException",
        AccessToken=token,
        UserCode="000000" if _totp(secret, time.time()) != "000000" else "111111",
    )
    assert idp.verify_software_token(AccessToken=token, UserCode=_totp(secret, time.time()))["Status"] == "SUCCESS"
    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    step = password_auth(idp, app["ClientId"], "ora")
    assert step["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    done = idp.respond_to_auth_challenge(
        ClientId=app["ClientId"],
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=step["Session"],
        ChallengeResponses={"USERNAME": "ora", "SOFTWARE_TOKEN_MFA_CODE": _totp(secret, time.time())},
    )
    assert "AccessToken" in done["AuthenticationResult"]


def test_sms_mfa(idp: Any, endpoint: str, name: str) -> None:
    pool_id = pool(
        idp, name, MfaConfiguration="OPTIONAL", SmsConfiguration={"SnsCallerArn": "arn:aws:iam::000000000000:role/sms"}
    )
    app = client(idp, pool_id)
    user(idp, pool_id, "pia", phone_number="+15550101234")
    idp.admin_set_user_mfa_preference(
        UserPoolId=pool_id, Username="pia", SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    step = password_auth(idp, app["ClientId"], "pia")
    assert step["ChallengeName"] == "SMS_MFA"
    assert step["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"].endswith("1234")
    code = last_code(endpoint, pool_id, "pia")
    expect_error(
        idp.respond_to_auth_challenge,
        "CodeMismatchException",
        ClientId=app["ClientId"],
        ChallengeName="SMS_MFA",
        Session=step["Session"],
        ChallengeResponses={"USERNAME": "pia", "SMS_MFA_CODE": "000000" if code != "000000" else "111111"},
    )
    done = idp.respond_to_auth_challenge(
        ClientId=app["ClientId"],
        ChallengeName="SMS_MFA",
        Session=step["Session"],
        ChallengeResponses={"USERNAME": "pia", "SMS_MFA_CODE": code},
    )
    assert "IdToken" in done["AuthenticationResult"]


def test_mfa_setup_when_required(idp: Any, name: str) -> None:
    pool_id = pool(idp, name)
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="ON"
    )
    app = client(idp, pool_id)
    user(idp, pool_id, "quy")
    step = password_auth(idp, app["ClientId"], "quy")
    assert step["ChallengeName"] == "MFA_SETUP"
    associated = idp.associate_software_token(Session=step["Session"])
    verified = idp.verify_software_token(
        Session=associated["Session"], UserCode=_totp(associated["SecretCode"], time.time())
    )
    done = idp.respond_to_auth_challenge(
        ClientId=app["ClientId"],
        ChallengeName="MFA_SETUP",
        Session=verified["Session"],
        ChallengeResponses={"USERNAME": "quy"},
    )
    assert "AccessToken" in done["AuthenticationResult"]
    again = password_auth(idp, app["ClientId"], "quy")
    assert again["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_email_as_username(idp: Any, endpoint: str, name: str) -> None:
    pool_id = pool(idp, name, UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])
    app = client(idp, pool_id)
    out = idp.sign_up(ClientId=app["ClientId"], Username="Uma@Example.com", Password=PASSWORD)
    expect_error(
        idp.sign_up,
        "UsernameExistsException",
        "An account with the given email already exists.",
        ClientId=app["ClientId"],
        Username="uma@example.com",
        Password=PASSWORD,
    )
    expect_error(idp.sign_up, "InvalidParameterException", ClientId=app["ClientId"], Username="uma", Password=PASSWORD)
    idp.confirm_sign_up(
        ClientId=app["ClientId"], Username="uma@example.com", ConfirmationCode=last_code(endpoint, pool_id)
    )
    tokens = AWSSRP(
        username="uma@example.com", password=PASSWORD, pool_id=pool_id, client_id=app["ClientId"], client=idp
    ).authenticate_user()["AuthenticationResult"]
    id_claims = claims(tokens["IdToken"])
    assert id_claims["cognito:username"] == out["UserSub"] == id_claims["sub"]
    assert id_claims["email"] == "Uma@Example.com" and id_claims["email_verified"] is True
    made = idp.admin_create_user(UserPoolId=pool_id, Username="vic@example.com", MessageAction="SUPPRESS")["User"]
    assert {"Name": "sub", "Value": made["Username"]} in made["Attributes"]
    assert idp.admin_get_user(UserPoolId=pool_id, Username="vic@example.com")["Username"] == made["Username"]


def test_a_remembered_password_never_outlives_a_change(idp: Any, name: str) -> None:
    """A node remembers passwords it verified (a fast path for the next sign-in): a wrong one, or the old one after
    a change, is still refused."""
    pool_id = pool(idp, name)
    app = client(idp, pool_id)
    user(idp, pool_id, "rita")
    for _ in range(2):
        assert password_auth(idp, app["ClientId"], "rita")["AuthenticationResult"]["AccessToken"]
    expect_error(password_auth, "NotAuthorizedException", idp=idp, client_id=app["ClientId"], username="rita",
                 password=PASSWORD + "x")  # fmt: skip
    idp.admin_set_user_password(UserPoolId=pool_id, Username="rita", Password="An0ther-Passw0rd", Permanent=True)
    expect_error(password_auth, "NotAuthorizedException", idp=idp, client_id=app["ClientId"], username="rita")
    assert password_auth(idp, app["ClientId"], "rita", "An0ther-Passw0rd")["AuthenticationResult"]["IdToken"]
