"""AWS::Lambda::Function, Permission, EventSourceMapping, Version, Alias, Url, LayerVersion through Lambda's
operations. A function is ready when Lambda says so (State Active, LastUpdateStatus Successful): the provider
polls GetFunctionConfiguration as CloudFormation's handler does. Inline code (Code.ZipFile) is zipped as
CloudFormation does: index.py for Python runtimes, index.js otherwise, with the cfnresponse / cfn-response helper
beside it."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from ..errors import ResourceFailure
from .base import Context, Created, Provider, required, tag_changes, tags_map

_CONFIG = (
    "Role",
    "Handler",
    "Description",
    "Timeout",
    "MemorySize",
    "Environment",
    "Runtime",
    "DeadLetterConfig",
    "KMSKeyArn",
    "TracingConfig",
    "Layers",
    "FileSystemConfigs",
    "ImageConfig",
    "EphemeralStorage",
    "SnapStart",
    "LoggingConfig",
    "VpcConfig",
    "RuntimeManagementConfig",
)
_READY_SECONDS = 300.0


# the response helpers CloudFormation adds beside inline code (AWS's cfnresponse and cfn-response modules: same
# functions, written here), so inline custom resource handlers `import cfnresponse` / `require('cfn-response')`
CFNRESPONSE_PY = """import json
import urllib.request

SUCCESS = "SUCCESS"
FAILED = "FAILED"


def send(event, context, responseStatus, responseData, physicalResourceId=None, noEcho=False, reason=None):
    body = {
        "Status": responseStatus,
        "Reason": reason or "See the details in CloudWatch Log Stream: " + context.log_stream_name,
        "PhysicalResourceId": physicalResourceId or context.log_stream_name,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "NoEcho": noEcho,
        "Data": responseData,
    }
    data = json.dumps(body).encode()
    request = urllib.request.Request(event["ResponseURL"], data=data, method="PUT",
                                     headers={"content-type": "", "content-length": str(len(data))})
    try:
        with urllib.request.urlopen(request) as response:
            print("Status code:", response.status)
    except Exception as e:
        print("send(..) failed executing http request:", e)
"""
CFN_RESPONSE_JS = """const url = require('url');
exports.SUCCESS = 'SUCCESS';
exports.FAILED = 'FAILED';
exports.send = function (event, context, responseStatus, responseData, physicalResourceId, noEcho) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({
      Status: responseStatus,
      Reason: 'See the details in CloudWatch Log Stream: ' + context.logStreamName,
      PhysicalResourceId: physicalResourceId || context.logStreamName,
      StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId,
      NoEcho: noEcho || false, Data: responseData,
    });
    const parsed = url.parse(event.ResponseURL);
    const client = parsed.protocol === 'https:' ? require('https') : require('http');
    const request = client.request({
      hostname: parsed.hostname, port: parsed.port, path: parsed.path, method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
    }, (response) => { response.resume(); response.on('end', () => { context.done && context.done(); resolve(); }); });
    request.on('error', (error) => { console.log('send(..) failed executing https.request(..): ' + error);
      context.done && context.done(); reject(error); });
    request.write(body);
    request.end();
  });
};
"""


def _zip(source: str, runtime: str) -> bytes:
    python = runtime.startswith("python")
    files = (
        {"index.py": source, "cfnresponse.py": CFNRESPONSE_PY}
        if python
        else {"index.js": source, "node_modules/cfn-response/index.js": CFN_RESPONSE_JS}
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o644 << 16
            archive.writestr(info, text)
    return buffer.getvalue()


def _code(props: dict[str, Any]) -> dict[str, Any]:
    code = dict(required(props, "Code"))
    if "ZipFile" in code:
        return {"ZipFile": _zip(str(code["ZipFile"]), str(props.get("Runtime", "")))}
    return {k: v for k, v in code.items() if k in ("S3Bucket", "S3Key", "S3ObjectVersion", "ImageUri")}


def _config(props: dict[str, Any]) -> dict[str, Any]:
    out = {k: props[k] for k in _CONFIG if k in props}
    for key in ("Timeout", "MemorySize"):
        if key in out:
            out[key] = int(out[key])
    if "Environment" in out:
        out["Environment"] = {"Variables": {k: str(v) for k, v in (out["Environment"].get("Variables") or {}).items()}}
    if "KMSKeyArn" in out:
        out["KMSKeyArn"] = str(out["KMSKeyArn"])
    return out


async def ready(ctx: Context, name: str) -> dict[str, Any]:
    """The function's configuration once Lambda has finished creating or updating it."""
    delay, waited = 0.01, 0.0
    while True:
        config = await ctx.aws("lambda", "GetFunctionConfiguration", {"FunctionName": name})
        state, update = config.get("State"), config.get("LastUpdateStatus")
        if state == "Failed" or update == "Failed":
            reason = config.get("StateReason") or config.get("LastUpdateStatusReason") or "the function failed"
            raise ResourceFailure(f'Resource handler returned message: "{reason}"')
        if state in (None, "Active", "Inactive") and update in (None, "Successful"):
            return config
        if waited > _READY_SECONDS:
            raise ResourceFailure("Exceeded attempts to wait for the function to become Active")
        await ctx.pause(delay)
        waited += delay
        delay = min(delay * 2, 1.0)


