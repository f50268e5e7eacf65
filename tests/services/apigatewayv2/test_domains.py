"""VPC links, custom domain names and API mappings (requests to a mapped custom domain reach the API's stage), and
the management API at the stage URL a WebSocket function builds from requestContext.domainName."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import websockets

from ...expect import ACCOUNT, expect_error
from .helpers import EchoServer, function, mock_websocket_api


@pytest.fixture
def backend_server() -> Any:
    server = EchoServer()
    yield server
    server.stop()


def test_vpc_links(aws: Callable[..., Any], endpoint: str, name: str, backend_server: EchoServer) -> None:
    gw = aws("apigatewayv2")
    created = gw.create_vpc_link(Name=name, SubnetIds=["subnet-1", "subnet-2"], SecurityGroupIds=["sg-1"])
    link_id = created["VpcLinkId"]
    assert created["VpcLinkStatus"] == "PENDING" and created["VpcLinkVersion"] == "V2"
    assert created["SubnetIds"] == ["subnet-1", "subnet-2"] and created["SecurityGroupIds"] == ["sg-1"]
    got = gw.get_vpc_link(VpcLinkId=link_id)
    assert got["VpcLinkStatus"] == "AVAILABLE" and got["VpcLinkStatusMessage"] == "VPC link is ready to route traffic"
    assert link_id in [item["VpcLinkId"] for item in gw.get_vpc_links()["Items"]]
    assert gw.update_vpc_link(VpcLinkId=link_id, Name=name + "-2")["Name"] == name + "-2"
    # a private integration reaches its target directly: there is no VPC
    api_id = gw.create_api(Name=name, ProtocolType="HTTP")["ApiId"]
    integration = gw.create_integration(
        ApiId=api_id,
        IntegrationType="HTTP_PROXY",
        IntegrationMethod="ANY",
        IntegrationUri=f"{backend_server.url}/private",
        ConnectionType="VPC_LINK",
        ConnectionId=link_id,
        PayloadFormatVersion="1.0",
    )
    assert integration["ConnectionType"] == "VPC_LINK" and integration["ConnectionId"] == link_id
    gw.create_route(ApiId=api_id, RouteKey="GET /private", Target=f"integrations/{integration['IntegrationId']}")
    gw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    answer = httpx.get(f"{endpoint}/private", headers={"Host": f"{api_id}.execute-api.localhost"})
    assert answer.status_code == 200 and answer.json()["path"] == "/private"
    gw.delete_vpc_link(VpcLinkId=link_id)
    expect_error(gw.get_vpc_link, "NotFoundException", status=404, VpcLinkId=link_id)


def test_tags_on_domain_names_and_vpc_links(aws: Callable[..., Any], name: str) -> None:
    """TagResource, UntagResource and GetTags take a custom domain name's and a VPC link's ARN (Terraform tags an
    aws_apigatewayv2_domain_name so when its tags change; it was NotFoundException)."""
    gw = aws("apigatewayv2")
    domain = f"{name}.tags.example.com"
    arn = gw.create_domain_name(DomainName=domain, Tags={"a": "1"})["DomainNameArn"]
    assert arn == f"arn:aws:apigateway:us-east-1::/domainnames/{domain}"
    gw.tag_resource(ResourceArn=arn, Tags={"a": "2", "b": "3"})
    gw.untag_resource(ResourceArn=arn, TagKeys=["b"])
    assert gw.get_tags(ResourceArn=arn)["Tags"] == {"a": "2"}
    assert gw.get_domain_name(DomainName=domain)["Tags"] == {"a": "2"}
    link = gw.create_vpc_link(Name=name, SubnetIds=["subnet-1"])["VpcLinkId"]
    link_arn = f"arn:aws:apigateway:us-east-1::/vpclinks/{link}"
    gw.tag_resource(ResourceArn=link_arn, Tags={"team": "x"})
    assert gw.get_tags(ResourceArn=link_arn)["Tags"] == {"team": "x"}
    assert gw.get_vpc_link(VpcLinkId=link)["Tags"] == {"team": "x"}
    other = aws("apigatewayv2", access_key="111122223333")  # another account's domain name is not found
    expect_error(other.get_tags, "NotFoundException", ResourceArn=arn)
    gw.delete_domain_name(DomainName=domain)
    expect_error(gw.tag_resource, "NotFoundException", ResourceArn=arn, Tags={"a": "1"})
    gw.delete_vpc_link(VpcLinkId=link)


def test_custom_domain_names_and_api_mappings(
    aws: Callable[..., Any], endpoint: str, name: str, backend_server: EchoServer
) -> None:
    gw = aws("apigatewayv2")
    root_api = gw.create_api(Name=name, ProtocolType="HTTP", Target=f"{backend_server.url}/one")["ApiId"]
    orders_api = gw.create_api(Name=name, ProtocolType="HTTP", Target=f"{backend_server.url}/two")["ApiId"]
    gw.create_stage(ApiId=orders_api, StageName="v1", AutoDeploy=True)
    domain = f"api.{name}.example.com"
    created = gw.create_domain_name(
        DomainName=domain,
        DomainNameConfigurations=[
            {"CertificateArn": "arn:aws:acm:us-east-1:000000000000:certificate/x", "EndpointType": "REGIONAL"}
        ],
    )
    config = created["DomainNameConfigurations"][0]
    assert created["DomainName"] == domain and created["ApiMappingSelectionExpression"] == "$request.basepath"
    assert config["DomainNameStatus"] == "AVAILABLE" and config["ApiGatewayDomainName"].startswith("d-")
    assert config["ApiGatewayDomainName"].endswith(".execute-api.us-east-1.amazonaws.com")
    assert gw.get_domain_name(DomainName=domain)["DomainName"] == domain
    assert domain in [d["DomainName"] for d in gw.get_domain_names()["Items"]]
    expect_error(gw.create_domain_name, "ConflictException", status=409, DomainName=domain)
    host = {"Host": f"{domain}:{endpoint.rsplit(':', 1)[1]}"}
    assert httpx.get(f"{endpoint}/hello", headers=host).status_code == 403  # no mapping yet

    orders = gw.create_api_mapping(DomainName=domain, ApiId=orders_api, Stage="v1", ApiMappingKey="orders")
    assert orders["ApiMappingKey"] == "orders" and orders["Stage"] == "v1" and orders["ApiId"] == orders_api
    answer = httpx.get(f"{endpoint}/orders/42?x=1", headers=host)
    assert answer.status_code == 200 and answer.json()["path"] == "/two" and answer.json()["query"] == "x=1"
    assert httpx.get(f"{endpoint}/hello", headers=host).status_code == 403

    gw.create_api_mapping(DomainName=domain, ApiId=root_api, Stage="$default")
    assert httpx.get(f"{endpoint}/hello", headers=host).json()["path"] == "/one"
    assert httpx.get(f"{endpoint}/orders", headers=host).json()["path"] == "/two"
    assert httpx.get(f"{endpoint}/ordersx", headers=host).json()["path"] == "/one"  # whole segments only
    mappings = gw.get_api_mappings(DomainName=domain)["Items"]
    assert sorted(m["ApiMappingKey"] for m in mappings) == ["", "orders"]
    assert gw.get_api_mapping(DomainName=domain, ApiMappingId=orders["ApiMappingId"])["Stage"] == "v1"
    expect_error(
        gw.create_api_mapping,
        "ConflictException",
        status=409,
        DomainName=domain,
        ApiId=root_api,
        Stage="$default",
        ApiMappingKey="orders",
    )
    expect_error(
        gw.create_api_mapping,
        "NotFoundException",
        f"Invalid API identifier specified {ACCOUNT}:nosuchapi1",
        404,
        DomainName=domain,
        ApiId="nosuchapi1",
        Stage="v1",
    )
    moved = gw.update_api_mapping(
        DomainName=domain, ApiMappingId=orders["ApiMappingId"], ApiId=orders_api, ApiMappingKey="shop/orders"
    )
    assert moved["ApiMappingKey"] == "shop/orders"
    assert httpx.get(f"{endpoint}/shop/orders/1", headers=host).json()["path"] == "/two"
    gw.delete_api_mapping(DomainName=domain, ApiMappingId=orders["ApiMappingId"])
    assert httpx.get(f"{endpoint}/shop/orders/1", headers=host).json()["path"] == "/one"
    gw.delete_domain_name(DomainName=domain)
    expect_error(gw.get_domain_name, "NotFoundException", status=404, DomainName=domain)
    assert httpx.get(f"{endpoint}/hello", headers=host).status_code != 200


# builds the management API's endpoint from the event, as AWS's samples do (gureum answers on plain HTTP)
PUSH_BACK = """
import json, boto3
def handler(event, context):
    ctx = event['requestContext']
    url = 'http://' + ctx['domainName'] + '/' + ctx['stage']
    client = boto3.client('apigatewaymanagementapi', endpoint_url=url)
    client.post_to_connection(ConnectionId=ctx['connectionId'], Data=json.dumps({'domain': ctx['domainName']}))
    return {'statusCode': 200}
