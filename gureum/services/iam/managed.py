"""A catalogue of the AWS managed policies stacks commonly attach, with their documents as AWS publishes them
(https://docs.aws.amazon.com/aws-managed-policy/latest/reference/), so GetPolicy, GetPolicyVersion and attaching work.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# AWS managed policies all carry this creation date in GetPolicy; UpdateDate is their default version's date
_CREATED = 1_423_094_400.0  # 2015-02-05


@dataclass(frozen=True, slots=True)
class AwsPolicy:
    name: str
    path: str
    policy_id: str
    version: str
    description: str
    statements: tuple[dict[str, Any], ...]
    created_at: float = _CREATED
    updated_at: float = _CREATED

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::aws:policy{self.path}{self.name}"

    @property
    def document(self) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": list(self.statements)}, indent=4)


_LOGS = {
    "Effect": "Allow",
    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
    "Resource": "*",
}


def _allow(actions: list[str], resource: str | list[str] = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


_CATALOGUE = [
    AwsPolicy(
        "AWSLambdaBasicExecutionRole",
        "/service-role/",
        "ANPAJNCQGXC42545SKXIK",
        "v1",
        "Provides write permissions to CloudWatch Logs.",
        (_LOGS,),
    ),
    AwsPolicy(
        "AWSLambdaSQSQueueExecutionRole",
        "/service-role/",
        "ANPAJFWJZI6JNND4TSELK",
        "v2",
        "Provides receive message, delete message, and read attribute access to SQS queues, "
        "and write permissions to CloudWatch logs.",
        (
            _allow(
                [
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                ]
            ),
        ),
    ),
    AwsPolicy(
        "AWSLambdaVPCAccessExecutionRole",
        "/service-role/",
        "ANPAJVTME3YLVNL72YR2K",
        "v3",
        "Provides minimum permissions for a Lambda function to execute while accessing a resource within a VPC - "
        "create, describe, delete network interfaces and write permissions to CloudWatch Logs. ",
        (
            _allow(
                [
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                    "ec2:CreateNetworkInterface",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSubnets",
                    "ec2:DeleteNetworkInterface",
                    "ec2:AssignPrivateIpAddresses",
                    "ec2:UnassignPrivateIpAddresses",
                ]
            ),
        ),
    ),
    AwsPolicy(
        "AWSLambdaKinesisExecutionRole",
        "/service-role/",
        "ANPAJHOLKJPXV4GBRMJUQ",
        "v2",
        "Provides list and read access to Kinesis streams and write permissions to CloudWatch logs.",
        (
            _allow(
                [
                    "kinesis:DescribeStream",
                    "kinesis:DescribeStreamSummary",
                    "kinesis:GetRecords",
                    "kinesis:GetShardIterator",
                    "kinesis:ListShards",
                    "kinesis:ListStreams",
                    "kinesis:SubscribeToShard",
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                ]
            ),
        ),
    ),
    AwsPolicy(
        "AWSLambdaDynamoDBExecutionRole",
        "/service-role/",
        "ANPAIP7WNAGMIPYNW4WQG",
        "v1",
        "Provides list and read access to DynamoDB streams and write permissions to CloudWatch logs.",
        (
            _allow(
                [
                    "dynamodb:DescribeStream",
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                    "dynamodb:ListStreams",
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                ]
            ),
        ),
    ),
    AwsPolicy(
        "AWSLambdaExecute",
        "/",
        "ANPAJE5FX7FQZSU5XAKGO",
        "v1",
        "Provides Put, Get access to S3 and full access to CloudWatch Logs.",
        (_allow(["logs:*"], "arn:aws:logs:*:*:*"), _allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::*")),
    ),
    AwsPolicy(
        "AWSLambdaRole",
        "/service-role/",
        "ANPAJX4DPCRGTC4NFDUXI",
        "v2",
        "Default policy for AWS Lambda service role.",
        (_allow(["lambda:InvokeFunction"]),),
    ),
    AwsPolicy(
        "AWSXrayWriteOnlyAccess",
        "/",
        "ANPAIAACM4LMYSRGBCTM6",
        "v1",
        "AWS X-Ray write only managed policy",
        (
            _allow(
                [
                    "xray:PutTraceSegments",
                    "xray:PutTelemetryRecords",
                    "xray:GetSamplingRules",
                    "xray:GetSamplingTargets",
                    "xray:GetSamplingStatisticSummaries",
                ]
            ),
        ),
    ),
    AwsPolicy(
        "AmazonAPIGatewayPushToCloudWatchLogs",
        "/service-role/",
        "ANPAIK4GFO7HLKYN64ASK",
        "v1",
        "Allows API Gateway to push logs to user's account.",
        (
            _allow(
                [
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:DescribeLogGroups",
                    "logs:DescribeLogStreams",
                    "logs:PutLogEvents",
                    "logs:GetLogEvents",
                    "logs:FilterLogEvents",
                ]
            ),
        ),
    ),
    AwsPolicy(
        "AmazonSQSFullAccess",
        "/",
        "ANPAI65L554VRJ33ECQS6",
        "v1",
        "Provides full access to Amazon SQS via the AWS Management Console.",
        (_allow(["sqs:*"]),),
    ),
    AwsPolicy(
        "AmazonSQSReadOnlyAccess",
        "/",
        "ANPAIUGSSQY362XGCM6KW",
        "v2",
        "Provides read only access to Amazon SQS via the AWS Management Console.",
        (
            _allow(
                [
                    "sqs:GetQueueAttributes",
                    "sqs:GetQueueUrl",
                    "sqs:ListDeadLetterSourceQueues",
                    "sqs:ListQueues",
                    "sqs:ListMessageMoveTasks",
                    "sqs:ListQueueTags",
                ]
            ),
        ),
    ),
    AwsPolicy(
        "AmazonSNSFullAccess",
        "/",
        "ANPAJWEKLCXXUNT2SOLSG",
        "v1",
        "Provides full access to Amazon SNS via the AWS Management Console.",
        (_allow(["sns:*"]),),
    ),
    AwsPolicy(
        "AmazonSNSReadOnlyAccess",
        "/",
        "ANPAIZGQCQTFOFPMHSB6W",
        "v1",
        "Provides read only access to Amazon SNS via the AWS Management Console.",
        (
            _allow(
                [
                    "sns:GetTopicAttributes",
                    "sns:List*",
                    "sns:CheckIfPhoneNumberIsOptedOut",
                    "sns:GetEndpointAttributes",
                    "sns:GetDataProtectionPolicy",
                    "sns:GetPlatformApplicationAttributes",
                    "sns:GetSMSAttributes",
                    "sns:GetSMSSandboxAccountStatus",
                    "sns:GetSubscriptionAttributes",
                ]
            ),
        ),
    ),
    AwsPolicy(
        "AmazonS3ReadOnlyAccess",
        "/",
        "ANPAIZTJ4DXE7G6AGAE6M",
        "v3",
        "Provides read only access to all buckets via the AWS Management Console.",
        (_allow(["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"]),),
    ),
    AwsPolicy(
        "AmazonS3FullAccess",
        "/",
        "ANPAIFIR6V6BVTRAHWINE",
        "v2",
        "Provides full access to all buckets via the AWS Management Console.",
        (_allow(["s3:*", "s3-object-lambda:*"]),),
    ),
    AwsPolicy(
        "CloudWatchLogsFullAccess",
        "/",
        "ANPAJ3ZGNWK2R5HW5BQFO",
        "v1",
        "Provides full access to CloudWatch Logs",
        (_allow(["logs:*"]),),
    ),
    AwsPolicy(
        "AdministratorAccess",
        "/",
        "ANPAIWMBCKSKIEE64ZLYK",
        "v1",
        "Provides full access to AWS services and resources.",
        ({"Effect": "Allow", "Action": "*", "Resource": "*"},),
    ),
    AwsPolicy(
        "PowerUserAccess",
        "/",
        "ANPAJYRXTHIB4FOVS3ZXS",
        "v5",
        "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
        (
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
            _allow(
                [
                    "account:GetAccountInformation",
                    "account:GetPrimaryEmail",
                    "account:ListRegions",
                    "iam:CreateServiceLinkedRole",
                    "iam:DeleteServiceLinkedRole",
                    "iam:ListRoles",
                    "organizations:DescribeOrganization",
                ]
            ),
        ),
    ),
    AwsPolicy(
        "AWSCloudFormationReadOnlyAccess",
        "/",
        "ANPAJWVBEE4I2POWLODLW",
        "v3",
        "Provides access to AWS CloudFormation via the AWS Management Console.",
        (
            _allow(
                [
                    "cloudformation:Describe*",
                    "cloudformation:EstimateTemplateCost",
                    "cloudformation:Get*",
                    "cloudformation:List*",
                    "cloudformation:ValidateTemplate",
                    "cloudformation:Detect*",
                ]
            ),
        ),
    ),
    AwsPolicy(
        "ReadOnlyAccess",
        "/",
        "ANPAILL3HVNFSB6DCOWYQ",
        "v1",
        "Provides read-only access to AWS services and resources.",
        # AWS's document names read actions of every service; this is its part for the services gureum serves
        (
            _allow(
                [
                    f"{prefix}:{verb}*"
                    for prefix in (
                        "apigateway",
                        "batch",
                        "cloudformation",
                        "cognito-identity",
                        "cognito-idp",
                        "dynamodb",
                        "ecr",
                        "ecs",
                        "events",
                        "firehose",
                        "glue",
                        "iam",
                        "kinesis",
                        "kinesisanalytics",
                        "kinesisvideo",
                        "lambda",
                        "lightsail",
                        "logs",
                        "s3",
                        "scheduler",
                        "ses",
                        "sns",
                        "sqs",
                        "ssm",
                        "sts",
                        "xray",
                    )
                    for verb in ("Describe", "Get", "List")
                ]
                + [
                    "dynamodb:BatchGetItem",
                    "dynamodb:Query",
                    "dynamodb:Scan",
                    "logs:FilterLogEvents",
                    "logs:StartQuery",
                    "logs:StopQuery",
                    "logs:TestMetricFilter",
                    "sqs:ReceiveMessage",
                ]
            ),
        ),
    ),
]

AWS_POLICIES: dict[str, AwsPolicy] = {policy.arn: policy for policy in _CATALOGUE}


def is_aws_arn(arn: str) -> bool:
    return arn.startswith("arn:aws:iam::aws:policy/")
