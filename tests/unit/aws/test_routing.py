"""Routing (aws/routing.py): which service, protocol and operation a request is for, with every served service's
spec in one Router as the dispatcher builds it, and the SigV4 credential scope read as the dispatcher reads it.

The protocol tests route requests that botocore's serialisers made through a router of one service; these cover
the decisions between services: X-Amz-Target, the Action parameter, the signing scope, the host, SQS's queue URLs,
and the choice between REST URI templates that match the same path.
"""

from __future__ import annotations

import functools
from urllib.parse import urlencode

import pytest

from gureum.aws.auth import identify
from gureum.aws.errors import ServiceError
from gureum.aws.http import Request
from gureum.aws.routing import Route, Router
from gureum.aws.specs import load_spec
from gureum.services import PACKAGES

JSON = {"content-type": "application/x-amz-json-1.1"}


@functools.cache
def served() -> Router:
    """The dispatcher's router: every service gureum serves."""
    return Router([load_spec(name) for name in PACKAGES])


@functools.cache
def router(*services: str) -> Router:
    return Router([load_spec(name) for name in services])


def request(
    method: str,
    path: str,
    query: str = "",
    *,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    signed: str | None = None,
    host: str = "localhost:4566",
) -> Request:
    """A request as it reaches the dispatcher; ``signed`` names the service in a SigV4 credential scope."""
    all_headers = {"host": host}
    body = b""
    if form is not None:
        body = urlencode(form).encode()
        all_headers["content-type"] = "application/x-www-form-urlencoded; charset=utf-8"
    if signed is not None:
        all_headers["authorization"] = (
            f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-1/{signed}/aws4_request,"
            " SignedHeaders=host;x-amz-date, Signature=0000"
        )
    all_headers.update(headers or {})
    return Request(method, path, query, all_headers, body)


def resolve(req: Request, with_router: Router | None = None) -> Route:
    """Route as the dispatcher does: the signing service comes from the request's credential scope."""
    return (with_router or served()).resolve(req, identify(req).service)


def where(route: Route) -> tuple[str, str, str]:
    return route.spec.name, route.protocol, route.name


def refused(req: Request, with_router: Router | None = None) -> tuple[str, int]:
    with pytest.raises(ServiceError) as caught:
        resolve(req, with_router)
    return caught.value.code, caught.value.status


# --- X-Amz-Target ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("AmazonSQS.SendMessage", ("sqs", "json", "SendMessage")),
        ("AWSEvents.PutRule", ("events", "json", "PutRule")),
        ("Logs_20140328.PutLogEvents", ("logs", "json", "PutLogEvents")),
    ],
)
def test_the_target_header_names_service_and_operation(target: str, expected: tuple[str, str, str]) -> None:
    route = resolve(request("POST", "/", headers={**JSON, "x-amz-target": target}))
    assert where(route) == expected and route.operation is not None and route.operation.name == expected[2]


def test_the_target_header_outweighs_the_signing_scope() -> None:
    req = request("POST", "/", headers={**JSON, "x-amz-target": "AWSEvents.PutRule"}, signed="sns")
    assert where(resolve(req)) == ("events", "json", "PutRule")


def test_an_unknown_operation_of_a_known_target_prefix_routes_without_an_operation() -> None:
    route = resolve(request("POST", "/", headers={**JSON, "x-amz-target": "AmazonSQS.Frobnicate"}))
    assert where(route) == ("sqs", "json", "Frobnicate") and route.operation is None


def test_an_unknown_target_prefix_is_an_unknown_operation() -> None:
    req = request("POST", "/", headers={**JSON, "x-amz-target": "Nonesuch_20240101.DoThing"})
    assert refused(req)[0] == "UnknownOperationException"


# --- query: the Action parameter ---------------------------------------------------------------------------------


def test_an_action_in_a_form_body_routes_to_the_signing_service() -> None:
    req = request(
        "POST", "/", form={"Action": "Publish", "TopicArn": "arn:aws:sns:eu-west-1:000000000000:t"}, signed="sns"
    )
    assert where(resolve(req)) == ("sns", "query", "Publish")


def test_an_action_in_the_query_string_routes_like_one_in_the_body() -> None:
    req = request("GET", "/", "Action=GetCallerIdentity&Version=2011-06-15", signed="sts")
    assert where(resolve(req)) == ("sts", "query", "GetCallerIdentity")


def test_a_json_service_with_a_query_twin_is_routed_to_its_query_protocol() -> None:
    req = request("POST", "/000000000000/orders", form={"Action": "SendMessage", "MessageBody": "x"}, signed="sqs")
    assert where(resolve(req)) == ("sqs", "query", "SendMessage")


