"""An application's configuration as both API versions describe it (kept as one JSON document), and AWS's rules
for its inputs, outputs, reference data sources and logging options. Pure: no SQL, no I/O.

Inputs, outputs and references are kept in the v1 description shapes (InputDescription, OutputDescription,
ReferenceDataSourceDescription, CloudWatchLoggingOptionDescription); kinesisanalyticsv2 nests the same documents."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from . import schema
from .errors import InvalidArgumentException, ResourceNotFoundException

READY, STARTING, RUNNING, STOPPING, UPDATING, DELETING = (
    "READY",
    "STARTING",
    "RUNNING",
    "STOPPING",
    "UPDATING",
    "DELETING",
)
SQL_RUNTIME = "SQL-1_0"
MAX_INPUTS = 1  # AWS: an application has one streaming source
MAX_OUTPUTS = 3  # AWS: up to three destinations
MAX_REFERENCES = 1  # AWS: one reference data source
MAX_TAGS = 50
ERROR_STREAM = "error_stream"


@dataclass(slots=True)
class App:
    id: int
    account: str
    region: str
    name: str
    status: str
    version: int
    created_at: float
    updated_at: float
    config: dict[str, Any]
    tags: dict[str, str]

    @property
    def arn(self) -> str:
        return f"arn:aws:kinesisanalytics:{self.region}:{self.account}:application/{self.name}"

    @property
    def code(self) -> str:
        return str(self.config.get("Code") or "")

    @property
    def inputs(self) -> list[dict[str, Any]]:
        return list(self.config.get("Inputs") or [])

    @property
    def outputs(self) -> list[dict[str, Any]]:
        return list(self.config.get("Outputs") or [])

    @property
    def references(self) -> list[dict[str, Any]]:
        return list(self.config.get("References") or [])

    def neutral(self) -> dict[str, Any]:
        """What both API versions render from: the stored document plus identity and status."""
        return {
            "ApplicationName": self.name,
            "ApplicationARN": self.arn,
            "ApplicationStatus": self.status,
            "ApplicationVersionId": self.version,
            "CreateTimestamp": self.created_at,
            "LastUpdateTimestamp": self.updated_at,
            **copy.deepcopy(self.config),
        }


def new_config(
    description: str | None,
    code: str | None,
    role: str | None,
    inputs: list[dict[str, Any]],
    outputs: list[dict[str, Any]],
    references: list[dict[str, Any]],
    logging: list[dict[str, Any]],
) -> dict[str, Any]:
    config: dict[str, Any] = {
        "Description": description or "",
        "Code": code or "",
        "RuntimeEnvironment": SQL_RUNTIME,
        "ServiceExecutionRole": role,
        "Inputs": [],
        "Outputs": [],
        "References": [],
        "Logging": [],
        "Ids": {"input": 0, "output": 0, "reference": 0, "logging": 0},
    }
    for item in inputs:
        add_input(config, item)
    for item in outputs:
        add_output(config, item)
    for item in references:
        add_reference(config, item)
    for item in logging:
        add_logging(config, item)
    return config


def _next_id(config: dict[str, Any], kind: str) -> str:
    ids = config.setdefault("Ids", {})
    ids[kind] = int(ids.get(kind, 0)) + 1
    return f"{ids[kind]}.1"


def _one_resource(item: dict[str, Any], members: tuple[str, ...], what: str) -> tuple[str, dict[str, Any]]:
    given = [m for m in members if item.get(m)]
    if len(given) != 1:
        raise InvalidArgumentException(f"{what} must have exactly one of {', '.join(members)}")
    return given[0], item[given[0]]


def _resource(found: dict[str, Any], role: str | None) -> dict[str, Any]:
    out = {"ResourceARN": found["ResourceARN"]}
    if found.get("RoleARN") or role:
        out["RoleARN"] = found.get("RoleARN") or role
    return out


def add_input(config: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    if len(config["Inputs"]) >= MAX_INPUTS:
        raise InvalidArgumentException("Application can have at most one input configuration.")
    member, found = _one_resource(item, ("KinesisStreamsInput", "KinesisFirehoseInput"), "Input")
    prefix = str(item["NamePrefix"])
    schema.check_source_schema(item["InputSchema"], "InputSchema")
    count = int((item.get("InputParallelism") or {}).get("Count") or 1)
    description: dict[str, Any] = {
        "InputId": _next_id(config, "input"),
        "NamePrefix": prefix,
        "InAppStreamNames": stream_names(prefix, count),
        member + "Description": _resource(found, config.get("ServiceExecutionRole")),
        "InputSchema": item["InputSchema"],
        "InputParallelism": {"Count": count},
        "InputStartingPositionConfiguration": {},
    }
    processing = item.get("InputProcessingConfiguration")
    if processing:
        description["InputProcessingConfigurationDescription"] = _processing(processing, config)
    config["Inputs"].append(description)
    return description


def stream_names(prefix: str, count: int) -> list[str]:
    return [f"{prefix}_{i:03d}" for i in range(1, count + 1)]


def _processing(processing: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    lam = processing["InputLambdaProcessor"]
    return {"InputLambdaProcessorDescription": _resource(lam, config.get("ServiceExecutionRole"))}


def find(items: list[dict[str, Any]], key: str, wanted: str, what: str) -> dict[str, Any]:
    for item in items:
        if item.get(key) == wanted:
            return item
    raise ResourceNotFoundException(f"{what} with id {wanted} not found.")


def set_processing(config: dict[str, Any], input_id: str, processing: dict[str, Any] | None) -> None:
    found = find(config["Inputs"], "InputId", input_id, "Input")
    if processing is None:
        if "InputProcessingConfigurationDescription" not in found:
            raise ResourceNotFoundException(f"Input {input_id} has no input processing configuration.")
        del found["InputProcessingConfigurationDescription"]
        return
    if "InputProcessingConfigurationDescription" in found:
        raise InvalidArgumentException(f"Input {input_id} already has an input processing configuration.")
    found["InputProcessingConfigurationDescription"] = _processing(processing, config)


def add_output(config: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    if len(config["Outputs"]) >= MAX_OUTPUTS:
        raise InvalidArgumentException(f"Application can have at most {MAX_OUTPUTS} output configurations.")
    member, found = _one_resource(item, ("KinesisStreamsOutput", "KinesisFirehoseOutput", "LambdaOutput"), "Output")
    description = {
        "OutputId": _next_id(config, "output"),
        "Name": str(item["Name"]),
        member + "Description": _resource(found, config.get("ServiceExecutionRole")),
        "DestinationSchema": item["DestinationSchema"],
    }
    config["Outputs"].append(description)
    return description


def add_reference(config: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    if len(config["References"]) >= MAX_REFERENCES:
        raise InvalidArgumentException("Application can have at most one reference data source.")
    s3 = item.get("S3ReferenceDataSource") or {}
    if not s3.get("BucketARN") or not s3.get("FileKey"):
        raise InvalidArgumentException("S3ReferenceDataSource must name a BucketARN and a FileKey.")
    schema.check_source_schema(item["ReferenceSchema"], "ReferenceSchema")
    s3_description = {"BucketARN": s3["BucketARN"], "FileKey": s3["FileKey"]}
    role = s3.get("ReferenceRoleARN") or config.get("ServiceExecutionRole")
    if role:
        s3_description["ReferenceRoleARN"] = role
    description = {
        "ReferenceId": _next_id(config, "reference"),
        "TableName": str(item["TableName"]),
        "S3ReferenceDataSourceDescription": s3_description,
        "ReferenceSchema": item["ReferenceSchema"],
    }
    config["References"].append(description)
    return description


def add_logging(config: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    if any(o["LogStreamARN"] == item["LogStreamARN"] for o in config["Logging"]):
        raise InvalidArgumentException(f"Log stream {item['LogStreamARN']} is already a logging option.")
    description = {"CloudWatchLoggingOptionId": _next_id(config, "logging"), "LogStreamARN": item["LogStreamARN"]}
    if item.get("RoleARN"):
        description["RoleARN"] = item["RoleARN"]
    config["Logging"].append(description)
    return description


def remove(config: dict[str, Any], section: str, key: str, wanted: str, what: str) -> None:
    found = find(config[section], key, wanted, what)
    config[section].remove(found)


def _resource_update(target: dict[str, Any], update: dict[str, Any]) -> None:
    if update.get("ResourceARNUpdate"):
        target["ResourceARN"] = update["ResourceARNUpdate"]
    if update.get("RoleARNUpdate"):
        target["RoleARN"] = update["RoleARNUpdate"]


def apply_update(config: dict[str, Any], update: dict[str, Any]) -> None:
    """ApplicationUpdate (v1's shape; v2's SqlApplicationConfigurationUpdate is mapped to it) on ``config``."""
    if "ApplicationCodeUpdate" in update:
        config["Code"] = update["ApplicationCodeUpdate"] or ""
    for change in update.get("InputUpdates") or []:
        found = find(config["Inputs"], "InputId", change["InputId"], "Input")
        if change.get("NamePrefixUpdate"):
            found["NamePrefix"] = change["NamePrefixUpdate"]
        if change.get("InputParallelismUpdate"):
            found["InputParallelism"] = {"Count": int(change["InputParallelismUpdate"]["CountUpdate"])}
        found["InAppStreamNames"] = stream_names(found["NamePrefix"], int(found["InputParallelism"]["Count"]))
        for member in ("KinesisStreamsInput", "KinesisFirehoseInput"):
            if change.get(member + "Update"):
                for other in ("KinesisStreamsInputDescription", "KinesisFirehoseInputDescription"):
                    found.pop(other, None)
                found[member + "Description"] = {}
                _resource_update(found[member + "Description"], change[member + "Update"])
        if change.get("InputSchemaUpdate"):
            s = change["InputSchemaUpdate"]
            current = dict(found["InputSchema"])
            if s.get("RecordFormatUpdate"):
                current["RecordFormat"] = s["RecordFormatUpdate"]
            if s.get("RecordEncodingUpdate"):
                current["RecordEncoding"] = s["RecordEncodingUpdate"]
            if s.get("RecordColumnUpdates"):
                current["RecordColumns"] = s["RecordColumnUpdates"]
            schema.check_source_schema(current, "InputSchema")
            found["InputSchema"] = current
        lam = (change.get("InputProcessingConfigurationUpdate") or {}).get("InputLambdaProcessorUpdate")
        if lam:
            described = found.setdefault("InputProcessingConfigurationDescription", {})
            _resource_update(described.setdefault("InputLambdaProcessorDescription", {}), lam)
    for change in update.get("OutputUpdates") or []:
        found = find(config["Outputs"], "OutputId", change["OutputId"], "Output")
        if change.get("NameUpdate"):
            found["Name"] = change["NameUpdate"]
        if change.get("DestinationSchemaUpdate"):
            found["DestinationSchema"] = change["DestinationSchemaUpdate"]
        for member in ("KinesisStreamsOutput", "KinesisFirehoseOutput", "LambdaOutput"):
            if change.get(member + "Update"):
                for other in ("KinesisStreamsOutput", "KinesisFirehoseOutput", "LambdaOutput"):
                    found.pop(other + "Description", None)
                found[member + "Description"] = {}
                _resource_update(found[member + "Description"], change[member + "Update"])
    for change in update.get("ReferenceDataSourceUpdates") or []:
        found = find(config["References"], "ReferenceId", change["ReferenceId"], "Reference data source")
        if change.get("TableNameUpdate"):
            found["TableName"] = change["TableNameUpdate"]
        s3 = change.get("S3ReferenceDataSourceUpdate") or {}
        described = found["S3ReferenceDataSourceDescription"]
        for key, member in (("BucketARNUpdate", "BucketARN"), ("FileKeyUpdate", "FileKey")):
            if s3.get(key):
                described[member] = s3[key]
        if s3.get("ReferenceRoleARNUpdate"):
            described["ReferenceRoleARN"] = s3["ReferenceRoleARNUpdate"]
        if change.get("ReferenceSchemaUpdate"):
            schema.check_source_schema(change["ReferenceSchemaUpdate"], "ReferenceSchema")
            found["ReferenceSchema"] = change["ReferenceSchemaUpdate"]
    for change in update.get("CloudWatchLoggingOptionUpdates") or []:
        found = find(config["Logging"], "CloudWatchLoggingOptionId", change["CloudWatchLoggingOptionId"], "Option")
        if change.get("LogStreamARNUpdate"):
            found["LogStreamARN"] = change["LogStreamARNUpdate"]
        if change.get("RoleARNUpdate"):
            found["RoleARN"] = change["RoleARNUpdate"]
