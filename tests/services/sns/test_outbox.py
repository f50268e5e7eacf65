"""Captured deliveries end to end: e-mail and e-mail-json (with the confirmation link), SMS (sandbox,
verification codes, opt-outs, SMS attributes) and mobile push (platform applications and endpoints), all
inspected through GET /_gureum/sns/messages."""

from __future__ import annotations

import json
from typing import Any

from ._helpers import admin_post, expect_error, http_get, outbox, verify_signature


def test_email_subscription_flow(sns: Any, topic: str, endpoint: str, name: str) -> None:
    address = f"{name}@example.com"
    sns.set_topic_attributes(TopicArn=topic, AttributeName="DisplayName", AttributeValue="Alerts")
    assert (
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint=address)["SubscriptionArn"] == "pending confirmation"
    )
    sns.publish(TopicArn=topic, Message="not yet")
    (confirmation,) = outbox(endpoint, protocol="email", endpoint=address)
    assert (
        confirmation["type"] == "SubscriptionConfirmation"
        and confirmation["subject"] == "AWS Notification - Subscription Confirmation"
    )
    assert confirmation["subscribeUrl"] in confirmation["message"]
    status, _ = http_get(confirmation["subscribeUrl"])
    assert status == 200
    message_id = sns.publish(TopicArn=topic, Message="Hello by mail", Subject="Greetings")["MessageId"]
    mails = outbox(endpoint, protocol="email", endpoint=address, type="Notification")
    assert len(mails) == 1
    mail = mails[0]
    assert mail["messageId"] == message_id and mail["subject"] == "Greetings" and mail["topicArn"] == topic
    assert mail["message"].startswith("Hello by mail\n\n--\nIf you wish to stop receiving notifications")
    assert mail["from"] == "Alerts <no-reply@sns.amazonaws.com>" and mail["unsubscribeUrl"] in mail["message"]
    sns.publish(TopicArn=topic, Message="no subject")
    assert (
        outbox(endpoint, protocol="email", endpoint=address, type="Notification")[-1]["subject"]
        == "AWS Notification Message"
    )


def test_email_json_gets_the_signed_envelope(sns: Any, topic: str, endpoint: str, name: str) -> None:
    address = f"{name}@example.com"
    arn = sns.subscribe(TopicArn=topic, Protocol="email-json", Endpoint=address, ReturnSubscriptionArn=True)[
        "SubscriptionArn"
    ]
    confirmation = json.loads(outbox(endpoint, protocol="email-json", endpoint=address)[0]["message"])
    assert confirmation["Type"] == "SubscriptionConfirmation"
    sns.confirm_subscription(TopicArn=topic, Token=confirmation["Token"])
    sns.publish(TopicArn=topic, Message="as json")
    body = json.loads(outbox(endpoint, protocol="email-json", endpoint=address, type="Notification")[0]["message"])
    assert body["Message"] == "as json" and body["UnsubscribeURL"].endswith(arn)
    verify_signature(body)


def test_sms_sandbox_flow(sns: Any, aws: Any, endpoint: str) -> None:
    client = aws("sns", region="eu-west-1")  # a region of its own: the sandbox list is per account and Region
    number = "+15555550123"
    assert client.get_sms_sandbox_account_status()["IsInSandbox"] is True
    expect_error(client.publish, "AuthorizationError", status=403, PhoneNumber=number, Message="blocked")
    client.create_sms_sandbox_phone_number(PhoneNumber=number, LanguageCode="en-US")
    assert client.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == [{"PhoneNumber": number, "Status": "Pending"}]
    codes = outbox(endpoint, protocol="sms", endpoint=number, type="Verification", region="eu-west-1")
    otp = codes[-1]["otp"]
    assert otp in codes[-1]["message"] and len(otp) == 6
    wrong = "000000" if otp != "000000" else "111111"
    expect_error(
        client.verify_sms_sandbox_phone_number, "VerificationException", PhoneNumber=number, OneTimePassword=wrong
    )
    client.verify_sms_sandbox_phone_number(PhoneNumber=number, OneTimePassword=otp)
    assert client.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == [{"PhoneNumber": number, "Status": "Verified"}]
    message_id = client.publish(
        PhoneNumber=number,
        Message="hello phone",
        MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
    )["MessageId"]
    sent = outbox(endpoint, protocol="sms", endpoint=number, type="Notification", region="eu-west-1")
    assert [(m["messageId"], m["message"], m["status"], m["smsType"]) for m in sent] == [
        (message_id, "hello phone", "SUCCESS", "Transactional")
    ]
    client.delete_sms_sandbox_phone_number(PhoneNumber=number)
    expect_error(client.verify_sms_sandbox_phone_number, "ResourceNotFound", PhoneNumber=number, OneTimePassword=otp)
    expect_error(client.delete_sms_sandbox_phone_number, "ResourceNotFound", PhoneNumber=number)
    expect_error(client.create_sms_sandbox_phone_number, "ValidationError", PhoneNumber="not-a-number")
    assert client.list_origination_numbers()["PhoneNumbers"] == []


