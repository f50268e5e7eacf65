"""Resource providers end to end: one stack with a resource of most supported types, each checked through its own
service after create, some updated in place, and all gone after delete."""

from __future__ import annotations

import urllib.request
from typing import Any

from ...awslogs import log_messages
from ...expect import expect_error
from ._helpers import body, outputs, wait

CODE = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'rest-ok'}\n"
ROLE = {
    "Type": "AWS::IAM::Role",
    "Properties": {
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": ["lambda.amazonaws.com", "scheduler.amazonaws.com"]},
                }
            ],
        }
    },
}


def template(retention: int, description: str) -> dict[str, Any]:
    fn_arn = {"Fn::GetAtt": ["Fn", "Arn"]}
    made = _template(retention, description, fn_arn)
    for logical in ("Fn", "Stream", "Rule"):  # tags changed in place by an update
        made["Resources"][logical]["Properties"]["Tags"] = [{"Key": "v", "Value": description}]
    return made


def _template(retention: int, description: str, fn_arn: dict[str, Any]) -> dict[str, Any]:
    return {
        "Resources": {
            "Role": ROLE,
            "Managed": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "Roles": [{"Ref": "Role"}],
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}],
                    },
                },
            },
            "Group": {"Type": "AWS::IAM::Group"},
            "Profile": {"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [{"Ref": "Role"}]}},
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "index.handler",
                    "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                    "Code": {"ZipFile": CODE},
                    "Description": description,
                },
            },
            "Version": {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}}},
            "Alias": {
                "Type": "AWS::Lambda::Alias",
                "Properties": {
                    "FunctionName": {"Ref": "Fn"},
                    "Name": "live",
                    "FunctionVersion": {"Fn::GetAtt": ["Version", "Version"]},
                },
            },
            # the resources that change the function run one after another (DependsOn): gureum's Lambda loses one of
            # two concurrent writes to a function's row on PostgreSQL (a policy statement, an EventInvokeConfig),
            # reported to its owner; CloudFormation itself would run them in parallel, as AWS does
            "Url": {
                "Type": "AWS::Lambda::Url",
                "DependsOn": "Alias",
                "Properties": {"TargetFunctionArn": fn_arn, "AuthType": "NONE"},
            },
            "Async": {
                "Type": "AWS::Lambda::EventInvokeConfig",
                "DependsOn": "Url",
                "Properties": {"FunctionName": {"Ref": "Fn"}, "Qualifier": "$LATEST", "MaximumRetryAttempts": 1},
            },
            "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": retention}},
            "Metric": {
                "Type": "AWS::Logs::MetricFilter",
                "Properties": {
                    "LogGroupName": {"Ref": "Logs"},
                    "FilterPattern": "ERROR",
                    "MetricTransformations": [{"MetricName": "Errors", "MetricNamespace": "App", "MetricValue": "1"}],
                },
            },
            "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": {"Fn::Sub": "${AWS::StackName}-bus"}}},
            "Rule": {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "EventBusName": {"Ref": "Bus"},
                    "EventPattern": {"source": ["app"]},
                    "Description": description,
                    "Targets": [{"Id": "fn", "Arn": fn_arn}],
                },
            },
            "Schedule": {
                "Type": "AWS::Scheduler::Schedule",
                "Properties": {
                    "ScheduleExpression": "rate(1 day)",
                    "FlexibleTimeWindow": {"Mode": "OFF"},
                    "Description": description,
                    "Target": {"Arn": fn_arn, "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]}},
                },
            },
            "Stream": {"Type": "AWS::Kinesis::Stream", "Properties": {"ShardCount": 1}},
            "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"VersioningConfiguration": {"Status": "Enabled"}}},
            "Repo": {"Type": "AWS::ECR::Repository"},
            "Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {"AutoVerifiedAttributes": ["email"]}},
            "Client": {
                "Type": "AWS::Cognito::UserPoolClient",
                "Properties": {
                    "UserPoolId": {"Ref": "Pool"},
                    "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                },
            },
            "Rest": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": {"Ref": "AWS::StackName"}}},
            "Items": {
                "Type": "AWS::ApiGateway::Resource",
                "Properties": {
                    "RestApiId": {"Ref": "Rest"},
                    "ParentId": {"Fn::GetAtt": ["Rest", "RootResourceId"]},
                    "PathPart": "items",
                },
            },
            "Get": {
                "Type": "AWS::ApiGateway::Method",
                "Properties": {
                    "RestApiId": {"Ref": "Rest"},
                    "ResourceId": {"Ref": "Items"},
                    "HttpMethod": "GET",
                    "AuthorizationType": "NONE",
                    "Integration": {
                        "Type": "AWS_PROXY",
                        "IntegrationHttpMethod": "POST",
                        "Uri": {
                            "Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                            "${Fn.Arn}/invocations"
                        },
                    },
                },
            },
            "Deploy": {
                "Type": "AWS::ApiGateway::Deployment",
                "DependsOn": "Get",
                "Properties": {"RestApiId": {"Ref": "Rest"}},
            },
            "DeployDev": {
                "Type": "AWS::ApiGateway::Deployment",
                "DependsOn": ["Get", "ApiLogging"],
                "Properties": {
                    "RestApiId": {"Ref": "Rest"},
                    "StageName": "dev",
                    "StageDescription": {
                        "Variables": {"env": "dev"},
                        "TracingEnabled": True,
                        "LoggingLevel": "ERROR",
                        "MetricsEnabled": True,
                        "MethodSettings": [{"ResourcePath": "/items", "HttpMethod": "GET", "ThrottlingBurstLimit": 7}],
                    },
                },
            },
            "Beta": {
                "Type": "AWS::ApiGateway::Stage",
                "Properties": {
                    "RestApiId": {"Ref": "Rest"},
                    "DeploymentId": {"Ref": "Deploy"},
                    "StageName": "beta",
                    "CanarySetting": {
                        "DeploymentId": {"Ref": "DeployDev"},
                        "PercentTraffic": 0 if description == "one" else 25,
                        "StageVariableOverrides": {"v": description},
                    },
                },
            },
            "ApiLogging": {
                "Type": "AWS::ApiGateway::Account",
                "Properties": {"CloudWatchRoleArn": {"Fn::GetAtt": ["Role", "Arn"]}},
            },
            "Prod": {
                "Type": "AWS::ApiGateway::Stage",
                "DependsOn": "ApiLogging",  # a stage may log once the account's CloudWatch role is set
                "Properties": {
                    "RestApiId": {"Ref": "Rest"},
                    "DeploymentId": {"Ref": "Deploy"},
                    "StageName": "prod",
                    "AccessLogSetting": {
                        "DestinationArn": {"Fn::GetAtt": ["Logs", "Arn"]},
                        "Format": f"$context.requestId {description} $context.status",
                    },
                    "MethodSettings": [
                        {
                            "ResourcePath": "/*",
                            "HttpMethod": "*",
                            "LoggingLevel": "INFO" if description == "one" else "ERROR",
                            "ThrottlingRateLimit": 100,
                        },
                        {"ResourcePath": "/items", "HttpMethod": "GET", "MetricsEnabled": True},
                    ],
                },
            },
            "Invoke": {
                "Type": "AWS::Lambda::Permission",
                "DependsOn": "Async",
                "Properties": {
                    "FunctionName": {"Ref": "Fn"},
                    "Action": "lambda:InvokeFunction",
                    "Principal": "apigateway.amazonaws.com",
                },
            },
        },
        "Outputs": {
            k: {"Value": v}
            for k, v in {
                "Fn": {"Ref": "Fn"},
                "Alias": {"Ref": "Alias"},
                "Url": {"Fn::GetAtt": ["Url", "FunctionUrl"]},
                "Logs": {"Ref": "Logs"},
                "Bus": {"Ref": "Bus"},
                "Rule": {"Ref": "Rule"},
                "Schedule": {"Ref": "Schedule"},
                "Stream": {"Ref": "Stream"},
                "Bucket": {"Ref": "Bucket"},
                "Repo": {"Ref": "Repo"},
                "Pool": {"Ref": "Pool"},
                "Client": {"Ref": "Client"},
                "Rest": {"Ref": "Rest"},
                "Managed": {"Ref": "Managed"},
                "Group": {"Ref": "Group"},
                "Role": {"Ref": "Role"},
                "RepoUri": {"Fn::GetAtt": ["Repo", "RepositoryUri"]},
            }.items()
        },
    }


