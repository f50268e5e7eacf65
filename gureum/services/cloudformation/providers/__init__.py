"""Every resource provider by its CloudFormation type ("Custom::" serves every custom resource type)."""

from __future__ import annotations

from . import apigateway, cognito, custom, data, ecr, events, iam, lambda_, logs, sns, sqs, stacks
from .base import Provider

PROVIDERS: dict[str, Provider] = {
    p.type: p
    for module in (sqs, sns, iam, logs, lambda_, events, data, apigateway, cognito, ecr, stacks, custom)
    for p in module.PROVIDERS
}
