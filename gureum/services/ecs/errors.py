"""ECS's error codes and the messages AWS words them with."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

ClientException = error_class("ClientException")
InvalidParameterException = error_class("InvalidParameterException")
ClusterNotFoundException = error_class("ClusterNotFoundException")
ClusterContainsServicesException = error_class("ClusterContainsServicesException")
ClusterContainsTasksException = error_class("ClusterContainsTasksException")
ResourceNotFoundException = error_class("ResourceNotFoundException")
ResourceInUseException = error_class("ResourceInUseException")
LimitExceededException = error_class("LimitExceededException")
ServiceNotFoundException = error_class("ServiceNotFoundException")
ServiceNotActiveException = error_class("ServiceNotActiveException")
ServerException = error_class("ServerException", 500, sender_fault=False)
AccessDeniedException = error_class("AccessDeniedException")

__all__ = [
    "ServiceError",
    "ClientException",
    "InvalidParameterException",
    "ClusterNotFoundException",
    "ClusterContainsServicesException",
    "ClusterContainsTasksException",
    "ResourceNotFoundException",
    "ResourceInUseException",
    "LimitExceededException",
    "ServiceNotFoundException",
    "ServiceNotActiveException",
    "ServerException",
    "AccessDeniedException",
    "cluster_not_found",
    "no_task_definition",
]


def cluster_not_found() -> ServiceError:
    return ClusterNotFoundException("Cluster not found.")


def no_task_definition() -> ServiceError:
    return ClientException("Unable to describe task definition.")
