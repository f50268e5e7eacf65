"""Every resource provider by its CloudFormation type ("Custom::" serves every custom resource type)."""

from __future__ import annotations

from . import (
    apigateway,
    batch,
    cognito,
    custom,
    data,
    ecr,
    ecs,
    events,
    firehose,
    glue,
    iam,
    lambda_,
    logs,
    macro,
    ses,
    sns,
    sqs,
    ssm,
    stacks,
)
from .base import Provider

PROVIDERS: dict[str, Provider] = {
    p.type: p
    for module in (
        sqs,
        sns,
        iam,
        logs,
        lambda_,
        events,
        data,
        apigateway,
        cognito,
        ecr,
        ecs,
        batch,
        firehose,
        ses,
        ssm,
        glue,
        macro,
        stacks,
        custom,
    )
    for p in module.PROVIDERS
}
