"""kill -9 mid-window: the restarted server resumes the running application from its committed progress; every
click is counted once, and no window is emitted twice."""

from __future__ import annotations

import json
import time
from collections import Counter

from ...conftest import StoreFactory, make_client
from ...server import Server
from .conftest import Reader, json_input, kinesis_output, make_stream, put_json, wait_status
from .test_windows import TUMBLING


def test_kill9_mid_window_counts_every_click_once(store: StoreFactory) -> None:
    kept = store()
    server = Server(**kept).start()
    try:
        kinesis = make_client(server.endpoint, "kinesis")
        kda = make_client(server.endpoint, "kinesisanalytics")
        source = make_stream(kinesis, "clicks")
        dest = make_stream(kinesis, "counts")
        kda.create_application(
            ApplicationName="clicks",
            ApplicationCode=TUMBLING,
            Inputs=[json_input(source, [("page", "VARCHAR(32)")])],
            Outputs=[kinesis_output("DEST", dest)],
        )
        input_id = kda.describe_application(ApplicationName="clicks")["ApplicationDetail"]["InputDescriptions"][0][
            "InputId"
        ]
        kda.start_application(ApplicationName="clicks", InputConfigurations=[
            {"Id": input_id, "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])  # fmt: skip
        wait_status(kda, "clicks", "RUNNING")
        reader = Reader(kinesis, "counts")
        put_json(kinesis, "clicks", [{"page": "/a"}] * 20)
        got = reader.until(1)
        put_json(kinesis, "clicks", [{"page": "/b"}] * 9)  # read into an open window, then the server dies
        time.sleep(0.4)
        server.kill()
        server = Server(**kept).start()
        kinesis = make_client(server.endpoint, "kinesis")
        kda = make_client(server.endpoint, "kinesisanalytics")
        assert kda.describe_application(ApplicationName="clicks")["ApplicationDetail"]["ApplicationStatus"] == "RUNNING"
        put_json(kinesis, "clicks", [{"page": "/c"}] * 4)
        reader = Reader(kinesis, "counts")  # from TRIM_HORIZON again: everything the stream holds
        got = reader.until(3, timeout=20)
        time.sleep(2.5)
        got += [json.loads(d) for d in reader.read()]
        totals: Counter[str] = Counter()
        for row in got:
            totals[row["PAGE"]] += row["CLICKS"]
        assert totals == Counter({"/a": 20, "/b": 9, "/c": 4}), got
    finally:
        server.kill()
