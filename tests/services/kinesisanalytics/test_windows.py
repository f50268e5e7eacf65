"""Streaming SQL on live records: a tumbling count per page to a Kinesis output stream, a sliding-window average,
a stream-to-reference join from S3, TOP_K_ITEMS_TUMBLING, rows that fail to parse in the error stream."""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

from .conftest import ROLE, Reader, json_input, kinesis_output, make_stream, put_json, wait_status

TUMBLING = """
CREATE OR REPLACE STREAM "DEST" (page VARCHAR(32), clicks INTEGER);
CREATE OR REPLACE PUMP "COUNTS" AS INSERT INTO "DEST"
  SELECT STREAM page, COUNT(*) AS clicks
  FROM "SOURCE_SQL_STREAM_001"
  GROUP BY page, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '2' SECOND);
"""


def _start(kda: Any, name: str, position: str = "NOW") -> None:
    detail = kda.describe_application(ApplicationName=name)["ApplicationDetail"]
    kda.start_application(
        ApplicationName=name,
        InputConfigurations=[
            {"Id": detail["InputDescriptions"][0]["InputId"],
             "InputStartingPositionConfiguration": {"InputStartingPosition": position}}
        ],
    )  # fmt: skip
    wait_status(kda, name, "RUNNING")


def test_tumbling_count_per_page_to_kinesis(kda: Any, kinesis: Any, name: str) -> None:
    source = make_stream(kinesis, name + "-in", shards=2)
    dest = make_stream(kinesis, name + "-out")
    kda.create_application(
        ApplicationName=name,
        ApplicationCode=TUMBLING,
        Inputs=[json_input(source, [("page", "VARCHAR(32)"), ("user", "VARCHAR(16)")])],
        Outputs=[kinesis_output("DEST", dest)],
    )
    _start(kda, name)
    reader = Reader(kinesis, name + "-out")
    clicks = [{"page": f"/p{i % 3}", "user": f"u{i}"} for i in range(90)]
    put_json(kinesis, name + "-in", clicks)
    got = reader.until(3, timeout=15)
    time.sleep(2.5)  # a later window could hold the records that crossed a boundary: they are counted there
    got += [json.loads(d) for d in reader.read()]
    totals: Counter[str] = Counter()
    for row in got:
        totals[row["PAGE"]] += row["CLICKS"]
    assert totals == Counter({"/p0": 30, "/p1": 30, "/p2": 30}), "every click counted once, in one window"
    view = kda.describe_application(ApplicationName=name)["ApplicationDetail"]
    assert view["ApplicationStatus"] == "RUNNING"
    kda.stop_application(ApplicationName=name)
    wait_status(kda, name, "READY")


def test_sliding_average_and_error_stream(kda: Any, kinesis: Any, name: str) -> None:
    source = make_stream(kinesis, name + "-in")
    dest = make_stream(kinesis, name + "-out")
    errors = make_stream(kinesis, name + "-err")
    code = """
    CREATE OR REPLACE STREAM "AVGS" (ticker VARCHAR(8), price DOUBLE, avg_price DOUBLE);
    CREATE OR REPLACE PUMP "P" AS INSERT INTO "AVGS"
      SELECT STREAM ticker, price, AVG(price) OVER W AS avg_price
      FROM "SOURCE_SQL_STREAM_001"
      WINDOW W AS (PARTITION BY ticker RANGE INTERVAL '1' MINUTE PRECEDING);
    """
    kda.create_application(
        ApplicationName=name,
        ApplicationCode=code,
        Inputs=[json_input(source, [("ticker", "VARCHAR(8)"), ("price", "DOUBLE")])],
        Outputs=[kinesis_output("AVGS", dest), kinesis_output("error_stream", errors)],
    )
    _start(kda, name)
    reader, error_reader = Reader(kinesis, name + "-out"), Reader(kinesis, name + "-err")
    for price in (10.0, 20.0, 30.0):
        put_json(kinesis, name + "-in", [{"ticker": "AMZN", "price": price}, {"ticker": "X", "price": price * 10}])
        time.sleep(0.3)
    kinesis.put_record(StreamName=name + "-in", Data=b"{not json", PartitionKey="bad")
    kinesis.put_record(StreamName=name + "-in", Data=b'{"ticker": "AMZN", "price": "cheap"}', PartitionKey="bad")
    rows = reader.until(6)
    amzn = [r for r in rows if r["TICKER"] == "AMZN"]
    assert [r["AVG_PRICE"] for r in amzn] == [10.0, 15.0, 20.0], "each row averages the minute before it"
    assert [r["AVG_PRICE"] for r in rows if r["TICKER"] == "X"] == [100.0, 150.0, 200.0]
    bad = error_reader.until(2)
    assert {b["ERROR_NAME"] for b in bad} == {"Parse_Failed"}
    assert any("cheap" in b["MESSAGE"] for b in bad)
    kda.stop_application(ApplicationName=name)
    wait_status(kda, name, "READY")


