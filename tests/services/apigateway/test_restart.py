"""Everything survives a restart: APIs, deployments, stages, keys, usage plans and quota counts."""

from __future__ import annotations

import httpx

from ...conftest import StoreFactory, make_client
from ...server import Server
from .helpers import Api, stage_url


def test_apis_and_quotas_survive_restart(store: StoreFactory, name: str) -> None:
    state = store()
    server = Server(**state).start()
    try:
        client = make_client(server.endpoint, "apigateway")
        api = Api(client, name)
        api.method(
            "/hi",
            "GET",
            {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}},
            apiKeyRequired=True,
        )
        api.respond("/hi", "GET", responseTemplates={"application/json": '{"hi": "$stageVariables.who"}'})
        api.deploy("prod", variables={"who": "there"})
        key = client.create_api_key(name=name, enabled=True)
        plan = client.create_usage_plan(
            name=name, apiStages=[{"apiId": api.id, "stage": "prod"}], quota={"limit": 2, "period": "MONTH"}
        )
        client.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
        assert httpx.get(
            stage_url(server.endpoint, api.id, "prod", "/hi"), headers={"x-api-key": key["value"]}
        ).json() == {"hi": "there"}
    finally:
        server.stop()
    server = Server(**state).start()
    try:
        url = stage_url(server.endpoint, api.id, "prod", "/hi")
        assert httpx.get(url, headers={"x-api-key": key["value"]}).json() == {"hi": "there"}
        r = httpx.get(url, headers={"x-api-key": key["value"]})
        assert r.status_code == 429 and r.json() == {
            "message": "Limit Exceeded"
        }  # the count from before the restart was kept
    finally:
        server.stop()
