"""Resource providers of Firehose, SES, ECS, Batch and Glue end to end: one stack holding a resource of each type,
every one read back through its own service (numbers written as text, members in the template's PascalCase where
the API is camelCase), some changed in place or by a new revision on update, and all gone after delete."""

from __future__ import annotations

import json
from typing import Any

from ...expect import expect_error
from ._helpers import WAIT, body, events, outputs, settle, wait


def template(interval: str, subject: str, priority: int, command: str) -> dict[str, Any]:
    return {
        "Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket"},
            "Delivery": {
                "Type": "AWS::KinesisFirehose::DeliveryStream",
                "Properties": {
                    "ExtendedS3DestinationConfiguration": {
                        "RoleARN": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/firehose"},
                        "BucketARN": {"Fn::GetAtt": ["Bucket", "Arn"]},
                        "BufferingHints": {"IntervalInSeconds": interval, "SizeInMBs": "1"},
                    },
                    "Tags": [{"Key": "kind", "Value": "delivery"}],
                },
            },
            "Identity": {
                "Type": "AWS::SES::EmailIdentity",
                "Properties": {"EmailIdentity": {"Fn::Sub": "${AWS::StackName}.example.com"}},
            },
            "ConfigSet": {"Type": "AWS::SES::ConfigurationSet"},
            "Events": {"Type": "AWS::SNS::Topic"},
            "EventDest": {
                "Type": "AWS::SES::ConfigurationSetEventDestination",
                "Properties": {
                    "ConfigurationSetName": {"Ref": "ConfigSet"},
                    "EventDestination": {
                        "Enabled": True,
                        "MatchingEventTypes": ["send", "renderingFailure"],  # SES v1's names, as templates write them
                        "SnsDestination": {"TopicARN": {"Ref": "Events"}},
                    },
                },
            },
            "Filter": {
                "Type": "AWS::SES::ReceiptFilter",
                "Properties": {"Filter": {"IpFilter": {"Policy": "Block", "Cidr": "10.9.0.0/16"}}},
            },
            "Mail": {
                "Type": "AWS::SES::Template",
                "Properties": {"Template": {"SubjectPart": subject, "TextPart": "Hello {{name}}"}},
            },
            "RuleSet": {"Type": "AWS::SES::ReceiptRuleSet"},
            "Rule": {
                "Type": "AWS::SES::ReceiptRule",
                "Properties": {
                    "RuleSetName": {"Ref": "RuleSet"},
                    "Rule": {"Enabled": "true", "Recipients": [{"Fn::Sub": "in@${Identity}"}], "ScanEnabled": True},
                },
            },
            "Cluster": {"Type": "AWS::ECS::Cluster"},
            "Providers": {
                "Type": "AWS::ECS::ClusterCapacityProviderAssociations",
                "Properties": {
                    "Cluster": {"Ref": "Cluster"},
                    "CapacityProviders": ["FARGATE", "FARGATE_SPOT"],
                    "DefaultCapacityProviderStrategy": [{"CapacityProvider": "FARGATE", "Weight": "1"}],
                },
            },
            "Http": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": "http", "ProtocolType": "HTTP"}},
            "Task": {
                "Type": "AWS::ECS::TaskDefinition",
                "Properties": {
                    "ContainerDefinitions": [
                        {"Name": "app", "Image": "busybox", "Memory": "64", "Essential": "true", "Command": ["true"]}
                    ],
                },
            },
            "Service": {
                "Type": "AWS::ECS::Service",
                "Properties": {"Cluster": {"Ref": "Cluster"}, "TaskDefinition": {"Ref": "Task"}, "DesiredCount": 0},
            },
            "Compute": {
                "Type": "AWS::Batch::ComputeEnvironment",
                "Properties": {
                    "Type": "MANAGED",
                    "ComputeResources": {"Type": "FARGATE", "MaxvCpus": "4", "Subnets": ["subnet-12345678"]},
                    "Tags": {"kind": "compute"},
                },
            },
            "Fairshare": {
                "Type": "AWS::Batch::SchedulingPolicy",
                "Properties": {"FairsharePolicy": {"ShareDecaySeconds": "60"}},
            },
            "Queue": {
                "Type": "AWS::Batch::JobQueue",
                "Properties": {
                    "Priority": priority,
                    "ComputeEnvironmentOrder": [{"Order": 1, "ComputeEnvironment": {"Ref": "Compute"}}],
                    "SchedulingPolicyArn": {"Ref": "Fairshare"},
                },
            },
            "Job": {
                "Type": "AWS::Batch::JobDefinition",
                "Properties": {
                    "Type": "container",
                    "ContainerProperties": {"Image": "busybox", "Vcpus": "1", "Memory": "128", "Command": [command]},
                },
            },
            "Database": {"Type": "AWS::Glue::Database", "Properties": {"DatabaseInput": {"Description": subject}}},
            "Table": {
                "Type": "AWS::Glue::Table",
                "Properties": {
                    "DatabaseName": {"Ref": "Database"},
                    "CatalogId": {"Ref": "AWS::AccountId"},
                    "TableInput": {
                        "Name": "events",
                        "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "string"}]},
                    },
                },
            },
        },
        "Outputs": {
            "Delivery": {"Value": {"Ref": "Delivery"}},
            "DeliveryArn": {"Value": {"Fn::GetAtt": ["Delivery", "Arn"]}},
            "Identity": {"Value": {"Ref": "Identity"}},
            "EventsTopic": {"Value": {"Ref": "Events"}},
            "Dkim1": {"Value": {"Fn::GetAtt": ["Identity", "DkimDNSTokenName1"]}},
            "ConfigSet": {"Value": {"Ref": "ConfigSet"}},
            "EventDest": {"Value": {"Fn::GetAtt": ["EventDest", "Id"]}},
            "Filter": {"Value": {"Ref": "Filter"}},
            "Mail": {"Value": {"Ref": "Mail"}},
            "RuleSet": {"Value": {"Ref": "RuleSet"}},
            "Rule": {"Value": {"Ref": "Rule"}},
            "Cluster": {"Value": {"Ref": "Cluster"}},
            "Http": {"Value": {"Ref": "Http"}},
            "ClusterArn": {"Value": {"Fn::GetAtt": ["Cluster", "Arn"]}},
            "Task": {"Value": {"Ref": "Task"}},
            "Service": {"Value": {"Ref": "Service"}},
            "ServiceName": {"Value": {"Fn::GetAtt": ["Service", "Name"]}},
            "Compute": {"Value": {"Ref": "Compute"}},
            "Fairshare": {"Value": {"Fn::GetAtt": ["Fairshare", "Arn"]}},
            "Queue": {"Value": {"Ref": "Queue"}},
            "Job": {"Value": {"Ref": "Job"}},
            "Database": {"Value": {"Ref": "Database"}},
            "Table": {"Value": {"Ref": "Table"}},
        },
    }


