"""What a restart cannot read from the input again survives a stop and a LAST_STOPPED_POINT start: a sliding
window's history (the average after the start still counts the rows before it) and the open window of a tumbling
pump over a chained in-application stream (its rows counted once, none lost)."""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

from .conftest import Reader, json_input, kinesis_output, make_stream, put_json, wait_status
from .test_windows import _start

CODE = """
CREATE OR REPLACE STREAM "CLEAN" (page VARCHAR(32), price DOUBLE);
CREATE OR REPLACE PUMP "C" AS INSERT INTO "CLEAN" SELECT STREAM page, price FROM "SOURCE_SQL_STREAM_001";
CREATE OR REPLACE STREAM "COUNTS" (page VARCHAR(32), clicks INTEGER);
CREATE OR REPLACE PUMP "T" AS INSERT INTO "COUNTS"
  SELECT STREAM page, COUNT(*) AS clicks FROM "CLEAN" GROUP BY page, STEP("CLEAN".ROWTIME BY INTERVAL '4' SECOND);
CREATE OR REPLACE STREAM "AVGS" (page VARCHAR(32), price DOUBLE, avg_price DOUBLE);
CREATE OR REPLACE PUMP "S" AS INSERT INTO "AVGS"
  SELECT STREAM page, price, AVG(price) OVER W AS avg_price FROM "SOURCE_SQL_STREAM_001"
  WINDOW W AS (PARTITION BY page RANGE INTERVAL '1' MINUTE PRECEDING);
"""


def test_sliding_history_and_chained_window_survive_a_stop(kda: Any, kinesis: Any, name: str) -> None:
    source = make_stream(kinesis, name + "-in")
    counts_arn = make_stream(kinesis, name + "-counts")
    avgs_arn = make_stream(kinesis, name + "-avgs")
    kda.create_application(
        ApplicationName=name,
        ApplicationCode=CODE,
        Inputs=[json_input(source, [("page", "VARCHAR(32)"), ("price", "DOUBLE")])],
        Outputs=[kinesis_output("COUNTS", counts_arn), kinesis_output("AVGS", avgs_arn)],
    )
    _start(kda, name, "NOW")
    counts, avgs = Reader(kinesis, name + "-counts"), Reader(kinesis, name + "-avgs")
    time.sleep(4.2 - time.time() % 4)  # just after a window starts: it is still open at the stop
    put_json(kinesis, name + "-in", [{"page": "/a", "price": 10.0}])
    time.sleep(0.3)
    put_json(kinesis, name + "-in", [{"page": "/a", "price": 20.0}])
    assert [r["AVG_PRICE"] for r in avgs.until(2)] == [10.0, 15.0]
    before = counts.read()
    kda.stop_application(ApplicationName=name)
    wait_status(kda, name, "READY")

    _start(kda, name, "LAST_STOPPED_POINT")
    put_json(kinesis, name + "-in", [{"page": "/a", "price": 30.0}])
    after = avgs.until(1)
    assert [r["AVG_PRICE"] for r in after] == [20.0], "the minute before the stop is still in the window"
    rows = [json.loads(d) for d in before] + counts.until(1, timeout=15)
    time.sleep(4.5)  # the window the last click fell in closes too
    rows += [json.loads(d) for d in counts.read()]
    totals: Counter[str] = Counter()
    for row in rows:
        totals[row["PAGE"]] += row["CLICKS"]
    assert totals == Counter({"/a": 3}), rows
    kda.stop_application(ApplicationName=name)
    wait_status(kda, name, "READY")
