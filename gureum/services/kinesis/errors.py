"""Kinesis error codes and the messages AWS words them with (as recorded by kinesalite and moto against AWS)."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

ResourceNotFoundException = error_class("ResourceNotFoundException")
ResourceInUseException = error_class("ResourceInUseException")
InvalidArgumentException = error_class("InvalidArgumentException")
LimitExceededException = error_class("LimitExceededException")
ExpiredIteratorException = error_class("ExpiredIteratorException")
ExpiredNextTokenException = error_class("ExpiredNextTokenException")
ProvisionedThroughputExceededException = error_class("ProvisionedThroughputExceededException")
ValidationException = error_class("ValidationException")

__all__ = [
    "ServiceError",
    "ResourceNotFoundException",
    "ResourceInUseException",
    "InvalidArgumentException",
    "LimitExceededException",
    "ExpiredIteratorException",
    "ExpiredNextTokenException",
    "ProvisionedThroughputExceededException",
    "ValidationException",
    "stream_not_found",
    "not_active",
    "shard_not_found",
    "no_such_shard",
    "consumer_not_found",
    "rate_exceeded",
    "already_closed",
    "invalid_iterator",
    "subscription_in_use",
    "subscribe_rate_exceeded",
]


def stream_not_found(name: str, account: str) -> ServiceError:
    return ResourceNotFoundException(f"Stream {name} under account {account} not found.")


def not_active(name: str, account: str, status: str) -> ServiceError:
    return ResourceInUseException(f"Stream {name} under account {account} not ACTIVE, instead in state {status}")


def shard_not_found(shard: str, name: str, account: str) -> ServiceError:
    """A shard id that names no shard of the stream (GetShardIterator, GetRecords)."""
    return ResourceNotFoundException(f"Shard {shard} in stream {name} under account {account} does not exist")


def no_such_shard(shard: str, name: str, account: str) -> ServiceError:
    """A shard SplitShard or MergeShards cannot find (or an id that is no shard id at all)."""
    return ResourceNotFoundException(f"Could not find shard {shard} in stream {name} under account {account}.")


def consumer_not_found(consumer: str, account: str) -> ServiceError:
    return ResourceNotFoundException(f"Consumer {consumer}, account {account} not found.")


def rate_exceeded(shard: str, name: str, account: str) -> ServiceError:
    return ProvisionedThroughputExceededException(
        f"Rate exceeded for shard {shard} in stream {name} under account {account}."
    )


def already_closed(shard: str, name: str, account: str) -> ServiceError:
    return InvalidArgumentException(
        f"Shard {shard} in stream {name} under account {account} has already been merged or split, "
        "and thus is not eligible for merging or splitting."
    )


def invalid_iterator() -> ServiceError:
    return InvalidArgumentException("Invalid ShardIterator.")


def subscription_in_use(consumer_arn: str) -> ServiceError:
    """SubscribeToShard within 5 seconds of the consumer's live subscription to the shard (or the old subscription,
    once a later call took it over)."""
    return ResourceInUseException(f"Another active subscription exists for this consumer: {consumer_arn}")


def subscribe_rate_exceeded(consumer_arn: str, shard: str) -> ServiceError:
    return LimitExceededException(f"Rate exceeded for consumer {consumer_arn} and shard {shard}.")
