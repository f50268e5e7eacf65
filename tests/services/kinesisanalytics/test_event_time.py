"""Windows on event time, as AWS documents them: a tumbling GROUP BY on a declared timestamp column together with
STEP(ROWTIME …) groups out-of-order rows by their event time and emits as the ROWTIME window closes; a late row
for an event-time group already emitted gives a further row for that group. Stagger windows (WINDOWED BY
STAGGER) open per partition key at its first row, close the interval later, and survive a stop and
LAST_STOPPED_POINT start and a kill -9 (their open windows are kept in the store)."""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

from ...conftest import StoreFactory, make_client
from ...server import Server
from .conftest import Reader, json_input, kinesis_output, make_stream, put_json, wait_status
from .test_windows import _start

COLUMNS = [("ticker", "VARCHAR(8)"), ("event_time", "TIMESTAMP")]

EVENT_TUMBLING = """
CREATE OR REPLACE STREAM "DEST" (ticker VARCHAR(8), event_minute TIMESTAMP, ticker_count INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM ticker, FLOOR("SOURCE_SQL_STREAM_001".EVENT_TIME TO MINUTE) AS event_minute,
         COUNT(*) AS ticker_count
  FROM "SOURCE_SQL_STREAM_001"
  GROUP BY ticker, FLOOR("SOURCE_SQL_STREAM_001".EVENT_TIME TO MINUTE),
           STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '2' SECOND);
"""

STAGGER = """
CREATE OR REPLACE STREAM "DEST" (ticker VARCHAR(8), event_minute TIMESTAMP, ticker_count INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM ticker, FLOOR(EVENT_TIME TO MINUTE), COUNT(ticker) AS ticker_count
  FROM "SOURCE_SQL_STREAM_001"
  WINDOWED BY STAGGER (PARTITION BY FLOOR(EVENT_TIME TO MINUTE), ticker RANGE INTERVAL '3' SECOND);
"""


def _row(row: dict[str, Any]) -> tuple[str, str, int]:
    return row["TICKER"], str(row["EVENT_MINUTE"])[:16], int(row["TICKER_COUNT"])


def _event(ticker: str, at: str) -> dict[str, str]:
    return {"ticker": ticker, "event_time": f"2024-05-01 {at}"}


def _app(kda: Any, kinesis: Any, name: str, code: str) -> Reader:
    source = make_stream(kinesis, name + "-in")
    dest = make_stream(kinesis, name + "-out")
    kda.create_application(
        ApplicationName=name,
        ApplicationCode=code,
        Inputs=[json_input(source, COLUMNS)],
        Outputs=[kinesis_output("DEST", dest)],
    )
    _start(kda, name)
    return Reader(kinesis, name + "-out")


def test_event_time_tumbling_groups_out_of_order_rows_and_a_late_row_adds_a_row(
    kda: Any, kinesis: Any, name: str
) -> None:
    reader = _app(kda, kinesis, name, EVENT_TUMBLING)
    time.sleep(2.2 - time.time() % 2)  # just after a ROWTIME window opens: the batch falls in one window
    events = ["10:00:15", "10:01:03", "10:00:40", "10:01:30", "10:00:05"]
    put_json(kinesis, name + "-in", [_event("AMZN", t) for t in events] + [_event("MSFT", "10:01:59")])
    # the ROWTIME window (2 s) closes the groups, not the one-minute event-time groups
    first = sorted(_row(r) for r in reader.until(3, timeout=6))
    assert first == [("AMZN", "2024-05-01 10:00", 3), ("AMZN", "2024-05-01 10:01", 2), ("MSFT", "2024-05-01 10:01", 1)]
    put_json(kinesis, name + "-in", [_event("AMZN", "10:00:59")])  # late for a group already emitted
    late = [_row(r) for r in reader.until(1, timeout=6)]
    assert late == [("AMZN", "2024-05-01 10:00", 1)], "a further row for the late group, the first one unchanged"
    kda.stop_application(ApplicationName=name)
    wait_status(kda, name, "READY")


