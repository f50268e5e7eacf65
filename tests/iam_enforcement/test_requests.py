"""IAM enforcement end to end through boto3 (a server started with --enforce-iam): IAM users with and without
policies calling SQS, a cross-account SendMessage, an assumed role with a session policy, AWS's AccessDenied in each
protocol's shape and words."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ..server import Server

ACCT = "111111111111"
OTHER = "222222222222"
Client = Callable[..., Any]


def client(server: Server, service: str, key: str, secret: str, token: str | None = None) -> Any:
    return boto3.client(
        service,
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=Config(retries={"max_attempts": 1}),
    )


def allow(action: Any, resource: Any = "*", effect: str = "Allow") -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": action, "Resource": resource}]}
    )


def new_user(enforced: Server, iam: Any, name: str, policy: str | None = None) -> Client:
    iam.create_user(UserName=name)
    if policy is not None:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return lambda service: client(enforced, service, key["AccessKeyId"], key["SecretAccessKey"])


def denied(error: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return error.value.response["Error"]["Code"], error.value.response["Error"]["Message"]


def test_root_is_allowed_in_its_account(root: Client, name: str) -> None:
    url = root("sqs").create_queue(QueueName=name)["QueueUrl"]
    root("sqs").send_message(QueueUrl=url, MessageBody="hi")
    assert root("sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCT}:root"


def test_user_without_a_policy_is_refused_in_aws_words(enforced: Server, root: Client, name: str) -> None:
    url = root("sqs").create_queue(QueueName=name)["QueueUrl"]
    user = new_user(enforced, root("iam"), f"{name}-none")
    with pytest.raises(ClientError) as error:
        user("sqs").send_message(QueueUrl=url, MessageBody="hi")
    code, message = denied(error)
    assert code == "AccessDenied"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert message == (
        f"User: arn:aws:iam::{ACCT}:user/{name}-none is not authorized to perform: sqs:SendMessage on resource: "
        f"arn:aws:sqs:us-east-1:{ACCT}:{name} because no identity-based policy allows the sqs:SendMessage action"
    )
    # other protocols: SNS (query) answers AuthorizationError, Lambda (rest-json) and Kinesis (json) theirs
    with pytest.raises(ClientError) as error:
        user("sns").list_topics()
    assert denied(error)[0] == "AuthorizationError"
    with pytest.raises(ClientError) as error:
        user("lambda").list_functions()
    assert denied(error)[0] == "AccessDeniedException"
    with pytest.raises(ClientError) as error:
        user("kinesis").list_streams()
    assert denied(error)[0] == "AccessDeniedException"
    assert user("sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCT}:user/{name}-none"  # never refused
    # GetSessionToken needs no permission either ("No permissions are required for a user to get a session token")
    assert user("sts").get_session_token()["Credentials"]["SessionToken"]


def test_user_with_a_policy(enforced: Server, root: Client, name: str) -> None:
    sqs = root("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    other_url = sqs.create_queue(QueueName=f"{name}-x")["QueueUrl"]
    queue_arn = f"arn:aws:sqs:us-east-1:{ACCT}:{name}"
    user = new_user(enforced, root("iam"), f"{name}-u", allow(["sqs:SendMessage", "sqs:ReceiveMessage"], queue_arn))
    user("sqs").send_message(QueueUrl=url, MessageBody="one")
    user("sqs").send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "two"}])  # sqs:SendMessage
    assert user("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    with pytest.raises(ClientError) as error:
        user("sqs").send_message(QueueUrl=other_url, MessageBody="x")  # another resource
    assert "because no identity-based policy allows" in denied(error)[1]
    with pytest.raises(ClientError) as error:
        user("sqs").delete_queue(QueueUrl=url)  # another action
    assert denied(error)[0] == "AccessDenied"
    # an explicit deny in a group's policy wins; removing the user from the group lifts it (caches follow writes)
    iam = root("iam")
    iam.create_group(GroupName=f"{name}-g")
    iam.put_group_policy(GroupName=f"{name}-g", PolicyName="d", PolicyDocument=allow("sqs:SendMessage", "*", "Deny"))
    iam.add_user_to_group(GroupName=f"{name}-g", UserName=f"{name}-u")
    with pytest.raises(ClientError) as error:
        user("sqs").send_message(QueueUrl=url, MessageBody="x")
    assert "with an explicit deny in an identity-based policy" in denied(error)[1]
    iam.remove_user_from_group(GroupName=f"{name}-g", UserName=f"{name}-u")
    user("sqs").send_message(QueueUrl=url, MessageBody="again")


def test_permissions_boundary_limits_a_user(enforced: Server, root: Client, name: str) -> None:
    url = root("sqs").create_queue(QueueName=name)["QueueUrl"]
    iam = root("iam")
    boundary = iam.create_policy(PolicyName=f"{name}-b", PolicyDocument=allow("sqs:ReceiveMessage"))["Policy"]["Arn"]
    user = new_user(enforced, iam, f"{name}-u", allow("sqs:*"))
    user("sqs").send_message(QueueUrl=url, MessageBody="before")
    iam.put_user_permissions_boundary(UserName=f"{name}-u", PermissionsBoundary=boundary)
    with pytest.raises(ClientError) as error:
        user("sqs").send_message(QueueUrl=url, MessageBody="after")
    assert "because no permissions boundary allows the sqs:SendMessage action" in denied(error)[1]
    user("sqs").receive_message(QueueUrl=url)


def test_same_account_queue_policy_grants_a_user(enforced: Server, root: Client, name: str) -> None:
    sqs = root("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    user = new_user(enforced, root("iam"), f"{name}-u")
    arn = f"arn:aws:sqs:us-east-1:{ACCT}:{name}"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCT}:user/{name}-u"},
                "Action": "sqs:SendMessage",
                "Resource": arn,
            }
        ],
    }
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    user("sqs").send_message(QueueUrl=url, MessageBody="granted by the queue")  # the union within an account


def test_cross_account_send_message(enforced: Server, root: Client, other_root: Client, name: str) -> None:
    sqs = root("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = f"arn:aws:sqs:us-east-1:{ACCT}:{name}"
    other_user = new_user(enforced, other_root("iam"), f"{name}-o", allow("sqs:SendMessage"))
    with pytest.raises(ClientError) as error:
        other_user("sqs").send_message(QueueUrl=url, MessageBody="x")
    assert "because no resource-based policy allows the sqs:SendMessage action" in denied(error)[1]
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "sqs:SendMessage", "Resource": arn}],
    }
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    other_user("sqs").send_message(QueueUrl=url, MessageBody="both sides allow")
    # the queue allows the account, but a user of it without an identity policy is still refused
    bare = new_user(enforced, other_root("iam"), f"{name}-bare")
    with pytest.raises(ClientError) as error:
        bare("sqs").send_message(QueueUrl=url, MessageBody="x")
    assert "because no identity-based policy allows" in denied(error)[1]
    other_root("sqs").send_message(QueueUrl=url, MessageBody="the other account's root")


def test_assumed_role_with_a_session_policy(enforced: Server, root: Client, name: str) -> None:
    sqs = root("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    iam = root("iam")
    user = new_user(enforced, iam, f"{name}-u")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:user/{name}-u"}, "Action": "sts:AssumeRole"}
        ],
    }
    role_arn = iam.create_role(RoleName=f"{name}-r", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=f"{name}-r", PolicyName="p", PolicyDocument=allow("sqs:*"))
    # another user the trust policy does not name may not assume the role
    stranger = new_user(enforced, iam, f"{name}-s", allow("sts:AssumeRole"))
    with pytest.raises(ClientError) as error:
        stranger("sts").assume_role(RoleArn=role_arn, RoleSessionName="stranger")
    assert denied(error)[0] == "AccessDenied"
    # the trust policy names the user: no identity policy needed within the account
    creds = user("sts").assume_role(RoleArn=role_arn, RoleSessionName="ci", Policy=allow("sqs:SendMessage"))[
        "Credentials"
    ]
    session = lambda service: client(  # noqa: E731
        enforced, service, creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]
    )
    assert session("sts").get_caller_identity()["Arn"] == f"arn:aws:sts::{ACCT}:assumed-role/{name}-r/ci"
    session("sqs").send_message(QueueUrl=url, MessageBody="role and session policy allow")
    with pytest.raises(ClientError) as error:
        session("sqs").receive_message(QueueUrl=url)  # the role allows it, the session policy does not
    code, message = denied(error)
    assert code == "AccessDenied"
    assert message.startswith(f"User: arn:aws:sts::{ACCT}:assumed-role/{name}-r/ci is not authorized")
    assert message.endswith("because no session policy allows the sqs:ReceiveMessage action")
    # a tampered token is not a session
    with pytest.raises(ClientError) as error:
        client(
            enforced, "sqs", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"][:-4] + "AAAA"
        ).send_message(QueueUrl=url, MessageBody="x")
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_an_inactive_key_is_refused(enforced: Server, root: Client, name: str) -> None:
    iam = root("iam")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    iam.update_access_key(UserName=name, AccessKeyId=key["AccessKeyId"], Status="Inactive")
    with pytest.raises(ClientError) as error:
        client(enforced, "sqs", key["AccessKeyId"], key["SecretAccessKey"]).list_queues()
    assert denied(error)[0] in ("InvalidClientTokenId", "UnrecognizedClientException")


def test_a_session_key_without_its_token_is_refused(enforced: Server, root: Client, name: str) -> None:
    """An issued key acts only as its session: dropping (or swapping) the token never makes it the account's root."""
    iam = root("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": ACCT}, "Action": "sts:AssumeRole"}],
    }
    role_arn = iam.create_role(RoleName=f"{name}-r", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    creds = root("sts").assume_role(RoleArn=role_arn, RoleSessionName="one")["Credentials"]
    other = root("sts").assume_role(RoleArn=role_arn, RoleSessionName="two")["Credentials"]
    for token in (None, "", other["SessionToken"], "FQoGZXIvYXdzEbogus"):
        keyed = client(enforced, "sns", creds["AccessKeyId"], creds["SecretAccessKey"], token or None)
        with pytest.raises(ClientError) as error:
            keyed.create_topic(Name=name)
        code, message = denied(error)
        assert (code, message) == ("InvalidClientTokenId", "The security token included in the request is invalid.")
        assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as error:  # the JSON protocols' word for it
        client(enforced, "kinesis", creds["AccessKeyId"], creds["SecretAccessKey"]).list_streams()
    assert denied(error)[0] == "UnrecognizedClientException"
    # GetSessionToken's key likewise
    session = root("sts").get_session_token()["Credentials"]
    with pytest.raises(ClientError) as error:
        client(enforced, "sns", session["AccessKeyId"], session["SecretAccessKey"]).list_topics()
    assert denied(error)[0] == "InvalidClientTokenId"
    client(enforced, "sns", session["AccessKeyId"], session["SecretAccessKey"], session["SessionToken"]).list_topics()


def test_a_deleted_user_key_is_refused(enforced: Server, root: Client, name: str) -> None:
    iam = root("iam")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=allow("sns:*"))
    user = client(enforced, "sns", key["AccessKeyId"], key["SecretAccessKey"])
    user.list_topics()
    iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    with pytest.raises(ClientError) as error:  # not the account's root
        user.list_topics()
    assert denied(error)[0] == "InvalidClientTokenId"


