"""The applications API: versions, AWS's errors (CodeValidationException with the line, ResourceInUseException,
ConcurrentModificationException, UnableToDetectSchemaException), DiscoverInputSchema from a stream and from S3,
the live view, and stop/start from LAST_STOPPED_POINT counting no record twice."""

from __future__ import annotations

import json
import time
import urllib.request
from collections import Counter
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .conftest import Reader, json_input, kinesis_output, make_stream, put_json, wait_status
from .test_windows import TUMBLING


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_versions_errors_and_tags(kda: Any, kda2: Any, kinesis: Any, name: str) -> None:
    source = make_stream(kinesis, name + "-in")
    with pytest.raises(ClientError) as bad:
        kda.create_application(
            ApplicationName=name,
            ApplicationCode='CREATE STREAM "D" (a INTEGER);\nCREATE PUMP "P" AS INSERT INTO "D"\n'
            'SELECT STREAM COUNT(*) FROM "SOURCE_SQL_STREAM_001";',
            Inputs=[json_input(source, [("a", "INTEGER")])],
        )
    assert _code(bad) == "CodeValidationException"
    assert "line 3" in bad.value.response["Error"]["Message"], "the line of the aggregate without a window"
    with pytest.raises(ClientError) as bad:
        kda.create_application(
            ApplicationName=name,
            ApplicationCode='CREATE STREAM "D" (a INTEGER);\nCREATE PUMP "P" AS INSERT INTO "D"\n'
            'SELECT STREAM NO_SUCH_FUNCTION(a) FROM "SOURCE_SQL_STREAM_001";',
            Inputs=[json_input(source, [("a", "INTEGER")])],
        )
    assert _code(bad) == "CodeValidationException" and "line 2" in bad.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as bad:
        kda.create_application(ApplicationName=name, ApplicationCode="CREATE PUMP X AS INSERT INTO Y SELECT STREAM "
                               "RANDOM_CUT_FOREST(a) FROM SOURCE_SQL_STREAM_001")  # fmt: skip
    assert _code(bad) == "CodeValidationException" and "RANDOM_CUT_FOREST" in bad.value.response["Error"]["Message"]

    kda.create_application(ApplicationName=name, ApplicationCode=TUMBLING, Tags=[{"Key": "team", "Value": "a"}])
    with pytest.raises(ClientError) as bad:
        kda.create_application(ApplicationName=name)
    assert _code(bad) == "ResourceInUseException"
    detail = kda.describe_application(ApplicationName=name)["ApplicationDetail"]
    assert detail["ApplicationVersionId"] == 1 and detail["ApplicationStatus"] == "READY"
    with pytest.raises(ClientError) as bad:
        kda.start_application(ApplicationName=name, InputConfigurations=[])
    assert _code(bad) in ("InvalidApplicationConfigurationException", "InvalidArgumentException")
    kda.add_application_input(
        ApplicationName=name, CurrentApplicationVersionId=1, Input=json_input(source, [("page", "VARCHAR(32)")])
    )
    with pytest.raises(ClientError) as bad:
        kda.add_application_output(
            ApplicationName=name, CurrentApplicationVersionId=1, Output=kinesis_output("DEST", source)
        )
    assert _code(bad) == "ConcurrentModificationException"
    with pytest.raises(ClientError) as bad:
        kda.update_application(
            ApplicationName=name,
            CurrentApplicationVersionId=2,
            ApplicationUpdate={"ApplicationCodeUpdate": 'CREATE STREAM "D" (a INTEGER);\nSELECT 1;'},
        )
    assert _code(bad) == "CodeValidationException" and "line 2" in bad.value.response["Error"]["Message"]
    v2 = kda2.describe_application(ApplicationName=name)["ApplicationDetail"]
    assert v2["ApplicationVersionId"] == 2 and v2["RuntimeEnvironment"] == "SQL-1_0"
    inputs = v2["ApplicationConfigurationDescription"]["SqlApplicationConfigurationDescription"]["InputDescriptions"]
    assert inputs[0]["InAppStreamNames"] == ["SOURCE_SQL_STREAM_001"]
    versions = kda2.list_application_versions(ApplicationName=name)["ApplicationVersionSummaries"]
    assert [v["ApplicationVersionId"] for v in versions] == [2, 1]
    assert (
        kda2.describe_application_version(ApplicationName=name, ApplicationVersionId=1)["ApplicationVersionDetail"][
            "ApplicationConfigurationDescription"
        ]["SqlApplicationConfigurationDescription"]["InputDescriptions"]
        == []
    )
    with pytest.raises(ClientError) as bad:
        kda2.create_application(ApplicationName=name + "-flink", RuntimeEnvironment="FLINK-1_18",
                                ServiceExecutionRole="arn:aws:iam::000000000000:role/r")  # fmt: skip
    assert _code(bad) == "InvalidArgumentException" and "SQL-1_0" in bad.value.response["Error"]["Message"]
    arn = detail["ApplicationARN"]
    kda.tag_resource(ResourceARN=arn, Tags=[{"Key": "env", "Value": "dev"}])
    kda.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert kda.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    names = [a["ApplicationName"] for a in kda.list_applications(Limit=50)["ApplicationSummaries"]]
    assert name in names
    kda.delete_application(ApplicationName=name, CreateTimestamp=detail["CreateTimestamp"])
    with pytest.raises(ClientError) as bad:
        kda.describe_application(ApplicationName=name)
    assert _code(bad) == "ResourceNotFoundException"


