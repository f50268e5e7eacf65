"""The edge router (gureum/edge.py): a data-plane path is the edge's to answer, even when a segment is empty."""

from __future__ import annotations

import httpx


def test_an_empty_stage_segment_is_answered_by_the_edge(endpoint: str) -> None:
    # "$default" inside double quotes becomes "" in a shell: the request is still API Gateway's to answer (as for
    # an API or stage it does not have, in its JSON), not an AWS API call answered with an XML InvalidAction
    empty = httpx.get(f"{endpoint}/restapis/a1b2c3d4e5//_user_request_/hello")
    unknown = httpx.get(f"{endpoint}/restapis/a1b2c3d4e5/dev/_user_request_/hello")
    assert empty.status_code == unknown.status_code == 404
    assert empty.json() == unknown.json() == {"message": "Not Found"}
    assert empty.headers["content-type"].startswith("application/json")
