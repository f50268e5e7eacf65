"""Lambda functions as values: names and ARNs, validation of a configuration, and the FunctionConfiguration
AWS returns.  No HTTP, no SQL, no processes.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import invalid
from .limits import MAX_MEMORY, MAX_TIMEOUT, MIN_MEMORY, MIN_TIMEOUT

LATEST = "$LATEST"
_NAME = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")
# FunctionName may be a name, a partial ARN (123456789012:function:name) or a full ARN, each with an optional qualifier
_FUNCTION_REF = re.compile(
    r"^(?:arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):function:|(?P<account2>\d{12}):function:)?"
    r"(?P<name>[a-zA-Z0-9-_]+)(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9-_]+))?$"
)
_ROLE = re.compile(r"^arn:(aws[a-zA-Z-]*)?:iam::(\d{12}):role/?[a-zA-Z_0-9+=,.@\-/]+$")
_HANDLER = re.compile(r"^[^\s]{1,128}$")
_DEAD_LETTER = re.compile(r"^arn:aws[a-zA-Z-]*:(sqs|sns):[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$")
_ENV_KEY = re.compile(r"^[a-zA-Z]([a-zA-Z0-9_])*$")
# variables the runtime sets itself; AWS refuses them in Environment.Variables
RESERVED_ENV = {
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
}  # fmt: skip


@dataclass(slots=True, frozen=True)
class FunctionRef:
    """A parsed FunctionName parameter."""

    name: str
    qualifier: str | None
    account: str | None
    region: str | None


def parse_function_name(value: str, qualifier: str | None = None) -> FunctionRef:
    match = _FUNCTION_REF.match(value or "")
    if match is None or len(match.group("name")) > 64:
        raise invalid(
            f"1 validation error detected: Value '{value}' at 'functionName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern"
        )
    inner = match.group("qualifier")
    if inner and qualifier and inner != qualifier:
        raise invalid("The derived qualifier from the function name does not match the specified qualifier.")
    return FunctionRef(
        match.group("name"),
        inner or qualifier,
        match.group("account") or match.group("account2"),
        match.group("region"),
    )


def function_arn(region: str, account: str, name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def role_account(role: str) -> str:
    match = _ROLE.match(role)
    return match.group(2) if match else "000000000000"


def code_sha256(zip_bytes: bytes) -> str:
    """CodeSha256 as AWS reports it: the base64 of the zip's SHA-256."""
    return base64.b64encode(hashlib.sha256(zip_bytes).digest()).decode()


def runtime_version_arn(region: str, runtime: str) -> str:
    """RuntimeVersionConfig.RuntimeVersionArn as AWS formats it (arn:aws:lambda:<region>::runtime:<64 hex digits>):
    one runtime version per runtime and Region here, as gureum serves one interpreter per runtime."""
    digest = hashlib.sha256(f"gureum runtime {runtime} {region}".encode()).hexdigest()
    return f"arn:aws:lambda:{region}::runtime:{digest}"


def timestamp(seconds: float) -> str:
    """LastModified's format: 2024-01-02T03:04:05.678+0000."""
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