def test_sms_outside_the_sandbox_and_topic_subscriptions(aws: Any, endpoint: str, name: str) -> None:
    client = aws("sns", region="ap-southeast-2")
    admin_post(endpoint, "/_gureum/sns/sms-sandbox", {"region": "ap-southeast-2", "inSandbox": False})
    assert client.get_sms_sandbox_account_status()["IsInSandbox"] is False
    topic = client.create_topic(Name=name)["TopicArn"]
    client.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+1-555-555-0199")
    client.publish(TopicArn=topic, Message="to all phones")
    client.publish(PhoneNumber="+15555550198", Message="direct")
    assert [
        m["message"] for m in outbox(endpoint, protocol="sms", endpoint="+15555550199", region="ap-southeast-2")
    ] == ["to all phones"]
    assert [
        m["message"] for m in outbox(endpoint, protocol="sms", endpoint="+15555550198", region="ap-southeast-2")
    ] == ["direct"]
    expect_error(
        client.publish,
        "InvalidParameter",
        "Invalid parameter: PhoneNumber Reason: +1a234 is not valid to publish to",
        PhoneNumber="+1a234",
        Message="m",
    )


def test_opt_out_and_opt_in(aws: Any, endpoint: str) -> None:
    client = aws("sns", region="ca-central-1")
    number = "+15555550111"
    assert client.check_if_phone_number_is_opted_out(phoneNumber=number)["isOptedOut"] is False
    admin_post(endpoint, "/_gureum/sns/opt-out", {"phoneNumber": number, "region": "ca-central-1"})
    assert client.check_if_phone_number_is_opted_out(phoneNumber=number)["isOptedOut"] is True
    assert number in client.list_phone_numbers_opted_out()["phoneNumbers"]
    client.opt_in_phone_number(phoneNumber=number)
    assert client.check_if_phone_number_is_opted_out(phoneNumber=number)["isOptedOut"] is False
    admin_post(endpoint, "/_gureum/sns/opt-out", {"phoneNumber": number, "region": "ca-central-1"})
    expect_error(
        client.opt_in_phone_number,
        "InvalidParameter",
        "Invalid parameter: PhoneNumber Reason: A phone number can be opted in only once every 30 days",
        phoneNumber=number,
    )
    expect_error(
        client.check_if_phone_number_is_opted_out,
        "InvalidParameter",
        "Invalid parameter: PhoneNumber Reason: input incorrectly formatted",
        phoneNumber="abc",
    )


def test_sms_attributes(aws: Any) -> None:
    client = aws("sns", region="sa-east-1")
    assert client.get_sms_attributes()["attributes"] == {"MonthlySpendLimit": "1"}
    client.set_sms_attributes(
        attributes={"DefaultSMSType": "Transactional", "DefaultSenderID": "Gureum1", "MonthlySpendLimit": "10"}
    )
    assert client.get_sms_attributes(attributes=["DefaultSMSType", "MonthlySpendLimit"])["attributes"] == {
        "MonthlySpendLimit": "10",
        "DefaultSMSType": "Transactional",
    }
    expect_error(
        client.set_sms_attributes,
        "InvalidParameter",
        "DefaultSMSType is invalid",
        attributes={"DefaultSMSType": "Loud"},
    )
    expect_error(
        client.set_sms_attributes, "InvalidParameter", "Unknown is not a valid attribute", attributes={"Unknown": "x"}
    )


