"""Building REST APIs with boto3 and calling their stages with httpx (path form and host form)."""

from __future__ import annotations

from typing import Any

from ..lambda_.zips import create

REGION = "us-east-1"


def lambda_uri(function_arn: str) -> str:
    return f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function_arn}/invocations"


def function(aws: Any, name: str, code: str) -> str:
    """A Python function from inline code (index.handler); returns its ARN."""
    return str(create(aws("lambda"), name, {"index.py": code})["FunctionArn"])


def stage_url(endpoint: str, api_id: str, stage: str, path: str = "/") -> str:
    """The path form, which needs no DNS."""
    return f"{endpoint}/restapis/{api_id}/{stage}/_user_request_{path}"


def host_headers(api_id: str, endpoint: str) -> dict[str, str]:
    port = endpoint.rsplit(":", 1)[1]
    return {"Host": f"{api_id}.execute-api.localhost:{port}"}


class Api:
    """A REST API under construction: resources by path, methods and integrations."""

    def __init__(self, client: Any, name: str, **kw: Any) -> None:
        self.client = client
        out = client.create_rest_api(name=name, **kw)
        self.id: str = out["id"]
        self.ids: dict[str, str] = {"/": out["rootResourceId"]}

    def resource(self, path: str) -> str:
        """The id of the resource at path, creating missing parents."""
        if path in self.ids:
            return self.ids[path]
        parent, _, part = path.rpartition("/")
        parent_id = self.resource(parent or "/")
        self.ids[path] = self.client.create_resource(restApiId=self.id, parentId=parent_id, pathPart=part)["id"]
        return self.ids[path]

    def method(self, path: str, http_method: str, integration: dict[str, Any], **method: Any) -> str:
        resource_id = self.resource(path)
        self.client.put_method(
            restApiId=self.id,
            resourceId=resource_id,
            httpMethod=http_method,
            authorizationType=method.pop("authorizationType", "NONE"),
            **method,
        )
        self.client.put_integration(restApiId=self.id, resourceId=resource_id, httpMethod=http_method, **integration)
        return resource_id

    def lambda_proxy(self, path: str, http_method: str, function_arn: str, **method: Any) -> str:
        return self.method(
            path,
            http_method,
            {"type": "AWS_PROXY", "integrationHttpMethod": "POST", "uri": lambda_uri(function_arn)},
            **method,
        )

    def respond(self, path: str, http_method: str, status: str = "200", **response: Any) -> None:
        resource_id = self.resource(path)
        self.client.put_method_response(
            restApiId=self.id, resourceId=resource_id, httpMethod=http_method, statusCode=status
        )
        self.client.put_integration_response(
            restApiId=self.id, resourceId=resource_id, httpMethod=http_method, statusCode=status, **response
        )

    def deploy(self, stage: str = "test", **kw: Any) -> str:
        return str(self.client.create_deployment(restApiId=self.id, stageName=stage, **kw)["id"])
