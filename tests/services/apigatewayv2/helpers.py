"""Shared pieces of the API Gateway v2 suites: Lambda functions from inline code, and execute-api URLs."""

from __future__ import annotations

from typing import Any

from ..lambda_.zips import create

ECHO_EVENT = """
import json
def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json", "x-echo": "1"}, "body": json.dumps(event)}
"""


def function(aws: Any, name: str, code: str = ECHO_EVENT) -> str:
    """A Python function with this handler code; returns its ARN."""
    return str(create(aws("lambda"), name, {"index.py": code})["FunctionArn"])


def stage_url(endpoint: str, api_id: str, stage: str) -> str:
    """The path form of an API's stage URL on gureum: {endpoint}/restapis/{api}/{stage}/_user_request_"""
    return f"{endpoint}/restapis/{api_id}/{stage}/_user_request_"