def test_sms_attributes_emptied_go_back_to_their_defaults(aws: Any) -> None:
    # Terraform's aws_sns_sms_preferences, when destroyed, sets every attribute to "" (SNS resets them)
    client = aws("sns", region="ap-south-1")
    client.set_sms_attributes(
        attributes={"DefaultSMSType": "Promotional", "MonthlySpendLimit": "20", "UsageReportS3Bucket": "reports"}
    )
    names = ("DefaultSMSType", "DefaultSenderID", "DeliveryStatusIAMRole", "DeliveryStatusSuccessSamplingRate")
    client.set_sms_attributes(attributes={name: "" for name in (*names, "MonthlySpendLimit", "UsageReportS3Bucket")})
    assert client.get_sms_attributes()["attributes"] == {"MonthlySpendLimit": "1"}


def test_platform_applications_and_endpoints(sns: Any, topic: str, endpoint: str, name: str) -> None:
    app = sns.create_platform_application(Name=name, Platform="GCM", Attributes={"PlatformCredential": "server-key"})[
        "PlatformApplicationArn"
    ]
    assert app.endswith(f":app/GCM/{name}")
    assert sns.get_platform_application_attributes(PlatformApplicationArn=app)["Attributes"] == {"Enabled": "true"}
    assert app in [a["PlatformApplicationArn"] for a in sns.list_platform_applications()["PlatformApplications"]]
    device = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="device-token-1", CustomUserData="alice")[
        "EndpointArn"
    ]
    assert (
        sns.create_platform_endpoint(PlatformApplicationArn=app, Token="device-token-1", CustomUserData="alice")[
            "EndpointArn"
        ]
        == device
    )
    expect_error(
        sns.create_platform_endpoint, "InvalidParameter",
        f"Invalid parameter: Token Reason: Endpoint {device} already exists with the same Token, "
        "but different attributes.",
        PlatformApplicationArn=app, Token="device-token-1", CustomUserData="bob",
    )  # fmt: skip
    assert sns.get_endpoint_attributes(EndpointArn=device)["Attributes"] == {
        "Enabled": "true",
        "Token": "device-token-1",
        "CustomUserData": "alice",
    }
    sns.publish(
        TargetArn=device,
        MessageStructure="json",
        Message=json.dumps({"GCM": json.dumps({"notification": {"title": "hi"}})}),
    )
    sns.subscribe(TopicArn=topic, Protocol="application", Endpoint=device)
    sns.publish(TopicArn=topic, Message="from the topic")
    pushed = outbox(endpoint, protocol="application", endpoint=device)
    assert [m["message"] for m in pushed] == ['{"notification": {"title": "hi"}}', "from the topic"]
    assert pushed[0]["platform"] == "GCM" and pushed[0]["token"] == "device-token-1"
    sns.set_endpoint_attributes(EndpointArn=device, Attributes={"Enabled": "false"})
    expect_error(sns.publish, "EndpointDisabled", "Endpoint is disabled", TargetArn=device, Message="m")
    assert [
        e["EndpointArn"] for e in sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)["Endpoints"]
    ] == [device]
    sns.delete_endpoint(EndpointArn=device)
    sns.delete_endpoint(EndpointArn=device)
    expect_error(sns.get_endpoint_attributes, "NotFound", "Endpoint does not exist", 404, EndpointArn=device)
    expect_error(
        sns.publish,
        "InvalidParameter",
        "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified",
        TargetArn=device,
        Message="m",
    )
    sns.delete_platform_application(PlatformApplicationArn=app)
    expect_error(
        sns.get_platform_application_attributes,
        "NotFound",
        "PlatformApplication does not exist",
        PlatformApplicationArn=app,
    )


def test_platform_application_errors(sns: Any, name: str) -> None:
    expect_error(
        sns.create_platform_application,
        "InvalidParameter",
        "Invalid parameter: Platform Reason: FOO is not supported",
        Name=name,
        Platform="FOO",
        Attributes={"a": "b"},
    )
    expect_error(
        sns.create_platform_application, "InvalidParameter",
        "Invalid parameter: Attributes Reason: PlatformCredential attribute provided without PlatformPrincipal",
        Name=name, Platform="APNS", Attributes={"PlatformCredential": "key"},
    )  # fmt: skip
    expect_error(
        sns.create_platform_application, "InvalidParameter",
        "Invalid parameter: bad name! Reason: "
        "must contain only characters 'a'-'z', 'A'-'Z', '0'-'9', '_', '-', and '.'",
        Name="bad name!", Platform="GCM", Attributes={"PlatformCredential": "key"},
    )  # fmt: skip
    app = sns.create_platform_application(
        Name=name, Platform="APNS", Attributes={"PlatformCredential": "c", "PlatformPrincipal": "p"}
    )["PlatformApplicationArn"]
    expect_error(
        sns.create_platform_endpoint,
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: Invalid attribute name: Color",
        PlatformApplicationArn=app,
        Token="t",
        Attributes={"Color": "red"},
    )
    expect_error(
        sns.create_platform_endpoint,
        "NotFound",
        "PlatformApplication does not exist",
        PlatformApplicationArn=app + "x",
        Token="t",
    )


