"""The input's Lambda preprocessor with AWS's record contract: the function gets the batch's records (recordId,
kinesisStreamRecordMetadata, base64 data) and answers each one Ok (its new data is parsed), Dropped (gone) or
ProcessingFailed (a row of the in-application error stream); a function that fails fails the whole batch there."""

from __future__ import annotations

import base64
import json
from typing import Any

from ..lambda_.zips import create as create_function
from .conftest import ROLE, Reader, json_input, kinesis_output, make_stream, put_json
from .test_windows import _start

PREPROCESS = """
import base64, json

def handler(event, context):
    assert event["applicationArn"].startswith("arn:aws:kinesisanalytics:") and event["invocationId"]
    assert event["streamArn"].startswith("arn:aws:kinesis:")
    out = []
    for r in event["records"]:
        meta = r["kinesisStreamRecordMetadata"]
        assert meta["shardId"] and meta["partitionKey"] and meta["sequenceNumber"]
        assert isinstance(meta["approximateArrivalTimestamp"], int)
        doc = json.loads(base64.b64decode(r["data"]))
        if doc.get("drop"):
            out.append({"recordId": r["recordId"], "result": "Dropped"})
        elif doc.get("fail"):
            out.append({"recordId": r["recordId"], "result": "ProcessingFailed", "data": r["data"]})
        elif doc.get("omit"):
            continue
        else:
            shaped = {"page": doc["url"].split("?")[0].upper()}
            out.append({"recordId": r["recordId"], "result": "Ok",
                        "data": base64.b64encode(json.dumps(shaped).encode()).decode()})
    return {"records": out}
"""

PASS = """
CREATE OR REPLACE STREAM "DEST" (page VARCHAR(32));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST" SELECT STREAM page FROM "SOURCE_SQL_STREAM_001";
"""


def test_lambda_preprocessor_ok_dropped_failed(aws: Any, kda: Any, kinesis: Any, name: str) -> None:
    fn = create_function(aws("lambda"), f"{name}-pre", {"index.py": PREPROCESS})["FunctionArn"]
    source = make_stream(kinesis, name + "-in")
    dest = make_stream(kinesis, name + "-out")
    errors = make_stream(kinesis, name + "-err")
    given = json_input(source, [("page", "VARCHAR(32)")])
    given["InputProcessingConfiguration"] = {"InputLambdaProcessor": {"ResourceARN": fn, "RoleARN": ROLE}}
    kda.create_application(
        ApplicationName=name,
        ApplicationCode=PASS,
        Inputs=[given],
        Outputs=[kinesis_output("DEST", dest), kinesis_output("error_stream", errors)],
    )
    described = kda.describe_application(ApplicationName=name)["ApplicationDetail"]["InputDescriptions"][0]
    assert described["InputProcessingConfigurationDescription"]["InputLambdaProcessorDescription"]["ResourceARN"] == fn
    _start(kda, name)
    docs = [
        {"url": "/a?x=1"},
        {"url": "/b", "drop": True},
        {"url": "/c", "fail": True},
        {"url": "/d"},
        {"url": "/e", "omit": True},
    ]
    put_json(kinesis, name + "-in", docs)
    rows = Reader(kinesis, name + "-out").until(2)
    assert sorted(r["PAGE"] for r in rows) == ["/A", "/D"], "Ok records carry the function's data"
    bad = Reader(kinesis, name + "-err").until(2)
    by_name = {b["ERROR_NAME"]: b for b in bad}
    assert set(by_name) == {"Lambda_Processing_Failed", "Lambda_Invalid_Response"}, bad
    failed = by_name["Lambda_Processing_Failed"]
    assert json.loads(base64.b64decode(failed["DATA_ROW"])) == docs[2], "the original record in the error row"
    assert json.loads(base64.b64decode(by_name["Lambda_Invalid_Response"]["DATA_ROW"])) == docs[4]
    assert failed["ERROR_LEVEL"] == "ERROR"
    kda.stop_application(ApplicationName=name)


BROKEN = """
def handler(event, context):
    raise RuntimeError("broken on purpose")
"""


def test_failing_preprocessor_sends_the_batch_to_the_error_stream(aws: Any, kda: Any, kinesis: Any, name: str) -> None:
    fn = create_function(aws("lambda"), f"{name}-pre", {"index.py": BROKEN})["FunctionArn"]
    source = make_stream(kinesis, name + "-in")
    dest = make_stream(kinesis, name + "-out")
    errors = make_stream(kinesis, name + "-err")
    kda.create_application(
        ApplicationName=name,
        ApplicationCode=PASS,
        Inputs=[json_input(source, [("page", "VARCHAR(32)")])],
        Outputs=[kinesis_output("DEST", dest), kinesis_output("error_stream", errors)],
    )
    detail = kda.describe_application(ApplicationName=name)["ApplicationDetail"]
    kda.add_application_input_processing_configuration(
        ApplicationName=name,
        CurrentApplicationVersionId=detail["ApplicationVersionId"],
        InputId=detail["InputDescriptions"][0]["InputId"],
        InputProcessingConfiguration={"InputLambdaProcessor": {"ResourceARN": fn, "RoleARN": ROLE}},
    )
    _start(kda, name)
    put_json(kinesis, name + "-in", [{"page": "/x"}, {"page": "/y"}])
    bad = Reader(kinesis, name + "-err").until(2)
    assert {b["ERROR_NAME"] for b in bad} == {"Lambda_Processing_Failed"}
    assert any("broken on purpose" in b["MESSAGE"] for b in bad), bad
    assert Reader(kinesis, name + "-out").read() == [], "nothing reaches the application's streams"
    kda.stop_application(ApplicationName=name)