def test_service_providers(cfn: Any, aws: Any, name: str) -> None:
    firehose, ses, sesv2, ecs, batch, glue = (aws(s) for s in ("firehose", "ses", "sesv2", "ecs", "batch", "glue"))
    cfn.create_stack(
        StackName=name, TemplateBody=body(template("60", "first", 1, "one")), Tags=[{"Key": "team", "Value": "t1"}]
    )
    out = outputs(wait(cfn, "stack_create_complete", name))

    stream = firehose.describe_delivery_stream(DeliveryStreamName=out["Delivery"])["DeliveryStreamDescription"]
    assert stream["DeliveryStreamARN"] == out["DeliveryArn"]
    hints = stream["Destinations"][0]["ExtendedS3DestinationDescription"]["BufferingHints"]
    assert hints == {"IntervalInSeconds": 60, "SizeInMBs": 1}
    tags = firehose.list_tags_for_delivery_stream(DeliveryStreamName=out["Delivery"])["Tags"]
    assert {"Key": "team", "Value": "t1"} in tags and {"Key": "kind", "Value": "delivery"} in tags
    stack_id = cfn.describe_stacks(StackName=name)["Stacks"][0]["StackId"]
    for key, value in (("stack-name", name), ("stack-id", stack_id), ("logical-id", "Delivery")):
        assert {"Key": f"aws:cloudformation:{key}", "Value": value} in tags

    assert out["Identity"] == f"{name}.example.com"
    identity = sesv2.get_email_identity(EmailIdentity=out["Identity"])
    token = identity["DkimAttributes"]["Tokens"][0]
    assert out["Dkim1"] == f"{token}._domainkey.{name}.example.com"
    sesv2.get_configuration_set(ConfigurationSetName=out["ConfigSet"])
    config_arn = f"arn:aws:ses:us-east-1:000000000000:configuration-set/{out['ConfigSet']}"
    assert sesv2.list_tags_for_resource(ResourceArn=config_arn)["Tags"] == [{"Key": "team", "Value": "t1"}]
    found = sesv2.get_configuration_set_event_destinations(ConfigurationSetName=out["ConfigSet"])["EventDestinations"]
    assert [(d["Name"], d["SnsDestination"]["TopicArn"]) for d in found] == [(out["EventDest"], out["EventsTopic"])]
    assert sorted(found[0]["MatchingEventTypes"]) == ["RENDERING_FAILURE", "SEND"]
    filters = ses.list_receipt_filters()["Filters"]
    assert {"Name": out["Filter"], "IpFilter": {"Policy": "Block", "Cidr": "10.9.0.0/16"}} in filters
    assert ses.get_template(TemplateName=out["Mail"])["Template"]["SubjectPart"] == "first"
    rule = ses.describe_receipt_rule(RuleSetName=out["RuleSet"], RuleName=out["Rule"])["Rule"]
    assert rule["Recipients"] == [f"in@{name}.example.com"] and rule["Enabled"] is True

    cluster = ecs.describe_clusters(clusters=[out["Cluster"]], include=["TAGS"])["clusters"][0]
    assert cluster["clusterArn"] == out["ClusterArn"] and cluster["status"] == "ACTIVE"
    assert cluster["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert cluster["defaultCapacityProviderStrategy"][0]["capacityProvider"] == "FARGATE"
    task = ecs.describe_task_definition(taskDefinition=out["Task"])["taskDefinition"]
    assert task["containerDefinitions"][0]["memory"] == 64 and task["containerDefinitions"][0]["essential"] is True
    service = ecs.describe_services(cluster=out["Cluster"], services=[out["Service"]])["services"][0]
    assert service["serviceName"] == out["ServiceName"] and service["taskDefinition"] == out["Task"]

    compute = batch.describe_compute_environments(computeEnvironments=[out["Compute"]])["computeEnvironments"][0]
    assert compute["status"] == "VALID" and compute["computeResources"]["maxvCpus"] == 4
    assert compute["tags"] == {"kind": "compute", "team": "t1"}
    queue = batch.describe_job_queues(jobQueues=[out["Queue"]])["jobQueues"][0]
    assert queue["priority"] == 1 and queue["schedulingPolicyArn"] == out["Fairshare"]
    assert queue["computeEnvironmentOrder"] == [{"order": 1, "computeEnvironment": out["Compute"]}]
    job = batch.describe_job_definitions(jobDefinitions=[out["Job"]])["jobDefinitions"][0]
    assert job["containerProperties"]["command"] == ["one"] and job["revision"] == 1

    assert glue.get_database(Name=out["Database"])["Database"]["Description"] == "first"
    assert glue.get_table(DatabaseName=out["Database"], Name=out["Table"])["Table"]["Name"] == "events"

    cfn.update_stack(StackName=name, TemplateBody=body(template("120", "second", 2, "two")))
    after = outputs(wait(cfn, "stack_update_complete", name))
    # in place: the same stream, template, queue and database; the job definition is a new revision
    assert after["Delivery"] == out["Delivery"] and after["Mail"] == out["Mail"] and after["Queue"] == out["Queue"]
    stream = firehose.describe_delivery_stream(DeliveryStreamName=out["Delivery"])["DeliveryStreamDescription"]
    assert stream["Destinations"][0]["ExtendedS3DestinationDescription"]["BufferingHints"]["IntervalInSeconds"] == 120
    assert ses.get_template(TemplateName=out["Mail"])["Template"]["SubjectPart"] == "second"
    assert batch.describe_job_queues(jobQueues=[out["Queue"]])["jobQueues"][0]["priority"] == 2
    assert glue.get_database(Name=out["Database"])["Database"]["Description"] == "second"
    assert after["Job"] != out["Job"] and after["Job"].endswith(":2")
    new_job = batch.describe_job_definitions(jobDefinitions=[after["Job"]])["jobDefinitions"][0]
    assert new_job["containerProperties"]["command"] == ["two"]
    old_job = batch.describe_job_definitions(jobDefinitions=[out["Job"]])["jobDefinitions"]
    assert [j["status"] for j in old_job] in ([], ["INACTIVE"])

    # a change of the stack's tags alone reaches the resources that take tags, in place
    cfn.update_stack(
        StackName=name, UsePreviousTemplate=True, Tags=[{"Key": "team", "Value": "t2"}, {"Key": "cost", "Value": "c"}]
    )
    wait(cfn, "stack_update_complete", name)
    tags = firehose.list_tags_for_delivery_stream(DeliveryStreamName=out["Delivery"])["Tags"]
    assert {t["Key"]: t["Value"] for t in tags if not t["Key"].startswith("aws:")} == {
        "team": "t2",
        "cost": "c",
        "kind": "delivery",
    }
    assert {"Key": "aws:cloudformation:logical-id", "Value": "Delivery"} in tags
    config_tags = sesv2.list_tags_for_resource(ResourceArn=config_arn)["Tags"]
    assert {t["Key"]: t["Value"] for t in config_tags} == {"team": "t2", "cost": "c"}
    compute = batch.describe_compute_environments(computeEnvironments=[out["Compute"]])["computeEnvironments"][0]
    assert compute["tags"] == {"kind": "compute", "team": "t2", "cost": "c"}
    cluster = ecs.describe_clusters(clusters=[out["Cluster"]], include=["TAGS"])["clusters"][0]
    assert {t["key"]: t["value"] for t in cluster["tags"]} == {"team": "t2", "cost": "c"}
    http = aws("apigatewayv2").get_api(ApiId=out["Http"])["Tags"]
    assert (http["team"], http["cost"], http["aws:cloudformation:logical-id"]) == ("t2", "c", "Http")

    cfn.delete_stack(StackName=name)
    wait(cfn, "stack_delete_complete", name)
    expect_error(
        lambda: firehose.describe_delivery_stream(DeliveryStreamName=out["Delivery"]), "ResourceNotFoundException"
    )
    expect_error(lambda: sesv2.get_email_identity(EmailIdentity=out["Identity"]), "NotFoundException")
    expect_error(lambda: ses.get_template(TemplateName=out["Mail"]), "TemplateDoesNotExist")
    assert out["Filter"] not in [f["Name"] for f in ses.list_receipt_filters()["Filters"]]
    assert out["RuleSet"] not in [s["Name"] for s in ses.list_receipt_rule_sets().get("RuleSets", [])]
    assert ecs.describe_clusters(clusters=[out["Cluster"]])["clusters"][0]["status"] == "INACTIVE"
    assert batch.describe_compute_environments(computeEnvironments=[out["Compute"]])["computeEnvironments"] == []
    assert batch.describe_job_queues(jobQueues=[out["Queue"]])["jobQueues"] == []
    assert batch.describe_scheduling_policies(arns=[out["Fairshare"]])["schedulingPolicies"] == []
    expect_error(lambda: glue.get_database(Name=out["Database"]), "EntityNotFoundException")


def test_stack_tags_roll_back(cfn: Any, aws: Any, name: str) -> None:
    sqs = aws("sqs")
    queue = {"Queue": {"Type": "AWS::SQS::Queue"}}
    cfn.create_stack(StackName=name, TemplateBody=body({"Resources": queue}), Tags=[{"Key": "team", "Value": "t1"}])
    wait(cfn, "stack_create_complete", name)
    url = cfn.describe_stack_resource(StackName=name, LogicalResourceId="Queue")["StackResourceDetail"]
    url = url["PhysicalResourceId"]
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"]["team"] == "t1"
    broken = {**queue, "Broken": {"Type": "AWS::Nothing::Here", "DependsOn": "Queue"}}
    cfn.update_stack(StackName=name, TemplateBody=body({"Resources": broken}), Tags=[{"Key": "team", "Value": "t2"}])
    found = settle(cfn, name)
    assert found["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE" and found["Tags"] == [{"Key": "team", "Value": "t1"}]
    assert ("Queue", "UPDATE_COMPLETE", "") in events(cfn, name)  # retagged t2, then back
    tags = sqs.list_queue_tags(QueueUrl=url)["Tags"]
    assert tags["team"] == "t1" and tags["aws:cloudformation:logical-id"] == "Queue"

    # a change set that changes the stack's tags alone: each resource that takes them is modified, in place
    cfn.create_change_set(StackName=name, ChangeSetName="retag", UsePreviousTemplate=True, Tags=[])
    cfn.get_waiter("change_set_create_complete").wait(StackName=name, ChangeSetName="retag", WaiterConfig=WAIT)
    change = cfn.describe_change_set(StackName=name, ChangeSetName="retag")["Changes"][0]["ResourceChange"]
    assert (change["LogicalResourceId"], change["Action"], change["Scope"]) == ("Queue", "Modify", ["Tags"])
    assert change["Replacement"] == "False"
    cfn.execute_change_set(StackName=name, ChangeSetName="retag")
    assert wait(cfn, "stack_update_complete", name)["Tags"] == []
    assert "team" not in sqs.list_queue_tags(QueueUrl=url)["Tags"]
    cfn.delete_stack(StackName=name)
    wait(cfn, "stack_delete_complete", name)


def test_logs_resource_policy(cfn: Any, aws: Any, name: str) -> None:
    logs = aws("logs")

    def stack_of(sid: str) -> str:
        resource = {"Fn::Sub": "arn:aws:logs:*:${AWS::AccountId}:*"}
        statement = {"Sid": sid, "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                     "Action": "logs:PutLogEvents", "Resource": resource}  # fmt: skip
        document = {"Fn::ToJsonString": {"Version": "2012-10-17", "Statement": [statement]}}
        policy = {"Type": "AWS::Logs::ResourcePolicy", "Properties": {"PolicyName": name, "PolicyDocument": document}}
        return body({"Transform": "AWS::LanguageExtensions", "Resources": {"Policy": policy}})

    def sids() -> list[str]:
        found = [p for p in logs.describe_resource_policies()["resourcePolicies"] if p["policyName"] == name]
        return [s["Sid"] for p in found for s in json.loads(p["policyDocument"])["Statement"]]

    cfn.create_stack(StackName=name, TemplateBody=stack_of("first"), Capabilities=["CAPABILITY_AUTO_EXPAND"])
    wait(cfn, "stack_create_complete", name)
    assert sids() == ["first"]
    cfn.update_stack(StackName=name, TemplateBody=stack_of("second"), Capabilities=["CAPABILITY_AUTO_EXPAND"])
    wait(cfn, "stack_update_complete", name)
    assert sids() == ["second"]
    cfn.delete_stack(StackName=name)
    wait(cfn, "stack_delete_complete", name)
    assert sids() == []


def test_dynamodb_indexes_change_with_the_stack(cfn: Any, aws: Any, name: str) -> None:
    ddb = aws("dynamodb")

    def stack_of(indexes: list[str]) -> str:
        table = {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "TableName": name,
                "BillingMode": "PAY_PER_REQUEST",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in ["pk", *indexes]],
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": f"by-{a}",
                        "KeySchema": [{"AttributeName": a, "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                    for a in indexes
                ],  # fmt: skip
            },
        }
        return body({"Resources": {"Table": table}})

    def indexes() -> list[str]:
        found = ddb.describe_table(TableName=name)["Table"].get("GlobalSecondaryIndexes") or []
        return sorted(i["IndexName"] for i in found)

    cfn.create_stack(StackName=name, TemplateBody=stack_of(["a"]))
    wait(cfn, "stack_create_complete", name)
    assert indexes() == ["by-a"]
    cfn.update_stack(StackName=name, TemplateBody=stack_of(["b"]))  # one index deleted, another created
    wait(cfn, "stack_update_complete", name)
    assert indexes() == ["by-b"]
    cfn.delete_stack(StackName=name)
    wait(cfn, "stack_delete_complete", name)