def test_an_unsigned_action_is_found_by_the_one_service_that_has_it() -> None:
    assert where(resolve(request("GET", "/", "Action=GetCallerIdentity"))) == ("sts", "query", "GetCallerIdentity")
    assert where(resolve(request("POST", "/", form={"Action": "ListUsers"}))) == ("iam", "query", "ListUsers")


def test_an_unsigned_request_to_a_service_named_host_belongs_to_that_service() -> None:
    host = "sts.eu-west-1.localhost:4566"
    assert where(resolve(request("POST", "/", form={"Action": "GetCallerIdentity"}, host=host)))[0] == "sts"
    route = resolve(request("POST", "/", form={"Action": "ListUsers"}, host=host))  # IAM's, sent to STS
    assert where(route) == ("sts", "query", "ListUsers") and route.operation is None


# --- the SigV4 credential scope ----------------------------------------------------------------------------------


def test_the_signing_scope_keeps_an_action_of_another_service_with_the_signer() -> None:
    # the action exists elsewhere, but the client signed for this service: its own "no such action" answers
    route = resolve(request("POST", "/", form={"Action": "GetCallerIdentity"}, signed="iam"))
    assert where(route) == ("iam", "query", "GetCallerIdentity") and route.operation is None
    route = resolve(request("POST", "/", form={"Action": "Publish"}, signed="sqs"))
    assert where(route) == ("sqs", "query", "Publish") and route.operation is None


def test_a_presigned_url_scope_picks_the_service() -> None:
    query = urlencode(
        {"Action": "GetCallerIdentity", "X-Amz-Credential": "AKIDEXAMPLE/20240101/us-east-1/sts/aws4_request"}
    )
    req = request("GET", "/", query)
    assert identify(req).service == "sts"
    assert where(resolve(req)) == ("sts", "query", "GetCallerIdentity")


def test_the_signing_scope_picks_a_rest_service() -> None:
    route = resolve(request("GET", "/2015-03-31/functions", signed="lambda"))
    assert where(route) == ("lambda", "rest-json", "ListFunctions")


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/restapis", ("apigateway", "GetRestApis")),
        ("GET", "/v2/apis", ("apigatewayv2", "GetApis")),
        ("GET", "/v2/apis/a1b2c3/routes", ("apigatewayv2", "GetRoutes")),
        ("GET", "/restapis/a1b2c3/stages", ("apigateway", "GetStages")),
    ],
)
def test_services_sharing_a_signing_name_are_told_apart_by_their_uris(
    method: str, path: str, expected: tuple[str, str]
) -> None:
    route = resolve(request(method, path, signed="apigateway"))  # API Gateway v1 and v2 both sign as "apigateway"
    assert (route.spec.name, route.name) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/2015-03-31/functions", ("lambda", "ListFunctions")), ("/schedules", ("scheduler", "ListSchedules"))],
)
def test_an_unsigned_rest_request_is_found_by_its_uri(path: str, expected: tuple[str, str]) -> None:
    route = resolve(request("GET", path))
    assert (route.spec.name, route.name) == expected


# --- SQS queue URLs (the patch's queryPath) ----------------------------------------------------------------------


@pytest.mark.parametrize("order", [("sns", "sqs"), ("sqs", "sns")])
def test_an_unsigned_shared_action_sent_to_a_queue_url_is_sqss(order: tuple[str, str]) -> None:
    # AddPermission is both SNS's and SQS's; the queue URL /{account}/{queue} says which
    req = request("POST", "/123456789012/my-queue", form={"Action": "AddPermission", "Label": "l"})
    assert where(resolve(req, router(*order))) == ("sqs", "query", "AddPermission")
    assert where(resolve(req)) == ("sqs", "query", "AddPermission")


def test_the_same_action_away_from_a_queue_url_is_not_pulled_to_sqs() -> None:
    req = request("POST", "/", form={"Action": "AddPermission", "Label": "l"})
    assert where(resolve(req, router("sns", "sqs"))) == ("sns", "query", "AddPermission")


def test_a_signing_scope_outweighs_the_queue_url() -> None:
    req = request("POST", "/123456789012/my-queue", form={"Action": "AddPermission"}, signed="sns")
    assert where(resolve(req, router("sns", "sqs"))) == ("sns", "query", "AddPermission")


def test_the_query_path_comes_from_the_sqs_patch_file() -> None:
    pattern = load_spec("sqs").meta.query_path
    assert pattern is not None
    assert pattern.match("/123456789012/q") and pattern.match("/123456789012/q/")
    assert not pattern.match("/") and not pattern.match("/123/q") and not pattern.match("/123456789012/q/x")
    assert load_spec("sns").meta.query_path is None


# --- REST URI templates ------------------------------------------------------------------------------------------


def test_uri_labels_are_decoded_into_path_parameters() -> None:
    arn = "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af"
    route = resolve(request("GET", f"/2015-03-31/functions/{arn}/configuration", signed="lambda"))
    assert route.name == "GetFunctionConfiguration"
    assert route.path_params == {"FunctionName": "arn:aws:lambda:us-east-1:000000000000:function:f"}