def test_principal_org_id(enforced: Server, root: Client, other_root: Client, name: str) -> None:
    """aws:PrincipalOrgID is the organisation set for the caller's account at /_gureum/iam/organization."""
    sqs = root("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = f"arn:aws:sqs:us-east-1:{ACCT}:{name}"
    org = "o-" + name.replace("-", "")[-12:].lower().ljust(12, "0")
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "sqs:SendMessage",
        "Resource": arn,
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": org}},
    }
    sqs.set_queue_attributes(
        QueueUrl=url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [statement]})}
    )
    with pytest.raises(ClientError) as error:
        other_root("sqs").send_message(QueueUrl=url, MessageBody="x")
    assert "because no resource-based policy allows the sqs:SendMessage action" in denied(error)[1]
    admin = f"{enforced.endpoint}/_gureum/iam/organization"
    assert httpx.put(admin, json={"accountId": OTHER, "organizationId": "not-an-org"}).status_code == 400
    r = httpx.put(admin, json={"accountId": OTHER, "organizationId": org})
    assert r.status_code == 200, r.text
    assert httpx.get(admin).json()["organizations"][OTHER] == org
    other_root("sqs").send_message(QueueUrl=url, MessageBody="a member of the organisation")
    assert httpx.delete(admin, params={"accountId": OTHER}).status_code == 200
    with pytest.raises(ClientError):
        other_root("sqs").send_message(QueueUrl=url, MessageBody="no longer")


def test_owner_only_actions_are_never_granted_across_accounts(root: Client, other_root: Client, name: str) -> None:
    """A queue policy granting sqs:* to another account grants it only what SQS lets a policy grant across accounts
    (SendMessage, ReceiveMessage, ...); SetQueueAttributes and the like stay the owner's."""
    sqs = root("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = f"arn:aws:sqs:us-east-1:{ACCT}:{name}"
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "sqs:*", "Resource": arn}],
    }
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    other_root("sqs").send_message(QueueUrl=url, MessageBody="granted")
    with pytest.raises(ClientError) as error:
        other_root("sqs").set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "5"})
    assert "because no resource-based policy allows the sqs:SetQueueAttributes action" in denied(error)[1]
