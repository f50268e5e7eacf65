"""Shared pieces of the API Gateway v2 suites: Lambda functions from inline code, and execute-api URLs."""

from __future__ import annotations

from typing import Any

from ..lambda_.zips import create

ECHO_EVENT = """
import json
def handler(event, context):
    headers = {"content-type": "application/json", "x-echo": "1"}
    return {"statusCode": 200, "headers": headers, "body": json.dumps(event)}
"""


def function(aws: Any, name: str, code: str = ECHO_EVENT) -> str:
    """A Python function with this handler code; returns its ARN."""
    return str(create(aws("lambda"), name, {"index.py": code})["FunctionArn"])


def stage_url(endpoint: str, api_id: str, stage: str) -> str:
    """The path form of an API's stage URL on gureum: {endpoint}/restapis/{api}/{stage}/_user_request_"""
    return f"{endpoint}/restapis/{api_id}/{stage}/_user_request_"


def mock_websocket_api(gw: Any, name: str, response_template: str) -> str:
    """A WebSocket API whose $default route answers every message through a MOCK integration rendering
    ``response_template`` (a two-way route); its id."""
    api_id: str = gw.create_api(Name=name, ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")[
        "ApiId"
    ]
    integration = gw.create_integration(
        ApiId=api_id, IntegrationType="MOCK", RequestTemplates={"$default": '{"statusCode": 200}'}
    )["IntegrationId"]
    gw.create_integration_response(
        ApiId=api_id,
        IntegrationId=integration,
        IntegrationResponseKey="$default",
        ResponseTemplates={"$default": response_template},
    )
    route = gw.create_route(
        ApiId=api_id,
        RouteKey="$default",
        Target=f"integrations/{integration}",
        RouteResponseSelectionExpression="$default",
    )
    gw.create_route_response(ApiId=api_id, RouteId=route["RouteId"], RouteResponseKey="$default")
    return api_id


class EchoServer:
    """An HTTP backend on a loopback port answering every request with JSON: its method, path, query and headers."""

    def __init__(self) -> None:
        import http.server
        import json
        import threading

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                path, _, query = self.path.partition("?")
                data = json.dumps(
                    {
                        "method": self.command,
                        "path": path,
                        "query": query,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Backend", "echo")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _answer  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