def test_a_fixed_query_key_in_the_template_is_the_strongest_evidence() -> None:
    # POST /restapis?mode=import (ImportRestApi) and POST /restapis (CreateRestApi)
    assert resolve(request("POST", "/restapis", "mode=import", signed="apigateway")).name == "ImportRestApi"
    assert resolve(request("POST", "/restapis", signed="apigateway")).name == "CreateRestApi"


@pytest.mark.parametrize(
    ("service", "path", "operation", "params"),
    [
        # /automationrulesv2/list (literal) and /automationrulesv2/{Identifier}
        ("securityhub", "/automationrulesv2/list", "ListAutomationRulesV2", {}),
        ("securityhub", "/automationrulesv2/rule-1", "GetAutomationRuleV2", {"Identifier": "rule-1"}),
        # /networks/{networkId}/bots/count and /networks/{networkId}/bots/{botId}
        ("wickr", "/networks/n1/bots/count", "GetBotsCount", {"networkId": "n1"}),
        ("wickr", "/networks/n1/bots/b1", "GetBot", {"networkId": "n1", "botId": "b1"}),
    ],
)
def test_a_literal_segment_is_preferred_to_a_label(
    service: str, path: str, operation: str, params: dict[str, str]
) -> None:
    route = resolve(request("GET", path, signed=load_spec(service).signing_name), router(service))
    assert (route.name, route.path_params) == (operation, params)


@pytest.mark.parametrize(
    ("service", "path", "operation", "params"),
    [
        # a greedy label takes slashes: /v20180820/mrap/instances/{name+}[/policy]
        ("s3control", "/v20180820/mrap/instances/a/b", "GetMultiRegionAccessPoint", {"name": "a/b"}),
        ("s3control", "/v20180820/mrap/instances/a/b/policy", "GetMultiRegionAccessPointPolicy", {"name": "a/b"}),
        (
            "workspaces-web",
            "/portals/arn:aws:workspaces-web:us-east-1:000000000000:portal/p1",
            "GetPortal",
            {"portalArn": "arn:aws:workspaces-web:us-east-1:000000000000:portal/p1"},
        ),
        (
            "workspaces-web",
            "/portals/arn%3Aaws%3Aworkspaces-web%3Aus-east-1%3A000000000000%3Aportal%2Fp1/identityProviders",
            "ListIdentityProviders",
            {"portalArn": "arn:aws:workspaces-web:us-east-1:000000000000:portal/p1"},
        ),
        # two plain labels and a literal outweigh one greedy label: /portals/{portalId}/sessions/{sessionId}
        ("workspaces-web", "/portals/p1/sessions/s1", "GetSession", {"portalId": "p1", "sessionId": "s1"}),
    ],
)
def test_greedy_labels(service: str, path: str, operation: str, params: dict[str, str]) -> None:
    route = resolve(request("GET", path, signed=load_spec(service).signing_name), router(service))
    assert (route.name, route.path_params) == (operation, params)


def test_a_path_served_only_for_other_methods_is_method_not_allowed() -> None:
    assert refused(request("DELETE", "/2015-03-31/functions", signed="lambda")) == ("MethodNotAllowed", 405)


def test_a_path_no_template_matches_is_an_unknown_operation() -> None:
    assert refused(request("GET", "/2015-03-31/nothing-here", signed="lambda")) == ("UnknownOperationException", 404)


# --- no operation at all -----------------------------------------------------------------------------------------


def test_a_json_request_without_a_target_header_finds_no_operation() -> None:
    code, _status = refused(request("POST", "/", headers=JSON, signed="events"))
    assert code == "UnknownOperationException"


def test_an_unsigned_request_nothing_claims_is_an_invalid_action() -> None:
    # (an unsigned GET of /a/b/c is S3's GetObject, path-style, as at AWS's S3 endpoint; no service takes PATCH)
    assert refused(request("PATCH", "/nowhere/at/all")) == ("InvalidAction", 400)


def test_an_unsigned_get_of_a_two_segment_path_is_s3s_get_object() -> None:
    routed = resolve(request("GET", "/nowhere/at/all"))
    assert (routed.name, routed.path_params) == ("GetObject", {"Bucket": "nowhere", "Key": "at/all"})


@pytest.mark.parametrize(
    ("path", "operation"),
    [("/v2/email/identities", "ListEmailIdentities"), ("/v2/email/configuration-sets", "ListConfigurationSets")],
)
def test_an_older_sdks_uri_for_a_moved_operation_still_routes(path: str, operation: str) -> None:
    """botocore 1.44 moved SES v2's list operations to POST /v2/email/list-…; older SDKs and CLIs send GET."""
    assert resolve(request("GET", path, signed="ses")).name == operation
