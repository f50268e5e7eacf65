"""The neutral application document (applications.App.neutral) in kinesisanalytics' (v1) shapes."""

from __future__ import annotations

from typing import Any


def summary(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: doc[k] for k in ("ApplicationName", "ApplicationARN", "ApplicationStatus")}


def detail(doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ApplicationName": doc["ApplicationName"],
        "ApplicationARN": doc["ApplicationARN"],
        "ApplicationStatus": doc["ApplicationStatus"],
        "CreateTimestamp": doc["CreateTimestamp"],
        "LastUpdateTimestamp": doc["LastUpdateTimestamp"],
        "InputDescriptions": doc.get("Inputs") or [],
        "OutputDescriptions": doc.get("Outputs") or [],
        "ReferenceDataSourceDescriptions": doc.get("References") or [],
        "CloudWatchLoggingOptionDescriptions": doc.get("Logging") or [],
        "ApplicationCode": doc.get("Code") or "",
        "ApplicationVersionId": doc["ApplicationVersionId"],
    }
    if doc.get("Description"):
        out["ApplicationDescription"] = doc["Description"]
    return out
