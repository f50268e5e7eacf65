"""Kinesis Data Analytics SQL: records/s through a tumbling-window aggregation (COUNT per page per 1-second window,
the input read from TRIM_HORIZON out of a 4-shard stream filled beforehand), and window close → output latency
(the time from a window's end until its row is readable from the output stream, polled every 10 ms).

  python bench/analytics.py [--records 200000] [--json]     # starts its own gureum (SQLite)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
from tests.conftest import make_client  # noqa: E402
from tests.server import Server  # noqa: E402

CODE = """
CREATE STREAM "DEST" (page VARCHAR(16), clicks BIGINT, win TIMESTAMP);
CREATE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM page, COUNT(*), STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' SECOND)
  FROM "SOURCE_SQL_STREAM_001"
  GROUP BY page, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' SECOND);
"""
ROLE = "arn:aws:iam::000000000000:role/bench"


def _active(kinesis: Any, name: str, shards: int) -> str:
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    while True:
        summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        if summary["StreamStatus"] == "ACTIVE":
            return str(summary["StreamARN"])
        time.sleep(0.05)


class Out:
    def __init__(self, kinesis: Any, name: str) -> None:
        self.kinesis = kinesis
        shard = kinesis.list_shards(StreamName=name)["Shards"][0]["ShardId"]
        self.it = kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
            "ShardIterator"
        ]

    def read(self) -> list[dict[str, Any]]:
        got = self.kinesis.get_records(ShardIterator=self.it, Limit=10000)
        self.it = got["NextShardIterator"]
        return [json.loads(r["Data"]) for r in got["Records"]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp)).start()
        try:
            result = run(server.endpoint, args.records)
        finally:
            server.kill()
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")


def run(endpoint: str, total: int) -> dict[str, Any]:
    kinesis = make_client(endpoint, "kinesis")
    kda = make_client(endpoint, "kinesisanalytics")
    source = _active(kinesis, "bench-in", 4)
    dest = _active(kinesis, "bench-out", 1)
    for start in range(0, total, 500):
        kinesis.put_records(
            StreamName="bench-in",
            Records=[{"Data": json.dumps({"page": f"/p{i % 20}", "user": i}).encode(), "PartitionKey": str(i)}
                     for i in range(start, min(total, start + 500))],
        )  # fmt: skip
    kda.create_application(
        ApplicationName="bench",
        ApplicationCode=CODE,
        Inputs=[{
            "NamePrefix": "SOURCE_SQL_STREAM",
            "KinesisStreamsInput": {"ResourceARN": source, "RoleARN": ROLE},
            "InputSchema": {
                "RecordFormat": {"RecordFormatType": "JSON",
                                 "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}}},
                "RecordColumns": [{"Name": "page", "Mapping": "$.page", "SqlType": "VARCHAR(16)"},
                                  {"Name": "user", "Mapping": "$.user", "SqlType": "INTEGER"}],
            },
        }],
        Outputs=[{"Name": "DEST", "KinesisStreamsOutput": {"ResourceARN": dest, "RoleARN": ROLE},
                  "DestinationSchema": {"RecordFormatType": "JSON"}}],
    )  # fmt: skip
    out = Out(kinesis, "bench-out")
    started = time.perf_counter()
    kda.start_application(ApplicationName="bench", InputConfigurations=[
        {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "TRIM_HORIZON"}}])  # fmt: skip
    counted = 0
    while counted < total:
        counted += sum(r["CLICKS"] for r in out.read())
        time.sleep(0.01)
        if time.perf_counter() - started > 300:
            raise SystemExit(f"only {counted} of {total} records counted after 300 s")
    elapsed = time.perf_counter() - started
    latencies = []
    for _ in range(8):  # one small batch per window; each window's rows timed from its end
        kinesis.put_records(
            StreamName="bench-in",
            Records=[
                {"Data": json.dumps({"page": "/late", "user": 1}).encode(), "PartitionKey": str(i)} for i in range(50)
            ],
        )
        seen: list[dict[str, Any]] = []
        while not seen:
            seen = [r for r in out.read() if r["PAGE"] == "/late"]
            now = time.time()
            time.sleep(0.01)
        end = dt.datetime.fromisoformat(seen[0]["WIN"]).replace(tzinfo=dt.UTC).timestamp() + 1.0
        latencies.append(now - end)
    return {
        "records": total,
        "records_per_second": round(total / elapsed),
        "elapsed_s (includes the last 1 s window)": round(elapsed, 2),
        "window_close_to_output_median_s": round(statistics.median(latencies), 3),
        "window_close_to_output_max_s": round(max(latencies), 3),
    }


if __name__ == "__main__":
    main()
