"""The HttpApiEdge port: what the REST edge hands over for execute-api ids it does not own, and this service's own edge
routes: custom domain names (their API mappings) and the management API under a stage's URL on gureum's own host.
An HTTP API request goes to http_api.py; the management API under a stage's URL ("/{stage}/@connections/{id}")
becomes an ordinary AWS call to "/@connections/{id}" (signed again in strict mode, since the client signed the
stage URL's path)."""

from __future__ import annotations

from ... import ports
from ...aws import sigv4
from ...aws.http import Request, Response
from ...runtime import Runtime
from . import domains, http_api, store
from .state import State


class HttpApiEdge:
    def __init__(self, runtime: Runtime, state: State) -> None:
        self.runtime = runtime
        self.state = state

    async def handle(self, api_id: str, path: str, request: Request) -> Response | None:
        """An HTTP API request, or the management API under a stage's URL ("/{stage}/@connections/{id}" becomes
        "/@connections/{id}" for the ordinary AWS dispatch)."""
        runtime = self.runtime
        if connections_path(request.raw_path) is not None and await self._is_ours(api_id):
            return await self.connections(request)
        return await http_api.handle(runtime, self.state, api_id, path, request)

    async def connections(self, request: Request) -> Response:
        """The management API under a stage's URL, whatever host it came to: "…/{stage}/@connections/{id}" becomes
        the AWS call "/@connections/{id}" (how function code reaches it at https://{domainName}/{stage})."""
        runtime = self.runtime
        inner = connections_path(request.raw_path)
        if inner is None:
            return _not_found()
        rewritten = Request(request.method, inner, request.query_string, request.headers, request.body, request.scheme)
        if runtime.config.strict_auth:
            rewritten = _resigned(runtime, request, rewritten)
        return await runtime.port(ports.AwsDispatch)(rewritten)

    async def custom_domain(self, request: Request) -> Response:
        """A request to a custom domain name: the API mapping whose key starts the path serves it (AWS answers 403
        Forbidden when none does)."""
        host = request.host.split(":")[0].lower()
        mappings = await self.runtime.store.read(lambda tx: store.children(tx, "ApiMapping", host))
        found = domains.select_mapping(mappings, request.path)
        if found is None:
            return _forbidden()
        mapping, inner = found
        if connections_path(request.raw_path) is not None:
            return await self.connections(request)
        stage = await self.state.deployments.load_stage(self.runtime.store, mapping["ApiId"], mapping["Stage"])
        return await http_api.serve(
            self.runtime, self.state, stage, inner, request, custom_domain=host, mapping_key=mapping["ApiMappingKey"]
        )

    async def _is_ours(self, api_id: str) -> bool:
        return await self.runtime.store.read(lambda tx: store.get_api(tx, api_id) is not None)


def _resigned(runtime: Runtime, original: Request, rewritten: Request) -> Request:
    """Strict mode: the client signed the stage URL's path. When that signature verifies, the rewritten request is
    signed again with the same key so that the dispatcher's check passes; otherwise it goes on as is (and fails)."""
    try:
        signed = sigv4.authenticate(original, runtime.secret_for, runtime.clock.utcnow())
    except sigv4.SignatureProblem:
        return rewritten
    secret = runtime.secret_for(signed.access_key)
    if secret is None or signed.presigned:
        return rewritten
    signature = sigv4.expected_signature(rewritten, signed, secret)
    headers = {
        **rewritten.headers,
        "authorization": rewritten.headers["authorization"].replace(
            f"Signature={signed.signature}", f"Signature={signature}"
        ),
    }
    return Request(
        rewritten.method, rewritten.raw_path, rewritten.query_string, headers, rewritten.body, rewritten.scheme
    )


def connections_path(raw_path: str) -> str | None:
    """ "/@connections/{id}" when the raw path ends with "/{stage}/@connections/{id}" (the "@" possibly escaped)."""
    for marker in ("/@connections/", "/%40connections/"):
        at = raw_path.find(marker)
        if at >= 0:
            rest = raw_path[at + len(marker) :]
            return f"/@connections/{rest}" if rest and "/" not in rest else None
    return None


def _forbidden() -> Response:
    return Response(403, [("Content-Type", "application/json")], b'{"message":"Forbidden"}')


def _not_found() -> Response:
    return Response(404, [("Content-Type", "application/json")], b'{"message":"Not Found"}')
