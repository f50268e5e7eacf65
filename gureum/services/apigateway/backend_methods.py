"""The backend's part for methods and their integrations (kept under their resource in the API document), and
the console's test calls that run them: TestInvokeMethod and TestInvokeAuthorizer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from . import apis, methods, simulate
from .backend_base import BackendBase
from .errors import BadRequestException, not_found

T = TypeVar("T")


class MethodPart(BackendBase):
    """Operations on a method and what hangs under it look the resource up first: for an unknown API AWS answers
    "Invalid Resource identifier specified" (recorded)."""

    async def _read_method(self, account: str, region: str, api_id: str, fn: Callable[[dict[str, Any]], T]) -> T:
        return await self.read_api(account, region, api_id, fn, not_found("resource"))

    async def _change_method(self, account: str, region: str, api_id: str, fn: Callable[[dict[str, Any]], T]) -> T:
        return await self.change_api(account, region, api_id, fn, not_found("resource"))

    # --- Methods ----------------------------------------------------------------------------------------------------

    async def put_method(
        self,
        account: str,
        region: str,
        api_id: str,
        resource_id: str,
        http_method: str,
        authorization_type: str,
        **members: Any,
    ) -> dict[str, Any]:
        """A method on the resource (members: methods.put_method's)."""
        return await self._change_method(
            account,
            region,
            api_id,
            lambda doc: methods.put_method(doc, resource_id, http_method, authorization_type, **members),
        )

    async def get_method(
        self, account: str, region: str, api_id: str, resource_id: str, http_method: str
    ) -> dict[str, Any]:
        return await self._read_method(account, region, api_id, lambda doc: apis.method(doc, resource_id, http_method))

    async def update_method(
        self,
        account: str,
        region: str,
        api_id: str,
        resource_id: str,
        http_method: str,
        operations: list[dict[str, Any]],
    ) -> dict[str, Any]:
        return await self._change_method(
            account, region, api_id, lambda doc: methods.update_method(doc, resource_id, http_method, operations)
        )

    async def delete_method(self, account: str, region: str, api_id: str, resource_id: str, http_method: str) -> None:
        await self._change_method(
            account, region, api_id, lambda doc: methods.delete_method(doc, resource_id, http_method)
        )

    # --- MethodResponses --------------------------------------------------------------------------------------------

    async def put_method_response(
        self,
        account: str,
        region: str,
        api_id: str,
        resource_id: str,
        http_method: str,
        status_code: str,
        response_parameters: dict[str, bool] | None,
        response_models: dict[str, str] | None,
    ) -> dict[str, Any]:
        return await self._change_method(
            account,
            region,
            api_id,
            lambda doc: methods.put_method_response(
                doc, resource_id, http_method, status_code, response_parameters, response_models
            ),
        )

    async def get_method_response(
        self, account: str, region: str, api_id: str, resource_id: str, http_method: str, status_code: str
    ) -> dict[str, Any]:
        return await self._read_method(
            account, region, api_id, lambda doc: methods.method_response(doc, resource_id, http_method, status_code)
        )

    async def update_method_response(
        self,
        account: str,
        region: str,
        api_id: str,
        resource_id: str,
        http_method: str,
        status_code: str,
        operations: list[dict[str, Any]],
    ) -> dict[str, Any]:
        return await self._change_method(
            account,
            region,
            api_id,
            lambda doc: methods.update_method_response(doc, resource_id, http_method, status_code, operations),
        )

    async def delete_method_response(
        self, account: str, region: str, api_id: str, resource_id: str, http_method: str, status_code: str
    ) -> None:
        await self._change_method(
            account,
            region,
            api_id,
            lambda doc: methods.delete_method_response(doc, resource_id, http_method, status_code),
        )

    # --- Integrations -----------------------------------------------------------------------------------------------

    async def put_integration(
        self,
        account: str,
        region: str,
        api_id: str,
        resource_id: str,
        http_method: str,
        integration_type: str,
        **members: Any,
    ) -> dict[str, Any]:
        """The method's integration (members: methods.put_integration's)."""
        return await self._change_method(
            account,
            region,
            api_id,
            lambda doc: methods.put_integration(doc, resource_id, http_method, integration_type, **members),
        )

    async def get_integration(
        self, account: str, region: str, api_id: str, resource_id: str, http_method: str
    ) -> dict[str, Any]:
        return await self._read_method(
            account, region, api_id, lambda doc: methods.integration(doc, resource_id, http_method)
        )

    async def update_integration(
        self,
        account: str,
        region: str,
        api_id: str,
        resource_id: str,
        http_method: str,
        operations: list[dict[str, Any]],
    ) -> dict[str, Any]:
        return await self._change_method(
            account, region, api_id, lambda doc: methods.update_integration(doc, resource_id, http_method, operations)
        )

    async def delete_integration(
        self, account: str, region: str, api_id: str, resource_id: str, http_method: str
    ) -> None:
        await self._change_method(
            account, region, api_id, lambda doc: methods.delete_integration(doc, resource_id, http_method)
        )

    # --- IntegrationResponses ---------------------------------------------------------------------------------------

    async def put_integration_response(
        self,
        account: str,
        region: str,
        api_id: str,
        resource_id: str,
        http_method: str,
        status_code: str,
        **members: Any,
    ) -> dict[str, Any]:
        """One of the integration's responses (members: methods.put_integration_response's)."""
        return await self._change_method(
            account,
            region,
            api_id,
            lambda doc: methods.put_integration_response(doc, resource_id, http_method, status_code, **members),
        )

    async def get_integration_response(
        self, account: str, region: str, api_id: str, resource_id: str, http_method: str, status_code: str
    ) -> dict[str, Any]:
        return await self._read_method(
            account,
            region,
            api_id,
            lambda doc: methods.integration_response(doc, resource_id, http_method, status_code),
        )

    async def update_integration_response(
        self,
        account: str,
        region: str,
        api_id: str,
        resource_id: str,
        http_method: str,
        status_code: str,
        operations: list[dict[str, Any]],
    ) -> dict[str, Any]:
        return await self._change_method(
            account,
            region,
            api_id,
            lambda doc: methods.update_integration_response(doc, resource_id, http_method, status_code, operations),
        )

    async def delete_integration_response(
        self, account: str, region: str, api_id: str, resource_id: str, http_method: str, status_code: str
    ) -> None:
        await self._change_method(
            account,
            region,
            api_id,
            lambda doc: methods.delete_integration_response(doc, resource_id, http_method, status_code),
        )

    # --- the console's tests ----------------------------------------------------------------------------------------

    async def test_invoke_method(
        self,
        account: str,
        region: str,
        api_id: str,
        resource_id: str,
        http_method: str,
        *,
        host: str,
        path_with_query_string: str | None = None,
        body: str | None = None,
        headers: dict[str, str] | None = None,
        multi_value_headers: dict[str, list[str]] | None = None,
        stage_variables: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Run the live definition's method (not a deployment's) on a simulated request."""

        def load(doc: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
            found = apis.method(doc, resource_id, http_method)
            if "methodIntegration" not in found:
                raise BadRequestException("No integration defined for method")
            return doc, apis.resource(doc, resource_id), found

        doc, resource, method = await self._read_method(account, region, api_id, load)
        return await simulate.invoke_method(
            self.runtime,
            account,
            region,
            doc,
            resource,
            method,
            path_with_query_string=path_with_query_string,
            headers=headers,
            multi_value_headers=multi_value_headers,
            body=body,
            stage_variables=stage_variables,
            host=host,
        )

    async def test_invoke_authorizer(
        self,
        account: str,
        region: str,
        api_id: str,
        authorizer_id: str,
        *,
        path_with_query_string: str | None = None,
        headers: dict[str, str] | None = None,
        stage_variables: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        authorizer = await self.read_api(
            account,
            region,
            api_id,
            lambda doc: apis.require(doc, "authorizers", authorizer_id, "authorizer"),
            not_found("authorizer"),
        )
        return await simulate.invoke_authorizer(
            self.runtime,
            account,
            region,
            api_id,
            authorizer,
            path_with_query_string=path_with_query_string,
            headers=headers,
            stage_variables=stage_variables,
        )
