"""AwsCaller: resource providers act through the services' own AWS operations, made in-process through the
AwsDispatch port (gureum.ports) exactly as a client would send them — serialized by botocore, signed as the stack's
account and region (with the stack's service role when it has one, else the account's internal credentials), routed,
validated and authorized by the protocol engine — and parsed back. No service internals, no SQL."""

from __future__ import annotations

from typing import Any

from ...aws.caller import AwsCallError, ParamsRejected, acting_as, call_aws, fit, operation_model
from ...runtime import Runtime
from .errors import ResourceFailure


class ServiceCallError(ResourceFailure):
    """An operation answered with an error: its code, message and status (the stack event shows them)."""

    def __init__(self, service: str, code: str, message: str, status: int) -> None:
        super().__init__(
            f'Resource handler returned message: "{message}" (Service: {service}, Status Code: {status}, '
            f"Error Code: {code})"
        )
        self.code, self.detail, self.status = code, message, status


class AwsCaller:
    """AWS operations made as one stack's account and region through gureum's protocol engine."""

    def __init__(self, runtime: Runtime, account: str, region: str, host: str, role_arn: str | None) -> None:
        self.runtime, self.account, self.region, self.host, self.role_arn = runtime, account, region, host, role_arn

    async def __call__(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """The parsed answer of ``operation``; ServiceCallError with the service's error otherwise."""
        op = await operation_model(self.runtime, service, operation)
        if op.input_shape is not None:
            params = fit(params, op.input_shape)
        try:
            credentials = acting_as(self.runtime, self.account, self.role_arn, "AWSCloudFormation")
            return await call_aws(self.runtime, credentials, self.host, self.region, service, operation, params)
        except ParamsRejected as error:  # the property values are not what AWS takes
            raise ResourceFailure(f"Properties validation failed: {error}") from None
        except AwsCallError as error:
            raise ServiceCallError(error.service, error.code, error.detail, error.status) from None
