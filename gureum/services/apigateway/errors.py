"""API Gateway's control-plane error codes (API reference "Common Errors") and the messages AWS sends."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

BadRequestException = error_class("BadRequestException")
NotFoundException = error_class("NotFoundException", 404)
ConflictException = error_class("ConflictException", 409)
LimitExceededException = error_class("LimitExceededException", 429)
TooManyRequestsException = error_class("TooManyRequestsException", 429)
UnauthorizedException = error_class("UnauthorizedException", 401)

__all__ = [
    "ServiceError",
    "BadRequestException",
    "NotFoundException",
    "ConflictException",
    "LimitExceededException",
    "not_found",
    "api_not_found",
    "concurrent_modification",
]

_WHAT = {
    "resource": "Invalid Resource identifier specified",
    "method": "Invalid Method identifier specified",
    "integration": "Invalid Integration identifier specified",
    "response": "Invalid Response status code specified",
    "stage": "Invalid Stage identifier specified",
    "deployment": "Invalid Deployment identifier specified",
    "apikey": "Invalid API Key identifier specified",
    "usageplan": "Invalid Usage Plan ID specified",
    "authorizer": "Invalid Authorizer identifier specified",
    "validator": "Invalid Request Validator identifier specified",
    "gatewayresponse": "Invalid Gateway Response identifier specified",
    "usageplankey": "Invalid Usage Plan Key identifier specified",
    "documentationpart": "Invalid Documentation part identifier specified",
    "documentationversion": "Invalid Documentation version identifier specified",
    "vpclink": "Invalid Vpc Link identifier specified",
    "domain": "Invalid domain name identifier specified",
    "clientcertificate": "Invalid Client Certificate identifier specified",
}


def not_found(what: str, detail: str = "") -> ServiceError:
    message = _WHAT[what]
    if detail:
        message = f"{message}\n{detail}"
    return NotFoundException(message)


def api_not_found(account: str, api_id: str) -> ServiceError:
    """AWS's answer for an unknown REST API (most operations; those on an API's sub-resources name the sub-resource
    instead, as AWS looks that up first)."""
    return NotFoundException(f"Invalid API identifier specified {account}:{api_id}")


def concurrent_modification() -> ServiceError:
    """What AWS answers CreateAuthorizer for an unknown REST API (recorded): a 409."""
    return ConflictException("Unable to complete operation due to concurrent modification. Please try again later.")
