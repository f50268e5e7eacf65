"""The neutral application document (gureum.ports.AnalyticsApplications) in kinesisanalyticsv2's shapes, and v2's
requests mapped to the neutral changes."""

from __future__ import annotations

import hashlib
from typing import Any

from ...aws.errors import error_class

InvalidArgumentException = error_class("InvalidArgumentException")
UnsupportedOperationException = error_class("UnsupportedOperationException")
SQL_RUNTIME = "SQL-1_0"


def check_runtime(runtime: str | None) -> None:
    if runtime and runtime != SQL_RUNTIME:
        raise InvalidArgumentException(
            f"RuntimeEnvironment {runtime} is not supported here: gureum runs SQL applications ({SQL_RUNTIME}) only"
        )


def code_of(configuration: dict[str, Any] | None) -> str | None:
    code = (configuration or {}).get("ApplicationCodeConfiguration") or {}
    if not code:
        return None
    if code.get("CodeContentType") == "ZIPFILE":
        raise InvalidArgumentException("A SQL application's code is PLAINTEXT (TextContent); ZIPFILE is for Flink")
    content = code.get("CodeContent") or {}
    if content.get("ZipFileContent") or content.get("S3ContentLocation"):
        raise InvalidArgumentException("A SQL application's code is given as TextContent")
    return str(content.get("TextContent") or "")


def summary(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "ApplicationName": doc["ApplicationName"],
        "ApplicationARN": doc["ApplicationARN"],
        "ApplicationStatus": doc["ApplicationStatus"],
        "ApplicationVersionId": doc["ApplicationVersionId"],
        "RuntimeEnvironment": doc.get("RuntimeEnvironment") or SQL_RUNTIME,
        "ApplicationMode": "STREAMING",
    }


def detail(doc: dict[str, Any]) -> dict[str, Any]:
    code = str(doc.get("Code") or "")
    out: dict[str, Any] = {
        **summary(doc),
        "CreateTimestamp": doc["CreateTimestamp"],
        "LastUpdateTimestamp": doc["LastUpdateTimestamp"],
        "ApplicationConfigurationDescription": {
            "SqlApplicationConfigurationDescription": {
                "InputDescriptions": doc.get("Inputs") or [],
                "OutputDescriptions": doc.get("Outputs") or [],
                "ReferenceDataSourceDescriptions": doc.get("References") or [],
            },
            "ApplicationCodeConfigurationDescription": {
                "CodeContentType": "PLAINTEXT",
                "CodeContentDescription": {
                    "TextContent": code,
                    "CodeMD5": hashlib.md5(code.encode()).hexdigest(),
                    "CodeSize": len(code.encode()),
                },
            },
        },
        "CloudWatchLoggingOptionDescriptions": doc.get("Logging") or [],
    }
    if doc.get("Description"):
        out["ApplicationDescription"] = doc["Description"]
    if doc.get("ServiceExecutionRole"):
        out["ServiceExecutionRole"] = doc["ServiceExecutionRole"]
    return out


def update_of(req: dict[str, Any]) -> dict[str, Any]:
    """v2's UpdateApplication as v1's ApplicationUpdate."""
    configuration = req.get("ApplicationConfigurationUpdate") or {}
    sql = configuration.get("SqlApplicationConfigurationUpdate") or {}
    out: dict[str, Any] = {
        "InputUpdates": sql.get("InputUpdates") or [],
        "OutputUpdates": sql.get("OutputUpdates") or [],
        "ReferenceDataSourceUpdates": sql.get("ReferenceDataSourceUpdates") or [],
        "CloudWatchLoggingOptionUpdates": req.get("CloudWatchLoggingOptionUpdates") or [],
    }
    code = configuration.get("ApplicationCodeConfigurationUpdate") or {}
    if code:
        if code.get("CodeContentTypeUpdate") == "ZIPFILE":
            raise InvalidArgumentException("A SQL application's code is PLAINTEXT (TextContent); ZIPFILE is for Flink")
        out["ApplicationCodeUpdate"] = (code.get("CodeContentUpdate") or {}).get("TextContentUpdate") or ""
    unsupported = [k for k in configuration if k not in ("SqlApplicationConfigurationUpdate",
                                                          "ApplicationCodeConfigurationUpdate")]  # fmt: skip
    if unsupported:
        raise InvalidArgumentException(f"{', '.join(unsupported)} do(es) not apply to a SQL application")
    return out
