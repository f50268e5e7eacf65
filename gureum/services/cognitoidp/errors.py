"""Cognito user pools' error codes (as the API reference names them) and the messages AWS words them with."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

InvalidParameterException = error_class("InvalidParameterException")
ResourceNotFoundException = error_class("ResourceNotFoundException", 400)
NotAuthorizedException = error_class("NotAuthorizedException", 400)
UserNotFoundException = error_class("UserNotFoundException", 400)
UsernameExistsException = error_class("UsernameExistsException", 400)
AliasExistsException = error_class("AliasExistsException", 400)
CodeMismatchException = error_class("CodeMismatchException", 400)
ExpiredCodeException = error_class("ExpiredCodeException", 400)
InvalidPasswordException = error_class("InvalidPasswordException", 400)
LimitExceededException = error_class("LimitExceededException", 400)
TooManyFailedAttemptsException = error_class("TooManyFailedAttemptsException", 400)
UserNotConfirmedException = error_class("UserNotConfirmedException", 400)
PasswordResetRequiredException = error_class("PasswordResetRequiredException", 400)
GroupExistsException = error_class("GroupExistsException", 400)
EnableSoftwareTokenMFAException = error_class("EnableSoftwareTokenMFAException", 400)
SoftwareTokenMFANotFoundException = error_class("SoftwareTokenMFANotFoundException", 400)
InvalidLambdaResponseException = error_class("InvalidLambdaResponseException", 400)
UserLambdaValidationException = error_class("UserLambdaValidationException", 400)
UnexpectedLambdaException = error_class("UnexpectedLambdaException", 400)
UnsupportedUserStateException = error_class("UnsupportedUserStateException", 400)
InvalidUserPoolConfigurationException = error_class("InvalidUserPoolConfigurationException", 400)
UnsupportedOperationException = error_class("UnsupportedOperationException", 400)
UnsupportedTokenTypeException = error_class("UnsupportedTokenTypeException", 400)
ConcurrentModificationException = error_class("ConcurrentModificationException", 400)
DuplicateProviderException = error_class("DuplicateProviderException", 400)

__all__ = ["ServiceError"]


def pool_not_found(pool_id: str) -> ServiceError:
    return ResourceNotFoundException(f"User pool {pool_id} does not exist.")


def client_not_found(client_id: str) -> ServiceError:
    return ResourceNotFoundException(f"User pool client {client_id} does not exist.")


def user_not_found() -> ServiceError:
    return UserNotFoundException("User does not exist.")


def bad_credentials() -> ServiceError:
    return NotAuthorizedException("Incorrect username or password.")


def bad_token(kind: str = "Access") -> ServiceError:
    return NotAuthorizedException(f"Invalid {kind} Token")