"""


def test_management_api_at_the_event_domain_name(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    gw = aws("apigatewayv2")
    api_id = gw.create_api(Name=name, ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")[
        "ApiId"
    ]
    arn = function(aws, name, PUSH_BACK)
    integration = gw.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn)
    gw.create_route(ApiId=api_id, RouteKey="$default", Target=f"integrations/{integration['IntegrationId']}")
    gw.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True)
    port = endpoint.rsplit(":", 1)[1]

    async def pushed(url: str) -> dict[str, Any]:
        async with websockets.connect(url) as ws:
            await ws.send(json.dumps({"action": "anything"}))
            return dict(json.loads(await asyncio.wait_for(ws.recv(), 20)))

    # the path form: domainName is gureum's own host:port, and /{stage}/@connections/{id} there is the management API
    path_form = asyncio.run(pushed(f"ws://127.0.0.1:{port}/restapis/{api_id}/prod/_user_request_"))
    assert path_form == {"domain": f"127.0.0.1:{port}"}


def test_websocket_api_on_a_custom_domain_name(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    gw = aws("apigatewayv2")
    api_id = mock_websocket_api(gw, name, '{"echo": $input.body}')
    gw.create_stage(ApiId=api_id, StageName="live", AutoDeploy=True)
    domain = f"ws.{name}.example.com"
    gw.create_domain_name(DomainName=domain)
    gw.create_api_mapping(DomainName=domain, ApiId=api_id, Stage="live", ApiMappingKey="chat")
    port = endpoint.rsplit(":", 1)[1]

    async def run() -> Any:
        async with websockets.connect(f"ws://{domain}:{port}/chat", host="127.0.0.1") as ws:
            await ws.send(json.dumps({"action": "x", "n": 1}))
            return json.loads(await asyncio.wait_for(ws.recv(), 15))

    assert asyncio.run(run()) == {"echo": {"action": "x", "n": 1}}
