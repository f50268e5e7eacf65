"""EventBridge error codes (API reference "Errors" of each operation) and the messages AWS sends with them."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

ResourceNotFoundException = error_class("ResourceNotFoundException")
ResourceAlreadyExistsException = error_class("ResourceAlreadyExistsException")
ValidationException = error_class("ValidationException")
InvalidEventPatternException = error_class("InvalidEventPatternException")
LimitExceededException = error_class("LimitExceededException")
ConcurrentModificationException = error_class("ConcurrentModificationException")
IllegalStatusException = error_class("IllegalStatusException")
ManagedRuleException = error_class("ManagedRuleException")
OperationDisabledException = error_class("OperationDisabledException")
PolicyLengthExceededException = error_class("PolicyLengthExceededException")
AccessDeniedException = error_class("AccessDeniedException")
InternalException = error_class("InternalException", 500, False)

__all__ = [
    "AccessDeniedException",
    "ConcurrentModificationException",
    "IllegalStatusException",
    "InternalException",
    "InvalidEventPatternException",
    "LimitExceededException",
    "ManagedRuleException",
    "OperationDisabledException",
    "PolicyLengthExceededException",
    "ResourceAlreadyExistsException",
    "ResourceNotFoundException",
    "ServiceError",
    "ValidationException",
    "invalid_parameter",
    "limit_exceeded",
    "no_api_destination",
    "no_archive",
    "no_bus",
    "no_connection",
    "no_endpoint",
    "no_event_source",
    "no_replay",
    "no_rule",
    "not_partner",
]


def no_bus(name: str) -> ServiceError:
    return ResourceNotFoundException(f"Event bus {name} does not exist.")


def no_rule(name: str, bus: str) -> ServiceError:
    return ResourceNotFoundException(f"Rule {name} does not exist on EventBus {bus}.")


def no_archive(name: str) -> ServiceError:
    return ResourceNotFoundException(f"Archive {name} does not exist.")


def no_replay(name: str) -> ServiceError:
    return ResourceNotFoundException(f"Replay {name} does not exist.")


def no_connection(name: str) -> ServiceError:
    return ResourceNotFoundException(f"Failed to describe the connection(s). Connection '{name}' does not exist.")


def no_api_destination(name: str) -> ServiceError:
    return ResourceNotFoundException(
        f"Failed to describe the api-destination(s). An api-destination '{name}' does not exist."
    )


def no_endpoint(name: str) -> ServiceError:
    return ResourceNotFoundException(f"Endpoint {name} does not exist.")


def no_event_source(name: str) -> ServiceError:
    return ResourceNotFoundException(f"Event source {name} does not exist.")


def not_partner() -> ServiceError:
    """What an operation only SaaS partners may call answers an account that is not one."""
    return AccessDeniedException(
        "This operation is only available to SaaS partners registered with Amazon EventBridge."
    )


def limit_exceeded() -> ServiceError:
    return LimitExceededException("The requested resource exceeds the maximum number allowed.")


def invalid_parameter(name: str, reason: str | None = None) -> ServiceError:
    """``Parameter X is not valid.`` (with ``Reason: ...`` when AWS gives one)."""
    return ValidationException(f"Parameter {name} is not valid." + (f" Reason: {reason}" if reason else ""))
