"""Saved Logs Insights query definitions end to end: PutQueryDefinition creates one (and replaces it under its id),
DescribeQueryDefinitions lists them by name prefix and language, page by page, DeleteQueryDefinition removes one
(Terraform's aws_cloudwatch_query_definition uses exactly these)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from tests.expect import expect_error


def test_query_definitions(aws: Callable[..., Any], name: str) -> None:
    logs = aws("logs", access_key=str(random.randrange(10**11, 10**12)))
    query = "fields @timestamp, @message | sort @timestamp desc | limit 20"
    created = logs.put_query_definition(name=f"{name}/errors", queryString=query, logGroupNames=["/app/a", "/app/b"])
    definition_id = created["queryDefinitionId"]
    [found] = logs.describe_query_definitions(queryDefinitionNamePrefix=name)["queryDefinitions"]
    assert found["queryDefinitionId"] == definition_id and found["name"] == f"{name}/errors"
    assert found["queryString"] == query and found["logGroupNames"] == ["/app/a", "/app/b"]
    assert found["queryLanguage"] == "CWLI" and isinstance(found["lastModified"], int)
    replaced = logs.put_query_definition(
        queryDefinitionId=definition_id, name=f"{name}/all", queryString="fields @message"
    )
    assert replaced["queryDefinitionId"] == definition_id
    [found] = logs.describe_query_definitions(queryDefinitionNamePrefix=name)["queryDefinitions"]
    assert found["name"] == f"{name}/all" and "logGroupNames" not in found and found["queryString"] == "fields @message"
    expect_error(
        logs.put_query_definition, "ResourceNotFoundException",
        queryDefinitionId="00000000-0000-0000-0000-000000000000", name=name, queryString=query,
    )  # fmt: skip
    sql = logs.put_query_definition(name=f"{name}/sql", queryString="SELECT 1", queryLanguage="SQL")
    assert [d["name"] for d in logs.describe_query_definitions(queryLanguage="SQL")["queryDefinitions"]] == [
        f"{name}/sql"
    ]
    first = logs.describe_query_definitions(queryDefinitionNamePrefix=name, maxResults=1)
    second = logs.describe_query_definitions(queryDefinitionNamePrefix=name, maxResults=1, nextToken=first["nextToken"])
    assert [d["name"] for d in first["queryDefinitions"] + second["queryDefinitions"]] == [f"{name}/all", f"{name}/sql"]
    assert "nextToken" not in second
    assert logs.delete_query_definition(queryDefinitionId=definition_id)["success"] is True
    expect_error(logs.delete_query_definition, "ResourceNotFoundException", queryDefinitionId=definition_id)
    logs.delete_query_definition(queryDefinitionId=sql["queryDefinitionId"])
    assert logs.describe_query_definitions(queryDefinitionNamePrefix=name)["queryDefinitions"] == []
