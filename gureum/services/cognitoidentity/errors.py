"""Cognito identity pools' error codes (as the API reference names them)."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

InvalidParameterException = error_class("InvalidParameterException")
ResourceNotFoundException = error_class("ResourceNotFoundException")
NotAuthorizedException = error_class("NotAuthorizedException")
ResourceConflictException = error_class("ResourceConflictException")
InvalidIdentityPoolConfigurationException = error_class("InvalidIdentityPoolConfigurationException")
ExternalServiceException = error_class("ExternalServiceException")

__all__ = ["ServiceError"]
