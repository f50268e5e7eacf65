"""Container secrets from Systems Manager Parameter Store, as ECS tasks and Batch jobs take them: a secret's
``valueFrom`` names a parameter (its name or ARN), read through the ParameterValues port with the execution role
when the container starts (``ssm:GetParameters``, checked under IAM enforcement, noted in learn mode) and given to
the container as an environment variable. Secrets Manager does not run here: its references are refused by the
services when a definition is registered. A failure reads as ECS's ResourceInitializationError."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ..aws.authorize import authorizer, checks_deliveries
from ..ports import ParameterValues
from ..runtime import Runtime

# (account, Region, execution role ARN, parameter names or ARNs) → ({reference: value}, references not found)
ReadParameters = Callable[[str, str, str, list[str]], Awaitable[tuple[dict[str, str], list[str]]]]

_FAILED = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "


class SecretsFailed(Exception):
    """The secrets could not be read: the task's or job's stopped reason, in ECS's words."""


def is_parameter(value_from: str) -> bool:
    """A secret's valueFrom that names a Parameter Store parameter (a name, or an ssm parameter ARN)."""
    if value_from.startswith("arn:"):
        parts = value_from.split(":", 5)
        return len(parts) == 6 and parts[2] == "ssm" and parts[5].startswith("parameter/")
    return bool(value_from)


def parameter_reader(runtime: Runtime, what: str) -> ReadParameters:
    """Parameter Store's values when the execution role may read them; ``what`` names the caller in the IAM
    would-deny record ("ECS task secrets")."""

    async def read(account: str, region: str, role: str, references: list[str]) -> tuple[dict[str, str], list[str]]:
        parameters = runtime.optional_port(ParameterValues)
        if parameters is None:
            raise RuntimeError("Systems Manager Parameter Store is not running")
        if checks_deliveries(runtime):
            iam = authorizer(runtime)
            for reference in references:
                arn = reference if reference.startswith("arn:") else (
                    f"arn:aws:ssm:{region}:{account}:parameter/{reference.partition(':')[0].lstrip('/')}"
                )  # fmt: skip
                verdict = await iam.principal_may(role, "ssm:GetParameters", arn)
                if not verdict.allowed:
                    iam.note(role, "ssm:GetParameters", arn, verdict, what)
                    if runtime.config.enforce_iam:
                        raise RuntimeError(verdict.message(role, "ssm:GetParameters", arn))
        return await parameters.values(account, region, references)

    return read


async def read_secrets(
    read: ReadParameters | None, account: str, region: str, role: str, secrets: list[dict[str, Any]]
) -> dict[str, str]:
    """The secrets' values by variable name; SecretsFailed with ECS's reason when they cannot all be read."""
    wanted = {s["name"]: str(s["valueFrom"]) for s in secrets}
    if not wanted:
        return {}
    if read is None:
        raise SecretsFailed(_FAILED + "Systems Manager Parameter Store is not running")
    try:
        found, missing = await read(account, region, role, list(wanted.values()))
    except Exception as exc:  # the execution role may not read them (AccessDeniedException), …
        message = getattr(exc, "message", None) or str(exc)
        raise SecretsFailed(f"{_FAILED}unable to retrieve secrets from ssm: {message}") from None
    if missing:
        raise SecretsFailed(
            f"{_FAILED}unable to retrieve secrets from ssm: service call has been retried 1 time(s): "
            f"invalid parameters: {', '.join(missing)}"
        )
    return {name: found[reference] for name, reference in wanted.items()}
