"""The one durable path between services: an outbox written with the change that causes a delivery,
retries with backoff per the target's policy, and dead-letter targets.  Services offer targets; they
never call each other."""

from .outbox import MIGRATIONS, Delivery, release_claims
from .targets import (
    DeadLetter,
    DeliveryError,
    RetryPolicy,
    Target,
    attributes_from_payload,
    attributes_to_payload,
    guarded,
)

__all__ = [
    "attributes_from_payload",
    "attributes_to_payload",
    "MIGRATIONS",
    "DeadLetter",
    "Delivery",
    "DeliveryError",
    "RetryPolicy",
    "Target",
    "guarded",
    "release_claims",
]