class Function(Provider):
    type = "AWS::Lambda::Function"
    tags_in_place = True
    replace = frozenset({"FunctionName", "PackageType"})
    name_property = "FunctionName"

    drift = frozenset(
        {"Runtime", "Handler", "MemorySize", "Timeout", "Description", "Role", "Environment", "Layers"}
        | {"Architectures", "TracingConfig", "EphemeralStorage"}
    )

    async def read(self, ctx: Context, physical_id: str, attributes: dict[str, Any]) -> dict[str, Any]:
        config = await ctx.aws("lambda", "GetFunctionConfiguration", {"FunctionName": physical_id})
        live = {k: v for k, v in config.items() if k in self.drift and k not in ("Layers", "Environment")}
        live["Layers"] = [layer["Arn"] for layer in config.get("Layers") or []]
        live["Environment"] = {"Variables": (config.get("Environment") or {}).get("Variables") or {}}
        return live

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("FunctionName") or ctx.name(64)
        params: dict[str, Any] = {"FunctionName": name, "Code": _code(props), **_config(props)}
        for key in ("PackageType", "Architectures", "CodeSigningConfigArn"):
            if key in props:
                params[key] = props[key]
        tags = tags_map(props, ctx.tags)
        if tags:
            params["Tags"] = tags
        await ctx.aws("lambda", "CreateFunction", params)
        config = await ready(ctx, name)
        if props.get("ReservedConcurrentExecutions") is not None:
            await ctx.aws(
                "lambda",
                "PutFunctionConcurrency",
                {"FunctionName": name, "ReservedConcurrentExecutions": int(props["ReservedConcurrentExecutions"])},
            )
        return Created(name, {"Arn": config["FunctionArn"], "SnapStartResponse": {}})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        if old.get("Code") != new.get("Code") or old.get("Architectures") != new.get("Architectures"):
            params: dict[str, Any] = {"FunctionName": physical_id, **_code(new)}
            if "Architectures" in new:
                params["Architectures"] = new["Architectures"]
            await ctx.aws("lambda", "UpdateFunctionCode", params)
            await ready(ctx, physical_id)
        before, after = _config(old), _config(new)
        if before != after:
            changed = {k: v for k, v in after.items() if before.get(k) != v}
            for key in before:
                if key not in after:
                    changed[key] = {"Environment": {"Variables": {}}, "Layers": [], "Description": ""}.get(key)
            await ctx.aws(
                "lambda",
                "UpdateFunctionConfiguration",
                {"FunctionName": physical_id, **{k: v for k, v in changed.items() if v is not None}},
            )
            await ready(ctx, physical_id)
        gone, changed = tag_changes(old, new, ctx.tags, ctx.previous_tags)
        if gone:
            await ctx.aws("lambda", "UntagResource", {"Resource": attributes["Arn"], "TagKeys": gone})
        if changed:
            await ctx.aws("lambda", "TagResource", {"Resource": attributes["Arn"], "Tags": changed})
        if old.get("ReservedConcurrentExecutions") != new.get("ReservedConcurrentExecutions"):
            if new.get("ReservedConcurrentExecutions") is None:
                await ctx.aws("lambda", "DeleteFunctionConcurrency", {"FunctionName": physical_id})
            else:
                await ctx.aws(
                    "lambda",
                    "PutFunctionConcurrency",
                    {
                        "FunctionName": physical_id,
                        "ReservedConcurrentExecutions": int(new["ReservedConcurrentExecutions"]),
                    },
                )
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("lambda", "DeleteFunction", {"FunctionName": physical_id})