@dataclass(slots=True, frozen=True)
class Function:
    """One version of a function ($LATEST or a published number) as stored."""

    account: str
    region: str
    name: str
    version: str
    runtime: str
    role: str
    handler: str
    code_sha: str
    code_size: int
    description: str = ""
    timeout: int = 3
    memory: int = 128
    environment: dict[str, str] = field(default_factory=dict)
    architectures: tuple[str, ...] = ("x86_64",)
    ephemeral_storage: int = 512
    state: str = "Pending"
    state_reason: str | None = None
    state_reason_code: str | None = None
    last_update_status: str = ""  # none until the function is first Active (CreateFunction answers without it)
    last_update_reason: str | None = None
    last_update_reason_code: str | None = None
    revision_id: str = ""  # new on every change, the state's and the policy's included
    generation: str = ""  # new when the code or the configuration changes: what an environment was started with
    last_modified: float = 0.0
    reserved_concurrency: int | None = None
    dead_letter_arn: str | None = None  # DeadLetterConfig.TargetArn: an SQS queue or SNS topic
    event_invoke: dict[str, Any] | None = None  # PutFunctionEventInvokeConfig's settings for this version
    policy: list[dict[str, Any]] | None = None  # the resource policy's statements (AddPermission)
    layers: tuple[dict[str, Any], ...] = ()  # {"Arn": layer version ARN, "CodeSize", "sha": its zip's CodeSha256}
    logging: dict[str, Any] | None = None  # LoggingConfig as given (LogGroup, LogFormat, …)
    tracing: str = "PassThrough"  # TracingConfig.Mode: Active samples invocations whose caller did not decide
    image: dict[str, Any] | None = None  # PackageType Image (image.py): uri, resolved, repository, digest, config
    # PutRuntimeManagementConfig's UpdateRuntimeOn (and RuntimeVersionArn for Manual): gureum's runtimes never change
    # under a function, so the setting is kept and shown, with nothing to hold back
    runtime_update: dict[str, str] | None = None
    recursive_loop: str = "Terminate"  # PutFunctionRecursionConfig's RecursiveLoop (the function's, not a version's)

    @property
    def arn(self) -> str:
        return function_arn(self.region, self.account, self.name)

    @property
    def qualified_arn(self) -> str:
        return function_arn(self.region, self.account, self.name, self.version)

    @property
    def log_group(self) -> str:
        return str((self.logging or {}).get("LogGroup") or f"/aws/lambda/{self.name}")

    def revised(self, now: float, **changes: Any) -> Function:
        """A copy with new code or configuration (``changes``): a new generation, RevisionId and LastModified."""
        new = str(uuid.uuid4())
        return replace(self, revision_id=new, generation=new, last_modified=now, **changes)

    def touched(self, **changes: Any) -> Function:
        """A copy with a new RevisionId only (a change of state or policy), as AWS gives one for every change."""
        return replace(self, revision_id=str(uuid.uuid4()), **changes)

    def to_doc(self) -> dict[str, Any]:
        doc = {name: getattr(self, name) for name in self.__slots__}
        doc["architectures"] = list(self.architectures)
        doc["layers"] = list(self.layers)
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Function:
        doc = dict(doc)
        doc["architectures"] = tuple(doc.get("architectures") or ("x86_64",))
        doc["layers"] = tuple(doc.get("layers") or ())
        return cls(**{k: v for k, v in doc.items() if k in cls.__slots__})

    def configuration(self, qualifier: str | None = None, *, listed: bool = False) -> dict[str, Any]:
        """The FunctionConfiguration shape. FunctionArn carries ``qualifier`` when the caller named one ($LATEST, a
        version or an alias), else the version number of a published version. ``listed``: the subset ListFunctions
        and ListVersionsByFunction return (no state, update status or runtime version, as AWS documents)."""
        if qualifier is None and self.version != LATEST:
            qualifier = self.version
        doc: dict[str, Any] = {
            "FunctionName": self.name,
            "FunctionArn": function_arn(self.region, self.account, self.name, qualifier),
            "Runtime": self.runtime,
            "Role": self.role,
            "Handler": self.handler,
            "CodeSize": self.code_size,
            "Description": self.description,
            "Timeout": self.timeout,
            "MemorySize": self.memory,
            "LastModified": timestamp(self.last_modified),
            "CodeSha256": self.code_sha,
            "Version": self.version,
            "TracingConfig": {"Mode": self.tracing},
            "RevisionId": self.revision_id,
            "PackageType": "Zip" if self.image is None else "Image",
            "Architectures": list(self.architectures),
            "EphemeralStorage": {"Size": self.ephemeral_storage},
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
            "LoggingConfig": {"LogFormat": "Text", **(self.logging or {}), "LogGroup": self.log_group},
        }
        if self.environment:
            doc["Environment"] = {"Variables": dict(self.environment)}
        if self.layers:
            doc["Layers"] = [{"Arn": layer["Arn"], "CodeSize": layer["CodeSize"]} for layer in self.layers]
        if self.dead_letter_arn:
            doc["DeadLetterConfig"] = {"TargetArn": self.dead_letter_arn}
        if self.image is not None:  # a container image: no runtime or handler of Lambda's
            del doc["Runtime"], doc["Handler"]
            if self.image.get("config"):
                doc["ImageConfigResponse"] = {"ImageConfig": dict(self.image["config"])}
        if listed:
            return doc
        if self.image is None:
            doc["RuntimeVersionConfig"] = {"RuntimeVersionArn": runtime_version_arn(self.region, self.runtime)}
        for key, value in (
            ("State", self.state),
            ("StateReason", self.state_reason),
            ("StateReasonCode", self.state_reason_code),
            ("LastUpdateStatus", self.last_update_status),
            ("LastUpdateStatusReason", self.last_update_reason),
            ("LastUpdateStatusReasonCode", self.last_update_reason_code),
        ):
            if value:
                doc[key] = value
        return doc


