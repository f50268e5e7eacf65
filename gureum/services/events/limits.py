"""EventBridge limits as data (eb-quota.html, the API reference, and what AWS answers)."""

from __future__ import annotations

PUT_EVENTS_MAX_BYTES = 256 * 1024  # "The total entry size must be less than 256KB" (eb-putevent-size.html)
PUT_EVENTS_TIME_BYTES = 14  # a given Time counts 14 bytes in that total
TARGETS_PER_RULE = 5
RULES_PER_BUS = 300
BUSES_PER_ACCOUNT = 100  # custom buses, the default one not counted
INPUT_PATHS_MAX = 100  # variables in an InputPathsMap
RETRY_ATTEMPTS_DEFAULT = 185  # RetryPolicy.MaximumRetryAttempts when not given
EVENT_AGE_DEFAULT = 86_400  # RetryPolicy.MaximumEventAgeInSeconds when not given
RETRY_MIN_DELAY = 1.0  # seconds: "exponential back off and jitter" starting near a second
RETRY_MAX_DELAY = 300.0
BUS_HOPS_MAX = 16  # events forwarded bus to bus further than this are dropped (a rule loop)
REPLAY_BATCH = 100  # archived events replayed per transaction
HTTP_TIMEOUT = 5.0  # API destinations: "the endpoint must respond within 5 seconds"
HTTP_RATE_DEFAULT = 300  # InvocationRateLimitPerSecond when not given
DEFAULT_PAGE = 100
BATCH_ARRAY_SIZE_MAX = 10_000  # BatchParameters.ArrayProperties.Size: 2 to 10,000 (Batch's array jobs)
BATCH_ATTEMPTS_MAX = 10  # BatchParameters.RetryStrategy.Attempts: 1 to 10
