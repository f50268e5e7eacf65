"""Lambda's quotas as data (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html) and the few
local knobs gureum adds (GUREUM_LAMBDA_* environment variables, read once at import)."""

from __future__ import annotations

import os

MIN_MEMORY, MAX_MEMORY = 128, 10240  # MB
MIN_TIMEOUT, MAX_TIMEOUT = 1, 900  # seconds
MAX_SYNC_PAYLOAD = 6 * 1024 * 1024  # request and response of a RequestResponse invoke
MAX_RESPONSE_PAYLOAD = 6 * 1024 * 1024
MAX_ASYNC_PAYLOAD = 256 * 1024  # an Event invoke
RECURSION_LIMIT = 16  # invocations of one function in one chain of events before recursive loop detection stops it
MAX_ZIP = 50 * 1024 * 1024  # a direct ZipFile upload
MAX_UNZIPPED = 262_144_000  # the unpacked deployment package
TOTAL_CODE_SIZE = 80 * 1024**3  # 75 GB per region, as GetAccountSettings reports it
CONCURRENT_EXECUTIONS = 1000  # the account's default concurrency
MIN_UNRESERVED = 100  # reserved concurrency must leave this many unreserved
LOG_TAIL_BYTES = 4096  # LogType=Tail returns the last 4 KB of the invocation's log
INIT_TIMEOUT = 10.0  # seconds an execution environment may take to initialise (on-demand)

# local: how long an idle execution environment stays warm (AWS keeps them for minutes, unannounced)
IDLE_SECONDS = float(os.environ.get("GUREUM_LAMBDA_IDLE_SECONDS", "300"))
# local: at most this many execution environments run at once on this node (each is a process)
MAX_ENVIRONMENTS = int(os.environ.get("GUREUM_LAMBDA_MAX_ENVIRONMENTS", "64"))
# local: extra address space a Node environment may reserve beyond MemorySize (V8 reserves ~1 GB up front)
NODE_ADDRESS_ALLOWANCE_MB = 1536
# response streaming (https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html): a 20 MB
# soft limit on the response; the first 6 MB at full speed, the rest at up to 2 MB/s
STREAM_MAX_BYTES = int(os.environ.get("GUREUM_LAMBDA_STREAM_MAX_BYTES", str(20 * 1024 * 1024)))
STREAM_UNCAPPED_BYTES = 6 * 1024 * 1024
STREAM_RATE = 2 * 1024 * 1024  # bytes a second
