"""The Glue Data Catalog through boto3: databases and tables with their columns and types, versions kept by
UpdateTable, paging and the Expression filter, AWS's errors; Glue operations beyond the catalog are NotImplemented."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.expect import ACCOUNT, expect_error

COLUMNS = [
    {"Name": "id", "Type": "bigint"},
    {"Name": "name", "Type": "string", "Comment": "who"},
    {"Name": "tags", "Type": "array<string>"},
    {"Name": "address", "Type": "struct<city:string,zip:int>"},
]


@pytest.fixture
def glue(aws: Callable[..., Any]) -> Any:
    return aws("glue")


def _table(name: str, columns: list[dict[str, Any]] = COLUMNS, **extra: Any) -> dict[str, Any]:
    return {
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "StorageDescriptor": {
            "Columns": columns,
            "Location": "s3://bucket/prefix/",
            "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe"},
        },
        **extra,
    }


def test_databases(glue: Any, name: str) -> None:
    glue.create_database(DatabaseInput={"Name": name, "Description": "d", "Parameters": {"k": "v"}})
    expect_error(glue.create_database, "AlreadyExistsException", DatabaseInput={"Name": name.upper()})
    db = glue.get_database(Name=name.upper())["Database"]  # names are kept lower case
    assert db["Name"] == name and db["Description"] == "d" and db["Parameters"] == {"k": "v"}
    assert db["CatalogId"] == ACCOUNT and db["CreateTime"]
    glue.update_database(Name=name, DatabaseInput={"Name": name, "Description": "e"})
    assert glue.get_database(Name=name)["Database"]["Description"] == "e"
    for i in range(3):
        glue.create_database(DatabaseInput={"Name": f"{name}-{i}"})
    seen: list[str] = []
    kwargs: dict[str, Any] = {"MaxResults": 2}
    while True:
        page = glue.get_databases(**kwargs)
        assert len(page["DatabaseList"]) <= 2
        seen += [d["Name"] for d in page["DatabaseList"]]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert [n for n in seen if n.startswith(name)] == [name, f"{name}-0", f"{name}-1", f"{name}-2"]
    glue.delete_database(Name=name)
    expect_error(glue.get_database, "EntityNotFoundException", f"Database {name} not found.", Name=name)
    expect_error(glue.delete_database, "EntityNotFoundException", Name=name)
    expect_error(glue.get_database, "InvalidInputException", CatalogId="111122223333", Name=f"{name}-0")


def test_tables(glue: Any, name: str) -> None:
    glue.create_database(DatabaseInput={"Name": name})
    glue.create_table(DatabaseName=name, TableInput=_table("Events", PartitionKeys=[{"Name": "dt", "Type": "string"}]))
    expect_error(glue.create_table, "AlreadyExistsException", DatabaseName=name, TableInput=_table("events"))
    expect_error(glue.create_table, "EntityNotFoundException", DatabaseName=f"{name}-x", TableInput=_table("t"))
    table = glue.get_table(DatabaseName=name, Name="EVENTS")["Table"]
    assert table["Name"] == "events" and table["DatabaseName"] == name and table["VersionId"] == "0"
    assert table["StorageDescriptor"]["Columns"] == COLUMNS
    assert table["PartitionKeys"] == [{"Name": "dt", "Type": "string"}] and table["TableType"] == "EXTERNAL_TABLE"
    assert table["CatalogId"] == ACCOUNT and table["CreateTime"] and table["UpdateTime"]

    # UpdateTable: a new version; a stale VersionId is a concurrent modification
    wider = COLUMNS + [{"Name": "score", "Type": "double"}]
    glue.update_table(DatabaseName=name, TableInput=_table("events", wider), VersionId="0")
    updated = glue.get_table(DatabaseName=name, Name="events")["Table"]
    assert updated["VersionId"] == "1" and updated["StorageDescriptor"]["Columns"] == wider
    expect_error(
        glue.update_table, "ConcurrentModificationException", DatabaseName=name, TableInput=_table("events"),
        VersionId="0",
    )  # fmt: skip
    expect_error(glue.update_table, "EntityNotFoundException", DatabaseName=name, TableInput=_table("nothing"))

    for extra in ("clicks", "clicks_raw", "views"):
        glue.create_table(DatabaseName=name, TableInput=_table(extra))
    names = [t["Name"] for t in glue.get_tables(DatabaseName=name)["TableList"]]
    assert names == ["clicks", "clicks_raw", "events", "views"]
    assert [t["Name"] for t in glue.get_tables(DatabaseName=name, Expression="clicks.*")["TableList"]] == [
        "clicks", "clicks_raw"
    ]  # fmt: skip
    first = glue.get_tables(DatabaseName=name, MaxResults=3)
    rest = glue.get_tables(DatabaseName=name, MaxResults=3, NextToken=first["NextToken"])
    assert [t["Name"] for t in first["TableList"] + rest["TableList"]] == names and "NextToken" not in rest
    expect_error(glue.get_tables, "EntityNotFoundException", DatabaseName=f"{name}-x")

    glue.delete_table(DatabaseName=name, Name="views")
    expect_error(glue.get_table, "EntityNotFoundException", "Table views not found.", DatabaseName=name, Name="views")
    expect_error(glue.delete_table, "EntityNotFoundException", DatabaseName=name, Name="views")
    # a database's tables go with it
    glue.delete_database(Name=name)
    glue.create_database(DatabaseInput={"Name": name})
    assert glue.get_tables(DatabaseName=name)["TableList"] == []


def test_other_glue_operations_are_not_implemented(glue: Any) -> None:
    error = expect_error(glue.get_crawlers, "NotImplemented", status=501)
    assert "GetCrawlers" in error["Message"]