def test_event_time_only_group_closes_on_rowtime_windows_of_its_size(kda: Any, kinesis: Any, name: str) -> None:
    code = """
    CREATE OR REPLACE STREAM "DEST" (ticker VARCHAR(8), event_minute TIMESTAMP, ticker_count INTEGER);
    CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
      SELECT STREAM ticker, STEP(EVENT_TIME BY INTERVAL '2' SECOND), COUNT(*)
      FROM "SOURCE_SQL_STREAM_001" GROUP BY ticker, STEP(EVENT_TIME BY INTERVAL '2' SECOND);
    """
    reader = _app(kda, kinesis, name, code)
    time.sleep(2.2 - time.time() % 2)
    put_json(kinesis, name + "-in", [_event("A", "10:00:03.5"), _event("A", "10:00:09"), _event("A", "10:00:02")])
    got = {str(r["EVENT_MINUTE"])[:19]: r["TICKER_COUNT"] for r in reader.until(2, timeout=6)}
    assert got == {"2024-05-01 10:00:02": 2, "2024-05-01 10:00:08": 1}


def test_stagger_window_per_key_opens_at_its_first_row(kda: Any, kinesis: Any, name: str) -> None:
    reader = _app(kda, kinesis, name, STAGGER)
    put_json(kinesis, name + "-in", [_event("AMZN", "11:00:10")])
    time.sleep(0.3)
    put_json(kinesis, name + "-in", [_event("AMZN", "11:00:20")])
    time.sleep(0.7)
    put_json(kinesis, name + "-in", [_event("AMZN", "11:01:05")])  # another key: its own window
    first = [_row(r) for r in reader.until(1, timeout=8)]
    assert first == [("AMZN", "2024-05-01 11:00", 2)], "the first key's window closes 3 s after its first row"
    put_json(kinesis, name + "-in", [_event("AMZN", "11:00:55")])  # that key again: a new window
    rest = sorted(_row(r) for r in reader.until(2, timeout=8))
    assert rest == [("AMZN", "2024-05-01 11:00", 1), ("AMZN", "2024-05-01 11:01", 1)]


def test_stagger_windows_survive_a_stop_and_last_stopped_point(kda: Any, kinesis: Any, name: str) -> None:
    reader = _app(kda, kinesis, name, STAGGER)
    put_json(kinesis, name + "-in", [_event("AMZN", "11:00:10"), _event("AMZN", "11:00:20")])
    time.sleep(0.5)  # read into an open window, then stopped
    kda.stop_application(ApplicationName=name)
    wait_status(kda, name, "READY")
    _start(kda, name, "LAST_STOPPED_POINT")
    put_json(kinesis, name + "-in", [_event("AMZN", "11:00:30")])
    got = reader.until(1, timeout=10)
    time.sleep(3.5)
    got += [json.loads(d) for d in reader.read()]
    totals: Counter[str] = Counter()
    for row in got:
        totals[_row(row)[1]] += _row(row)[2]
    assert totals == Counter({"2024-05-01 11:00": 3}), got
    kda.stop_application(ApplicationName=name)
    wait_status(kda, name, "READY")


def test_stagger_kill9_mid_window_counts_each_row_once(store: StoreFactory) -> None:
    kept = store()
    server = Server(**kept).start()
    try:
        kinesis = make_client(server.endpoint, "kinesis")
        kda = make_client(server.endpoint, "kinesisanalytics")
        reader = _app(kda, kinesis, "stagger", STAGGER)
        put_json(kinesis, "stagger-in", [_event("A", "11:00:01")] * 3)
        assert [_row(r) for r in reader.until(1)] == [("A", "2024-05-01 11:00", 3)]
        put_json(kinesis, "stagger-in", [_event("B", "11:00:01")] * 5)  # an open window when the server dies
        time.sleep(0.5)
        server.kill()
        server = Server(**kept).start()
        kinesis = make_client(server.endpoint, "kinesis")
        put_json(kinesis, "stagger-in", [_event("C", "11:00:01")] * 2)
        reader = Reader(kinesis, "stagger-out")  # from TRIM_HORIZON again: everything the stream holds
        got = reader.until(3, timeout=20)
        time.sleep(3.5)
        got += [json.loads(d) for d in reader.read()]
        totals: Counter[str] = Counter()
        for row in got:
            totals[row["TICKER"]] += row["TICKER_COUNT"]
        assert totals == Counter({"A": 3, "B": 5, "C": 2}), got
    finally:
        server.kill()
