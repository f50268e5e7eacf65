"""IAM error codes as the model declares them (code, HTTP status), and AWS's recurring messages."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

NoSuchEntity = error_class("NoSuchEntity", 404, type_name="NoSuchEntityException")
EntityAlreadyExists = error_class("EntityAlreadyExists", 409, type_name="EntityAlreadyExistsException")
DeleteConflict = error_class("DeleteConflict", 409, type_name="DeleteConflictException")
LimitExceeded = error_class("LimitExceeded", 409, type_name="LimitExceededException")
MalformedPolicyDocument = error_class("MalformedPolicyDocument", type_name="MalformedPolicyDocumentException")
InvalidInput = error_class("InvalidInput", type_name="InvalidInputException")
UnmodifiableEntity = error_class("UnmodifiableEntity", type_name="UnmodifiableEntityException")
PolicyNotAttachable = error_class("PolicyNotAttachable", type_name="PolicyNotAttachableException")
ValidationError = error_class("ValidationError")
PasswordPolicyViolation = error_class("PasswordPolicyViolation", type_name="PasswordPolicyViolationException")

__all__ = ["ServiceError"] + [name for name in dir() if name[0].isupper() and name != "ServiceError"]

# the words AWS uses for each kind in "The role with name X cannot be found." / "Role with name X already exists."
_NOUN = {"role": "role", "user": "user", "group": "group"}


def no_such(kind: str, name: str) -> ServiceError:
    if kind == "instance-profile":
        return NoSuchEntity(f"Instance Profile {name} cannot be found.")
    if kind == "policy":
        return NoSuchEntity(f"Policy {name} was not found.")
    return NoSuchEntity(f"The {_NOUN[kind]} with name {name} cannot be found.")


def already_exists(kind: str, name: str) -> ServiceError:
    if kind == "instance-profile":
        return EntityAlreadyExists(f"Instance Profile {name} already exists.")
    if kind == "oidc-provider":
        return EntityAlreadyExists(f"Provider with url https://{name} already exists.")
    if kind == "server-certificate":
        return EntityAlreadyExists(f"The Server Certificate with name {name} already exists.")
    if kind == "policy":
        return EntityAlreadyExists(f"A policy called {name} already exists. Duplicate names are not allowed.")
    return EntityAlreadyExists(f"{_NOUN[kind].capitalize()} with name {name} already exists.")
