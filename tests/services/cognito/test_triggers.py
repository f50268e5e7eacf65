"""Lambda triggers with AWS's event shapes: pre sign-up (auto-confirm, refusal), custom message, post confirmation,
pre/post authentication, pre token generation (claims added, suppressed, groups overridden), user migration and the
define/create/verify auth challenge triggers of CUSTOM_AUTH. One Python function serves them all and sends every
event it gets to an SQS queue, which the tests read."""

from __future__ import annotations

import json
import time
from typing import Any

from ..lambda_.zips import create
from ._helpers import PASSWORD, claims, client, codes, expect_error, password_auth, pool

HANDLER = """
import json, os
import boto3

def handler(event, context):
    boto3.client("sqs").send_message(QueueUrl=os.environ["QUEUE"], MessageBody=json.dumps(event))
    source = event["triggerSource"]
    request, response = event["request"], event["response"]
    if source.startswith("PreSignUp_"):
        if event["userName"] == "blocked":
            raise Exception("no thanks")
        if request["userAttributes"].get("email", "").endswith("@auto.test"):
            response["autoConfirmUser"] = True
            response["autoVerifyEmail"] = True
    elif source.startswith("CustomMessage_"):
        response["emailSubject"] = "Welcome"
        response["emailMessage"] = "Hi " + event["userName"] + ", your code is " + request["codeParameter"]
    elif source.startswith("TokenGeneration_"):
        response["claimsOverrideDetails"] = {
            "claimsToAddOrOverride": {"plan": "gold", "source": source},
            "claimsToSuppress": ["email"],
            "groupOverrideDetails": {"groupsToOverride": ["vip"]},
        }
    elif source == "UserMigration_Authentication":
        if request["password"] == "Legacy-Passw0rd":
            response["userAttributes"] = {"email": "legacy@example.com", "email_verified": "true"}
            response["finalUserStatus"] = "CONFIRMED"
            response["messageAction"] = "SUPPRESS"
        else:
            raise Exception("Bad password")
    elif source == "DefineAuthChallenge_Authentication":
        history = request["session"]
        if history and history[-1]["challengeResult"]:
            response.update(issueTokens=True, failAuthentication=False)
        elif len(history) >= 2:
            response.update(issueTokens=False, failAuthentication=True)
        else:
            response.update(challengeName="CUSTOM_CHALLENGE", issueTokens=False, failAuthentication=False)
    elif source == "CreateAuthChallenge_Authentication":
        response["publicChallengeParameters"] = {"question": "6 x 7"}
        response["privateChallengeParameters"] = {"answer": "42"}
        response["challengeMetadata"] = "QUIZ"
    elif source == "VerifyAuthChallengeResponse_Authentication":
        response["answerCorrect"] = request["challengeAnswer"] == request["privateChallengeParameters"]["answer"]
    return event
"""

TRIGGERS = (
    "PreSignUp",
    "CustomMessage",
    "PostConfirmation",
    "PreAuthentication",
    "PostAuthentication",
    "PreTokenGeneration",
    "UserMigration",
    "DefineAuthChallenge",
    "CreateAuthChallenge",
    "VerifyAuthChallengeResponse",
)


