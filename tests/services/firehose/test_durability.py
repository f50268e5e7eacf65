"""Durability: records acknowledged by PutRecordBatch and still buffered when the server is killed (kill -9) are
all delivered after the restart, none lost."""

from __future__ import annotations

import threading
import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ...conftest import StoreFactory, make_client
from ...server import Server
from .conftest import body, s3_config, wait_keys

WRITERS = 3


def _write(client: Any, stream: str, acked: list[bytes], stop: threading.Event, prefix: str) -> None:
    n = 0
    while not stop.is_set() and n < 50_000:
        batch = [f"{prefix}-{n + i}\n".encode() for i in range(25)]
        n += 25
        try:
            out = client.put_record_batch(DeliveryStreamName=stream, Records=[{"Data": d} for d in batch])
        except (BotoCoreError, ClientError, OSError):
            return  # the server died mid-request: nothing of this batch was acknowledged
        acked.extend(d for d, r in zip(batch, out["RequestResponses"], strict=True) if "RecordId" in r)


def test_kill9_with_buffered_records_loses_nothing(store: StoreFactory) -> None:
    kept = store()
    server = Server(**kept).start()
    try:
        s3 = make_client(server.endpoint, "s3")
        firehose = make_client(server.endpoint, "firehose")
        s3.create_bucket(Bucket="durable")
        firehose.create_delivery_stream(
            DeliveryStreamName="durable",
            ExtendedS3DestinationConfiguration=s3_config(
                "durable", BufferingHints={"SizeInMBs": 128, "IntervalInSeconds": 4}
            ),
        )
        stop = threading.Event()
        acked: list[list[bytes]] = [[] for _ in range(WRITERS)]
        threads = [
            threading.Thread(
                target=_write,
                args=(make_client(server.endpoint, "firehose"), "durable", acked[i], stop, f"w{i}"),
                daemon=True,
            )
            for i in range(WRITERS)
        ]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        server.kill()  # SIGKILL, well before the 4-second interval: everything is still buffered
        stop.set()
        for thread in threads:
            thread.join(10)
        sent = [d for each in acked for d in each]
        assert len(sent) > 100, "the writers should have put a fair number of records before the kill"

        server = Server(**kept).start()
        s3 = make_client(server.endpoint, "s3")
        found = wait_keys(s3, "durable", 1, timeout=20)
        time.sleep(0.5)
        found = wait_keys(s3, "durable", 1)
        delivered = b"".join(body(s3, "durable", k) for k in found).splitlines(keepends=True)
        missing = set(sent) - set(delivered)
        assert not missing, f"{len(missing)} acknowledged records lost, e.g. {sorted(missing)[:5]}"
        assert len(delivered) == len(set(delivered)), "no flush ran before the kill: nothing is delivered twice"
        assert len(delivered) - len(sent) <= WRITERS * 25  # at most the batches in flight at the kill
    finally:
        server.stop()
