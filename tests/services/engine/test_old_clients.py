"""Clients built from older botocore models (botocore 1.29, the models of Debian's aws-cli 2.9.19): REST URIs
the current models changed (Lambda's trailing slashes, {ARN} labels) still route, and every service answers
the old client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..lambda_.zips import ROLE, make_zip


def test_old_lambda_uris_route(old_client: Callable[..., Any], name: str) -> None:
    """GET /2015-03-31/functions/ (aws lambda list-functions of aws-cli 2.9.19) and the other URIs that ended in a
    slash then: event-source-mappings/, account-settings/; tags/{ARN}."""
    code = make_zip({"index.py": "def handler(event, context):\n    return 1\n"})
    out = old_client(
        f"""
import base64
lam = client("lambda")
created = lam.create_function(FunctionName={name!r}, Runtime="python3.12", Role={ROLE!r},
    Handler="index.handler", Code={{"ZipFile": base64.b64decode({__import__("base64").b64encode(code).decode()!r})}})
arn = created["FunctionArn"]
out["listed"] = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
out["mappings"] = lam.list_event_source_mappings(FunctionName={name!r})["EventSourceMappings"]
out["limits"] = lam.get_account_settings()["AccountLimit"]["ConcurrentExecutions"]
lam.tag_resource(Resource=arn, Tags={{"team": "old"}})
out["tags"] = lam.list_tags(Resource=arn)["Tags"]
lam.untag_resource(Resource=arn, TagKeys=["team"])
out["untagged"] = lam.list_tags(Resource=arn)["Tags"]
lam.delete_function(FunctionName={name!r})
"""
    )
    assert name in out["listed"]
    assert out["mappings"] == []
    assert out["limits"] > 0
    assert out["tags"] == {"team": "old"} and out["untagged"] == {}


def test_old_client_every_service(old_client: Callable[..., Any], name: str) -> None:
    """One call or more per service with the 2023 models, SQS over the query protocol it spoke then."""
    out = old_client(
        f"""
sqs = client("sqs")
url = sqs.create_queue(QueueName={name!r})["QueueUrl"]
sqs.send_message(QueueUrl=url, MessageBody="old", MessageAttributes={{"k": {{"DataType": "String",
    "StringValue": "v"}}}})
got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], AttributeNames=["All"])["Messages"][0]
out["sqs"] = [got["Body"], got["MessageAttributes"]["k"]["StringValue"], "SentTimestamp" in got["Attributes"]]
sqs.delete_queue(QueueUrl=url)
sns = client("sns")
topic = sns.create_topic(Name={name!r})["TopicArn"]
out["sns"] = topic in [t["TopicArn"] for t in sns.list_topics()["Topics"]]
out["sts"] = client("sts").get_caller_identity()["Account"]
out["iam"] = isinstance(client("iam").list_roles()["Roles"], list)
events = client("events")
events.put_rule(Name={name!r}, EventPattern='{{"source": ["old"]}}')
out["events"] = [r["Name"] for r in events.list_rules(NamePrefix={name!r})["Rules"]]
logs = client("logs")
logs.create_log_group(logGroupName={name!r})
out["logs"] = [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix={name!r})["logGroups"]]
out["scheduler"] = isinstance(client("scheduler").list_schedules()["Schedules"], list)
out["apigateway"] = client("apigateway").create_rest_api(name={name!r})["name"]
out["apigatewayv2"] = client("apigatewayv2").create_api(Name={name!r}, ProtocolType="HTTP")["Name"]
"""
    )
    assert out["sqs"] == ["old", "v", True]
    assert out["sns"] is True
    assert out["sts"] == "000000000000"
    assert out["iam"] is True
    assert out["events"] == [name] and out["logs"] == [name]
    assert out["scheduler"] is True
    assert out["apigateway"] == name and out["apigatewayv2"] == name