def _events(sqs: Any, url: str, wanted: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10
    while len(out) < wanted and time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        for message in got:
            out.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return out


def test_triggers(aws: Any, idp: Any, endpoint: str, name: str) -> None:
    sqs, lam = aws("sqs"), aws("lambda")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = create(lam, name, {"index.py": HANDLER}, Environment={"Variables": {"QUEUE": url}}, Timeout=30)["FunctionArn"]
    pool_id = pool(idp, name, AutoVerifiedAttributes=["email"], LambdaConfig={t: arn for t in TRIGGERS})
    app = client(idp, pool_id)
    cid = app["ClientId"]

    # pre sign-up auto-confirms; post confirmation follows
    out = idp.sign_up(
        ClientId=cid,
        Username="quin",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "quin@auto.test"}],
        ClientMetadata={"via": "test"},
    )
    assert out["UserConfirmed"] is True and "CodeDeliveryDetails" not in out
    pre, post = _events(sqs, url, 2)
    assert pre["triggerSource"] == "PreSignUp_SignUp" and pre["userPoolId"] == pool_id and pre["userName"] == "quin"
    assert pre["callerContext"]["clientId"] == cid and pre["version"] == "1" and pre["region"] == "us-east-1"
    assert pre["request"]["userAttributes"]["email"] == "quin@auto.test"
    assert pre["request"]["clientMetadata"] == {"via": "test"}
    assert post["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert post["request"]["userAttributes"]["email_verified"] == "true"

    # a refusing pre sign-up answers UserLambdaValidationException
    expect_error(
        idp.sign_up,
        "UserLambdaValidationException",
        "PreSignUp failed with error no thanks.",
        ClientId=cid,
        Username="blocked",
        Password=PASSWORD,
    )
    _events(sqs, url, 1)

    # the custom message trigger words the code's message
    idp.sign_up(
        ClientId=cid, Username="rae", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "rae@example.com"}]
    )
    sent = codes(endpoint, pool_id, "rae")[0]
    assert sent["message"] == f"Welcome\n\nHi rae, your code is {sent['code']}"
    sources = [e["triggerSource"] for e in _events(sqs, url, 2)]
    assert sources == ["PreSignUp_SignUp", "CustomMessage_SignUp"]

    # sign-in runs pre/post authentication and pre token generation, whose overrides reach the ID token
    tokens = password_auth(idp, cid, "quin")["AuthenticationResult"]
    id_claims = claims(tokens["IdToken"])
    assert id_claims["plan"] == "gold" and id_claims["source"] == "TokenGeneration_Authentication"
    assert "email" not in id_claims and id_claims["cognito:groups"] == ["vip"]
    events = _events(sqs, url, 3)
    assert [e["triggerSource"] for e in events] == [
        "PreAuthentication_Authentication",
        "PostAuthentication_Authentication",
        "TokenGeneration_Authentication",
    ]
    assert events[1]["request"]["newDeviceUsed"] is False
    assert events[2]["request"]["groupConfiguration"] == {
        "groupsToOverride": [],
        "iamRolesToOverride": [],
        "preferredRole": None,
    }

    # user migration creates the user on first sign-in
    expect_error(lambda: password_auth(idp, cid, "legacy", "Wrong-Passw0rd"), "UserLambdaValidationException")
    _events(sqs, url, 1)
    password_auth(idp, cid, "legacy", "Legacy-Passw0rd")
    migrated = idp.admin_get_user(UserPoolId=pool_id, Username="legacy")
    assert migrated["UserStatus"] == "CONFIRMED"
    assert {"Name": "email", "Value": "legacy@example.com"} in migrated["UserAttributes"]
    assert _events(sqs, url, 4)[0]["request"]["password"] == "Legacy-Passw0rd"

    # CUSTOM_AUTH: define → create → (answer) verify → define issues tokens
    step = idp.initiate_auth(ClientId=cid, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "quin"})
    assert step["ChallengeName"] == "CUSTOM_CHALLENGE" and step["ChallengeParameters"]["question"] == "6 x 7"
    wrong = idp.respond_to_auth_challenge(
        ClientId=cid,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=step["Session"],
        ChallengeResponses={"USERNAME": "quin", "ANSWER": "41"},
    )
    assert wrong["ChallengeName"] == "CUSTOM_CHALLENGE"
    done = idp.respond_to_auth_challenge(
        ClientId=cid,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=wrong["Session"],
        ChallengeResponses={"USERNAME": "quin", "ANSWER": "42"},
    )
    assert "IdToken" in done["AuthenticationResult"]
    events = [e for e in _events(sqs, url, 12) if "AuthChallenge" in e["triggerSource"]]
    define = [e for e in events if e["triggerSource"].startswith("Define")]
    assert define[-1]["request"]["session"] == [
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": False, "challengeMetadata": "QUIZ"},
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": True, "challengeMetadata": "QUIZ"},
    ]
    verify = next(e for e in events if e["triggerSource"].startswith("Verify"))
    assert verify["request"]["privateChallengeParameters"] == {"answer": "42"}