def test_endpoint_attributes_and_delete_platform_application(sns: Any, topic: str, endpoint: str, name: str) -> None:
    app = sns.create_platform_application(Name=name, Platform="GCM", Attributes={"PlatformCredential": "key"})[
        "PlatformApplicationArn"
    ]
    device = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="token-1")["EndpointArn"]
    other = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="token-2")["EndpointArn"]
    assert sns.get_endpoint_attributes(EndpointArn=device)["Attributes"] == {"Enabled": "true", "Token": "token-1"}
    sns.set_endpoint_attributes(EndpointArn=device, Attributes={"Enabled": "false"})
    expect_error(sns.publish, "EndpointDisabled", "Endpoint is disabled", TargetArn=device, Message="m")
    sns.set_endpoint_attributes(EndpointArn=device, Attributes={"Enabled": "true", "Token": "token-3"})
    assert sns.get_endpoint_attributes(EndpointArn=device)["Attributes"] == {"Enabled": "true", "Token": "token-3"}
    sns.publish(TargetArn=device, Message="after re-enabling")
    assert [(m["message"], m["token"]) for m in outbox(endpoint, protocol="application", endpoint=device)] == [
        ("after re-enabling", "token-3")
    ]
    expect_error(
        sns.set_endpoint_attributes,
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: Invalid value for attribute: Enabled: must be true or false",
        EndpointArn=device,
        Attributes={"Enabled": "maybe"},
    )
    # deleting an endpoint leaves its topic subscriptions, which the owner removes ("you must also unsubscribe")
    sub = sns.subscribe(TopicArn=topic, Protocol="application", Endpoint=other)["SubscriptionArn"]
    sns.delete_platform_application(PlatformApplicationArn=app)
    for gone in (device, other):
        expect_error(sns.get_endpoint_attributes, "NotFound", "Endpoint does not exist", 404, EndpointArn=gone)
        expect_error(
            sns.set_endpoint_attributes,
            "NotFound",
            "Endpoint does not exist",
            EndpointArn=gone,
            Attributes={"Enabled": "true"},
        )
        expect_error(
            sns.publish, "InvalidParameter",
            "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified",
            TargetArn=gone, Message="m",
        )  # fmt: skip
    expect_error(
        sns.list_endpoints_by_platform_application,
        "NotFound",
        "PlatformApplication does not exist",
        PlatformApplicationArn=app,
    )
    assert sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]["Endpoint"] == other
    sns.publish(TopicArn=topic, Message="to nobody")  # the deleted endpoint is skipped
    assert outbox(endpoint, protocol="application", endpoint=other) == []
    sns.delete_platform_application(PlatformApplicationArn=app)  # deleting twice is harmless


def test_opted_out_numbers_page_by_100(aws: Any, endpoint: str) -> None:
    client = aws("sns", region="eu-south-1")
    numbers = {f"+1555{i:07d}" for i in range(101)}
    for number in numbers:
        admin_post(endpoint, "/_gureum/sns/opt-out", {"phoneNumber": number, "region": "eu-south-1"})
    first = client.list_phone_numbers_opted_out()
    assert len(first["phoneNumbers"]) == 100 and first["nextToken"]
    second = client.list_phone_numbers_opted_out(nextToken=first["nextToken"])
    assert len(second["phoneNumbers"]) == 1 and "nextToken" not in second
    assert set(first["phoneNumbers"]) | set(second["phoneNumbers"]) == numbers
    listed = [
        n for page in client.get_paginator("list_phone_numbers_opted_out").paginate() for n in page["phoneNumbers"]
    ]
    assert sorted(listed) == sorted(numbers)
    client.opt_in_phone_number(phoneNumber=min(numbers))
    assert min(numbers) not in client.list_phone_numbers_opted_out()["phoneNumbers"]
    assert client.check_if_phone_number_is_opted_out(phoneNumber=min(numbers))["isOptedOut"] is False