def _function_name(value: str) -> tuple[str, str | None]:
    """(function, qualifier) of a name, ARN or partial ARN (a qualified ARN's last part is the qualifier)."""
    parts = value.split(":")
    if value.startswith("arn:") and len(parts) == 8:
        return ":".join(parts[:7]), parts[7]
    return value, None


class Permission(Provider):
    type = "AWS::Lambda::Permission"
    updatable = False

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        statement = ctx.name(100)
        function, qualifier = _function_name(str(required(props, "FunctionName")))
        params: dict[str, Any] = {
            "FunctionName": function,
            "StatementId": statement,
            "Action": required(props, "Action"),
            "Principal": required(props, "Principal"),
        }
        if qualifier:
            params["Qualifier"] = qualifier
        for key in ("SourceArn", "SourceAccount", "EventSourceToken", "PrincipalOrgID", "FunctionUrlAuthType"):
            if props.get(key) is not None:
                params[key] = props[key]
        await ctx.aws("lambda", "AddPermission", params)
        return Created(statement, {"Function": function, "Qualifier": qualifier})

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        params: dict[str, Any] = {"FunctionName": attributes["Function"], "StatementId": physical_id}
        if attributes.get("Qualifier"):
            params["Qualifier"] = attributes["Qualifier"]
        await ctx.aws("lambda", "RemovePermission", params)


_ESM_UPDATABLE = (
    "FunctionName",
    "Enabled",
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "DestinationConfig",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "MaximumRetryAttempts",
    "ParallelizationFactor",
    "FunctionResponseTypes",
    "ScalingConfig",
    "FilterCriteria",
    "TumblingWindowInSeconds",
)


class EventSourceMapping(Provider):
    type = "AWS::Lambda::EventSourceMapping"
    replace = frozenset(
        {
            "EventSourceArn",
            "StartingPosition",
            "StartingPositionTimestamp",
            "Queues",
            "SelfManagedEventSource",
            "Topics",
        }
    )

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        params = {k: v for k, v in props.items() if k != "Tags"}
        for key in (
            "BatchSize",
            "MaximumBatchingWindowInSeconds",
            "MaximumRetryAttempts",
            "ParallelizationFactor",
            "MaximumRecordAgeInSeconds",
            "TumblingWindowInSeconds",
        ):
            if key in params:
                params[key] = int(params[key])
        if "Enabled" in params:
            params["Enabled"] = str(params["Enabled"]).lower() == "true"
        out = await ctx.aws("lambda", "CreateEventSourceMapping", params)
        return Created(out["UUID"], {"Id": out["UUID"], "EventSourceMappingArn": out.get("EventSourceMappingArn", "")})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"UUID": physical_id}
        for key in _ESM_UPDATABLE:
            if key in new and old.get(key) != new.get(key):
                params[key] = new[key]
        if "Enabled" in params:
            params["Enabled"] = str(params["Enabled"]).lower() == "true"
        for key in ("BatchSize", "MaximumBatchingWindowInSeconds"):
            if key in params:
                params[key] = int(params[key])
        await ctx.aws("lambda", "UpdateEventSourceMapping", params)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("lambda", "DeleteEventSourceMapping", {"UUID": physical_id})


class Version(Provider):
    type = "AWS::Lambda::Version"
    updatable = False

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        params: dict[str, Any] = {"FunctionName": required(props, "FunctionName")}
        for key in ("Description", "CodeSha256"):
            if props.get(key):
                params[key] = props[key]
        await ready(ctx, str(params["FunctionName"]))
        out = await ctx.aws("lambda", "PublishVersion", params)
        return Created(out["FunctionArn"], {"Version": out["Version"], "FunctionArn": out["FunctionArn"]})

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        function, qualifier = _function_name(physical_id)
        try:
            await ctx.aws("lambda", "DeleteFunction", {"FunctionName": function, "Qualifier": qualifier or ""})
        except ResourceFailure as error:
            if getattr(error, "code", "") != "ResourceConflictException":  # an alias still points at it: kept
                raise


class Alias(Provider):
    type = "AWS::Lambda::Alias"
    replace = frozenset({"FunctionName", "Name"})

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        params: dict[str, Any] = {
            k: props[k]
            for k in ("FunctionName", "Name", "FunctionVersion", "Description", "RoutingConfig")
            if k in props
        }
        out = await ctx.aws("lambda", "CreateAlias", params)
        return Created(out["AliasArn"], {"AliasArn": out["AliasArn"]})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        params: dict[str, Any] = {
            k: new[k] for k in ("FunctionName", "Name", "FunctionVersion", "Description", "RoutingConfig") if k in new
        }
        await ctx.aws("lambda", "UpdateAlias", params)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("lambda", "DeleteAlias", {"FunctionName": props["FunctionName"], "Name": props["Name"]})


