"""The edge router's prefilter (gureum/edge.py): may_match is False only for requests no route matches."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gureum.aws.http import Request, Response
from gureum.edge import EdgeRouter
from gureum.services import EdgeRoute


async def _answer(runtime: Any, request: Request) -> Response:
    return Response(200, [], b"edge")


DOMAINS = {"api.example.com"}
ROUTER = EdgeRouter(
    [
        EdgeRoute(_answer, host=".execute-api."),
        EdgeRoute(_answer, path="/restapis/{api}/{stage}/_user_request_"),
        EdgeRoute(_answer, host_names=lambda runtime: DOMAINS),
        EdgeRoute(_answer, host=".lambda-url."),
        EdgeRoute(_answer, path="/lambda-url"),
        EdgeRoute(_answer, path="/only-get", methods=frozenset({"GET"})),
        # a path of one {name} segment takes "/" too: only its accepts test tells its requests apart
        EdgeRoute(_answer, path="/{pool}", accepts=lambda request: request.raw_path.startswith("/pool_")),
    ]
)

hosts = st.sampled_from(
    ["127.0.0.1:4566", "abc.execute-api.localhost:4566", "API.example.com", "x.lambda-url.us-east-1.localhost", "h"]
)
segments = st.sampled_from(["restapis", "a1", "", "dev", "_user_request_", "lambda-url", "only-get", "x", "pool_1"])
paths = st.lists(segments, max_size=6).map(lambda parts: "/" + "/".join(parts))


@settings(max_examples=400, deadline=None)
@given(host=hosts, path=paths, method=st.sampled_from(["GET", "POST"]))
def test_no_route_matches_what_the_prefilter_rules_out(host: str, path: str, method: str) -> None:
    request = Request(method, path, "", {"host": host}, b"")
    if not ROUTER.may_match(None, request):  # skipping the walk must never skip a route that would have matched
        assert asyncio.run(ROUTER.handle(None, request)) is None


def test_aws_calls_are_ruled_out() -> None:
    assert not ROUTER.may_match(None, Request("POST", "/", "", {"host": "127.0.0.1:4566"}, b""))
    assert not ROUTER.may_match(None, Request("GET", "/restapis/a1/resources", "", {"host": "localhost"}, b""))


def test_a_path_route_with_an_accepts_test_is_consulted() -> None:
    assert ROUTER.may_match(None, Request("GET", "/pool_1/login", "", {"host": "localhost"}, b""))
    assert asyncio.run(ROUTER.handle(None, Request("GET", "/pool_1/login", "", {"host": "localhost"}, b""))) is not None