def test_reference_join_from_s3_and_top_k(aws: Any, kda2: Any, kinesis: Any, name: str) -> None:
    s3 = aws("s3")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="pages.csv", Body=b"/p0,Home\n/p1,Shop\n")
    source = make_stream(kinesis, name + "-in")
    dest = make_stream(kinesis, name + "-out")
    top = make_stream(kinesis, name + "-top")
    code = """
    CREATE STREAM "NAMED" (page VARCHAR(32), title VARCHAR(32));
    CREATE PUMP "J" AS INSERT INTO "NAMED"
      SELECT STREAM s.page, r.title FROM "SOURCE_SQL_STREAM_001" AS s JOIN "PAGES" AS r ON s.page = r.page;
    CREATE STREAM "TOP" (item VARCHAR(32), item_count BIGINT);
    CREATE PUMP "T" AS INSERT INTO "TOP" SELECT STREAM * FROM TABLE(TOP_K_ITEMS_TUMBLING(
      CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 'page', 1, 2));
    """
    created = kda2.create_application(
        ApplicationName=name,
        RuntimeEnvironment="SQL-1_0",
        ServiceExecutionRole=ROLE,
        ApplicationConfiguration={
            "ApplicationCodeConfiguration": {"CodeContent": {"TextContent": code}, "CodeContentType": "PLAINTEXT"},
            "SqlApplicationConfiguration": {
                "Inputs": [json_input(source, [("page", "VARCHAR(32)")], v2=True)],
                "Outputs": [kinesis_output("NAMED", dest, v2=True), kinesis_output("TOP", top, v2=True)],
                "ReferenceDataSources": [
                    {
                        "TableName": "PAGES",
                        "S3ReferenceDataSource": {"BucketARN": f"arn:aws:s3:::{name}", "FileKey": "pages.csv"},
                        "ReferenceSchema": {
                            "RecordFormat": {
                                "RecordFormatType": "CSV",
                                "MappingParameters": {
                                    "CSVMappingParameters": {"RecordRowDelimiter": "\n", "RecordColumnDelimiter": ","}
                                },
                            },
                            "RecordColumns": [
                                {"Name": "page", "SqlType": "VARCHAR(32)"},
                                {"Name": "title", "SqlType": "VARCHAR(32)"},
                            ],
                        },
                    }
                ],
            },
        },
    )["ApplicationDetail"]
    assert created["RuntimeEnvironment"] == "SQL-1_0"
    sql = created["ApplicationConfigurationDescription"]["SqlApplicationConfigurationDescription"]
    input_id = sql["InputDescriptions"][0]["InputId"]
    kda2.start_application(
        ApplicationName=name,
        RunConfiguration={"SqlRunConfigurations": [
            {"InputId": input_id, "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}]},
    )  # fmt: skip
    wait_status(kda2, name, "RUNNING")
    put_json(kinesis, name + "-in", [{"page": "/p0"}, {"page": "/p1"}, {"page": "/p9"}, {"page": "/p1"}])
    named = Reader(kinesis, name + "-out").until(3)
    assert sorted((r["PAGE"], r["TITLE"]) for r in named) == [("/p0", "Home"), ("/p1", "Shop"), ("/p1", "Shop")]
    tops = Reader(kinesis, name + "-top").until(1)
    assert tops[0] == {"ITEM": "/p1", "ITEM_COUNT": 2}
    versions = kda2.list_application_versions(ApplicationName=name)["ApplicationVersionSummaries"]
    assert [v["ApplicationVersionId"] for v in versions] == [1]
    kda2.stop_application(ApplicationName=name)
    wait_status(kda2, name, "READY")