class Url(Provider):
    type = "AWS::Lambda::Url"
    replace = frozenset({"TargetFunctionArn", "Qualifier"})

    def _params(self, props: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {
            "FunctionName": required(props, "TargetFunctionArn"),
            "AuthType": required(props, "AuthType"),
        }
        for key in ("Qualifier", "Cors", "InvokeMode"):
            if props.get(key) is not None:
                params[key] = props[key]
        return params

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        out = await ctx.aws("lambda", "CreateFunctionUrlConfig", self._params(props))
        return Created(out["FunctionArn"], {"FunctionArn": out["FunctionArn"], "FunctionUrl": out["FunctionUrl"]})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        params = self._params(new)
        if "Cors" not in params and old.get("Cors"):
            params["Cors"] = {}
        await ctx.aws("lambda", "UpdateFunctionUrlConfig", params)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        params = {"FunctionName": props["TargetFunctionArn"]}
        if props.get("Qualifier"):
            params["Qualifier"] = props["Qualifier"]
        await ctx.aws("lambda", "DeleteFunctionUrlConfig", params)


class LayerVersion(Provider):
    type = "AWS::Lambda::LayerVersion"
    updatable = False

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("LayerName") or ctx.name(64)
        content = dict(required(props, "Content"))
        params: dict[str, Any] = {"LayerName": name, "Content": content}
        for key in ("CompatibleRuntimes", "CompatibleArchitectures", "Description", "LicenseInfo"):
            if props.get(key) is not None:
                params[key] = props[key]
        out = await ctx.aws("lambda", "PublishLayerVersion", params)
        return Created(out["LayerVersionArn"], {"LayerVersionArn": out["LayerVersionArn"]})

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        parts = physical_id.split(":")
        await ctx.aws(
            "lambda", "DeleteLayerVersion", {"LayerName": ":".join(parts[:7]), "VersionNumber": int(parts[7])}
        )


class LayerVersionPermission(Provider):
    type = "AWS::Lambda::LayerVersionPermission"
    updatable = False

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        arn = str(required(props, "LayerVersionArn"))
        parts = arn.split(":")
        statement = ctx.name(100)
        params: dict[str, Any] = {
            "LayerName": ":".join(parts[:7]),
            "VersionNumber": int(parts[7]),
            "StatementId": statement,
            "Action": required(props, "Action"),
            "Principal": required(props, "Principal"),
        }
        if props.get("OrganizationId"):
            params["OrganizationId"] = props["OrganizationId"]
        await ctx.aws("lambda", "AddLayerVersionPermission", params)
        return Created(f"{arn}#{statement}", {})

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        arn, _, statement = physical_id.partition("#")
        parts = arn.split(":")
        await ctx.aws(
            "lambda",
            "RemoveLayerVersionPermission",
            {"LayerName": ":".join(parts[:7]), "VersionNumber": int(parts[7]), "StatementId": statement},
        )


PROVIDERS = [
    Function(),
    Permission(),
    EventSourceMapping(),
    Version(),
    Alias(),
    Url(),
    LayerVersion(),
    LayerVersionPermission(),
]


class EventInvokeConfig(Provider):
    type = "AWS::Lambda::EventInvokeConfig"
    replace = frozenset({"FunctionName", "Qualifier"})

    def _params(self, props: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {
            "FunctionName": required(props, "FunctionName"),
            "Qualifier": str(required(props, "Qualifier")),
        }
        for key in ("MaximumEventAgeInSeconds", "MaximumRetryAttempts"):
            if props.get(key) is not None:
                params[key] = int(props[key])
        if props.get("DestinationConfig") is not None:
            params["DestinationConfig"] = props["DestinationConfig"]
        return params

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        params = self._params(props)
        await ctx.aws("lambda", "PutFunctionEventInvokeConfig", params)
        return Created(f"{params['FunctionName']}|{params['Qualifier']}", {})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await ctx.aws("lambda", "PutFunctionEventInvokeConfig", self._params(new))
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        function, _, qualifier = physical_id.rpartition("|")
        await ctx.aws("lambda", "DeleteFunctionEventInvokeConfig", {"FunctionName": function, "Qualifier": qualifier})


PROVIDERS.append(EventInvokeConfig())