def test_many_providers(cfn: Any, aws: Any, endpoint: str, name: str) -> None:
    cfn.create_stack(StackName=name, TemplateBody=body(template(7, "one")), Capabilities=["CAPABILITY_IAM"])
    found = wait(cfn, "stack_create_complete", name)
    out = outputs(found)
    lam, logs, events, scheduler = aws("lambda"), aws("logs"), aws("events"), aws("scheduler")
    assert lam.get_alias(FunctionName=out["Fn"], Name="live")["FunctionVersion"] == "1"
    assert lam.get_function_event_invoke_config(FunctionName=out["Fn"])["MaximumRetryAttempts"] == 1
    assert logs.describe_metric_filters(logGroupName=out["Logs"])["metricFilters"][0]["filterPattern"] == "ERROR"
    assert events.describe_rule(Name=out["Rule"].split("|")[-1], EventBusName=out["Bus"])["Description"] == "one"
    assert scheduler.get_schedule(Name=out["Schedule"])["Description"] == "one"
    assert (
        aws("kinesis").describe_stream_summary(StreamName=out["Stream"])["StreamDescriptionSummary"]["StreamStatus"]
        == "ACTIVE"
    )
    assert aws("s3").get_bucket_versioning(Bucket=out["Bucket"])["Status"] == "Enabled"
    assert (
        aws("ecr").describe_repositories(repositoryNames=[out["Repo"]])["repositories"][0]["repositoryUri"]
        == (out["RepoUri"])
    )
    idp = aws("cognito-idp")
    assert idp.describe_user_pool_client(UserPoolId=out["Pool"], ClientId=out["Client"])["UserPoolClient"][
        "ExplicitAuthFlows"
    ] == ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    iam = aws("iam")
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=out["Role"])["AttachedPolicies"]] == [
        out["Managed"]
    ]
    rest = f"{endpoint}/restapis/{out['Rest']}/prod/_user_request_/items"
    with urllib.request.urlopen(rest, timeout=60) as answer:
        assert answer.read() == b"rest-ok"
        request_id = answer.headers["x-amzn-RequestId"]
    assert log_messages(logs, out["Logs"]) == [f"{request_id} one 200"]  # the stage's access log line
    settings = aws("apigateway").get_stage(restApiId=out["Rest"], stageName="prod")["methodSettings"]
    assert settings["*/*"]["loggingLevel"] == "INFO" and settings["*/*"]["throttlingRateLimit"] == 100.0
    assert settings["items/GET"]["metricsEnabled"] is True
    dev = aws("apigateway").get_stage(restApiId=out["Rest"], stageName="dev")
    assert dev["variables"] == {"env": "dev"} and dev["tracingEnabled"] is True
    assert dev["methodSettings"]["*/*"]["loggingLevel"] == "ERROR" and dev["methodSettings"]["*/*"]["metricsEnabled"]
    assert dev["methodSettings"]["items/GET"]["throttlingBurstLimit"] == 7
    assert dev["methodSettings"]["items/GET"]["loggingLevel"] == "ERROR"  # the method's own start as */*
    beta = aws("apigateway").get_stage(restApiId=out["Rest"], stageName="beta")["canarySettings"]
    assert beta["percentTraffic"] == 0.0 and beta["stageVariableOverrides"] == {"v": "one"}
    executed = f"API-Gateway-Execution-Logs_{out['Rest']}/prod"
    assert log_messages(logs, executed, 9)[-1] == f"({request_id}) Method completed with status: 200"  # INFO

    cfn.update_stack(StackName=name, TemplateBody=body(template(14, "two")), Capabilities=["CAPABILITY_IAM"])
    updated = outputs(wait(cfn, "stack_update_complete", name))
    assert updated["Fn"] == out["Fn"] and updated["Rule"] == out["Rule"]  # in place
    assert lam.get_function_configuration(FunctionName=out["Fn"])["Description"] == "two"
    assert logs.describe_log_groups(logGroupNamePrefix=out["Logs"])["logGroups"][0]["retentionInDays"] == 14
    assert scheduler.get_schedule(Name=out["Schedule"])["Description"] == "two"
    stage = aws("apigateway").get_stage(restApiId=out["Rest"], stageName="prod")
    assert stage["accessLogSettings"]["format"] == "$context.requestId two $context.status"
    assert stage["methodSettings"]["*/*"]["loggingLevel"] == "ERROR"
    beta = aws("apigateway").get_stage(restApiId=out["Rest"], stageName="beta")["canarySettings"]
    assert beta["percentTraffic"] == 25.0 and beta["stageVariableOverrides"] == {"v": "two"}
    fn_arn = lam.get_function_configuration(FunctionName=out["Fn"])["FunctionArn"]
    assert lam.list_tags(Resource=fn_arn)["Tags"]["v"] == "two"
    assert {"Key": "v", "Value": "two"} in aws("kinesis").list_tags_for_stream(StreamName=out["Stream"])["Tags"]
    rule_arn = events.describe_rule(Name=out["Rule"].split("|")[-1], EventBusName=out["Bus"])["Arn"]
    assert {"Key": "v", "Value": "two"} in events.list_tags_for_resource(ResourceARN=rule_arn)["Tags"]

    cfn.delete_stack(StackName=name)
    wait(cfn, "stack_delete_complete", found["StackId"])
    expect_error(lam.get_function, "ResourceNotFoundException", FunctionName=out["Fn"])
    expect_error(scheduler.get_schedule, "ResourceNotFoundException", Name=out["Schedule"])
    expect_error(events.describe_event_bus, "ResourceNotFoundException", Name=out["Bus"])
    expect_error(idp.describe_user_pool, "ResourceNotFoundException", UserPoolId=out["Pool"])
    expect_error(iam.get_role, "NoSuchEntity", RoleName=out["Role"])
    expect_error(iam.get_group, "NoSuchEntity", GroupName=out["Group"])
    assert out["Bucket"] not in [b["Name"] for b in aws("s3").list_buckets()["Buckets"]]
    assert out["Rest"] not in [api["id"] for api in aws("apigateway").get_rest_apis()["items"]]