def check_settings(req: dict[str, Any]) -> None:
    """The checks CreateFunction and UpdateFunctionConfiguration share (members absent are not checked)."""
    if "Role" in req and not _ROLE.match(req["Role"] or ""):
        raise invalid(
            f"1 validation error detected: Value '{req['Role']}' at 'role' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: "
            r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"
        )
    if "Handler" in req and not _HANDLER.match(req["Handler"] or ""):
        raise invalid(
            f"1 validation error detected: Value '{req['Handler']}' at 'handler' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [^\\s]+"
        )
    if "MemorySize" in req and not MIN_MEMORY <= req["MemorySize"] <= MAX_MEMORY:
        raise invalid(
            "'MemorySize' value failed to satisfy constraint: "
            f"Member must have value between {MIN_MEMORY} and {MAX_MEMORY}, inclusive"
        )
    if "Timeout" in req and not MIN_TIMEOUT <= req["Timeout"] <= MAX_TIMEOUT:
        raise invalid(
            "'Timeout' value failed to satisfy constraint: "
            f"Member must have value between {MIN_TIMEOUT} and {MAX_TIMEOUT}, inclusive"
        )
    variables = (req.get("Environment") or {}).get("Variables") or {}
    for key in variables:
        if not _ENV_KEY.match(key):
            raise invalid(
                f"Environment variable name {key} is not valid: it must start with a letter and hold only letters, "
                "digits and _."
            )
        if key in RESERVED_ENV:
            raise invalid(
                "Lambda was unable to configure your environment variables because the environment variables you "
                "have provided contains reserved keys that are currently not supported for modification. Reserved "
                f"keys used in this request: {key}"
            )
    if len(repr(variables)) > 4096:
        raise invalid(
            "Lambda was unable to configure your environment variables because the environment variables you have "
            "provided exceeded the 4KB limit."
        )
    target = (req.get("DeadLetterConfig") or {}).get("TargetArn")
    if target and not _DEAD_LETTER.match(target):
        raise invalid(f"The provided target ARN is not a valid SQS queue or SNS topic ARN: {target}")
    logging = req.get("LoggingConfig") or {}
    if logging.get("LogFormat") not in (None, "Text"):
        raise invalid("gureum writes function logs as Text only (LogFormat JSON is not supported yet).")
    if (logging.get("ApplicationLogLevel") or logging.get("SystemLogLevel")) and logging.get("LogFormat") != "JSON":
        raise invalid("Log levels can only be set when LogFormat is JSON.")
    storage = (req.get("EphemeralStorage") or {}).get("Size")
    if storage is not None and not 512 <= storage <= 10240:
        raise invalid(
            "'EphemeralStorage.Size' value failed to satisfy constraint: Member must have value between 512 and "
            "10240, inclusive"
        )


def check_name(name: str) -> None:
    if not _NAME.match(name):
        raise invalid(
            f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy constraint: Member "
            "must satisfy regular expression pattern: [a-zA-Z0-9-_]+"
        )