def test_discover_input_schema(aws: Any, kda: Any, kinesis: Any, name: str) -> None:
    arn = make_stream(kinesis, name)
    with pytest.raises(ClientError) as bad:
        kda.discover_input_schema(
            ResourceARN=arn,
            RoleARN="arn:aws:iam::000000000000:role/r",
            InputStartingPositionConfiguration={"InputStartingPosition": "TRIM_HORIZON"},
        )
    assert _code(bad) == "UnableToDetectSchemaException"
    put_json(kinesis, name, [{"ticker": "AMZN", "price": 12.5, "qty": 3, "at": "2024-01-02 03:04:05"}] * 3)
    found = kda.discover_input_schema(
        ResourceARN=arn,
        RoleARN="arn:aws:iam::000000000000:role/r",
        InputStartingPositionConfiguration={"InputStartingPosition": "TRIM_HORIZON"},
    )
    columns = {c["Name"]: (c["SqlType"], c["Mapping"]) for c in found["InputSchema"]["RecordColumns"]}
    assert columns == {
        "ticker": ("VARCHAR(4)", "$.ticker"),
        "price": ("REAL", "$.price"),
        "qty": ("INTEGER", "$.qty"),
        "at": ("TIMESTAMP", "$.at"),
    }
    assert found["ParsedInputRecords"][0] == ["AMZN", "12.5", "3", "2024-01-02 03:04:05"]
    assert len(found["RawInputRecords"]) == 3
    s3 = aws("s3")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="rows.csv", Body=b"a|1|x\nb|2|y\n")
    found = kda.discover_input_schema(
        S3Configuration={"RoleARN": "arn:aws:iam::000000000000:role/r", "BucketARN": f"arn:aws:s3:::{name}",
                         "FileKey": "rows.csv"})  # fmt: skip
    fmt = found["InputSchema"]["RecordFormat"]
    assert fmt["RecordFormatType"] == "CSV"
    assert fmt["MappingParameters"]["CSVMappingParameters"]["RecordColumnDelimiter"] == "|"
    assert [c["SqlType"] for c in found["InputSchema"]["RecordColumns"]] == ["VARCHAR(1)", "INTEGER", "VARCHAR(1)"]


def test_stop_start_last_stopped_point_and_live_view(kda: Any, kinesis: Any, name: str, endpoint: str) -> None:
    source = make_stream(kinesis, name + "-in")
    dest = make_stream(kinesis, name + "-out")
    kda.create_application(
        ApplicationName=name,
        ApplicationCode=TUMBLING,
        Inputs=[json_input(source, [("page", "VARCHAR(32)")])],
        Outputs=[kinesis_output("DEST", dest)],
    )
    input_id = kda.describe_application(ApplicationName=name)["ApplicationDetail"]["InputDescriptions"][0]["InputId"]

    def start(position: str) -> None:
        kda.start_application(ApplicationName=name, InputConfigurations=[
            {"Id": input_id, "InputStartingPositionConfiguration": {"InputStartingPosition": position}}])  # fmt: skip
        wait_status(kda, name, "RUNNING")

    start("NOW")
    with pytest.raises(ClientError) as bad:
        kda.update_application(ApplicationName=name, CurrentApplicationVersionId=1, ApplicationUpdate={})
        kda.start_application(ApplicationName=name, InputConfigurations=[
            {"Id": input_id, "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])  # fmt: skip
    assert _code(bad) == "ResourceInUseException"
    reader = Reader(kinesis, name + "-out")
    put_json(kinesis, name + "-in", [{"page": "/a"}] * 10)
    first = reader.until(1)
    put_json(kinesis, name + "-in", [{"page": "/b"}] * 7)  # stopped mid-window: counted after the restart
    kda.stop_application(ApplicationName=name)
    wait_status(kda, name, "READY")
    put_json(kinesis, name + "-in", [{"page": "/c"}] * 5)  # put while stopped: read from the last stopped point
    start("LAST_STOPPED_POINT")
    got = first + reader.until(2, timeout=15)
    time.sleep(2.5)
    got += [json.loads(d) for d in reader.read()]
    totals: Counter[str] = Counter()
    for row in got:
        totals[row["PAGE"]] += row["CLICKS"]
    assert totals == Counter({"/a": 10, "/b": 7, "/c": 5}), "no record lost, none counted twice"
    with urllib.request.urlopen(f"{endpoint}/_gureum/analytics/{name}?format=json") as answer:
        view = json.loads(answer.read())
    assert view["ApplicationStatus"] == "RUNNING"
    assert {r["PAGE"] for r in view["Streams"]["DEST"]} == {"/a", "/b", "/c"}
    with urllib.request.urlopen(f"{endpoint}/_gureum/analytics/{name}") as answer:
        page = answer.read().decode()
    assert "http-equiv='refresh'" in page and "/c" in page
    kda.stop_application(ApplicationName=name)
    wait_status(kda, name, "READY")
