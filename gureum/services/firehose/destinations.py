"""Destinations as CreateDeliveryStream takes them and DescribeDeliveryStream shows them: S3 and ExtendedS3 (one
kind here, described both ways for an S3 stream, as AWS does) and HTTP endpoints, with AWS's defaults filled in and
its rules checked; UpdateDestination's merge. Destinations gureum cannot deliver to are refused by name.

A destination is kept as {"kind": "ExtendedS3" | "HttpEndpoint", "id": "destinationId-000000000001",
"legacy": bool (created with S3DestinationConfiguration), "description": <its Description shape>,
"access_key": <HTTP endpoint access key, never described>}."""

from __future__ import annotations

import copy
from typing import Any

from . import conversion, limits, prefixes
from .errors import InvalidArgumentException

DESTINATION_ID = "destinationId-000000000001"
SUPPORTED = "S3DestinationConfiguration, ExtendedS3DestinationConfiguration and HttpEndpointDestinationConfiguration"
UNSUPPORTED = (
    "RedshiftDestinationConfiguration",
    "ElasticsearchDestinationConfiguration",
    "AmazonopensearchserviceDestinationConfiguration",
    "SplunkDestinationConfiguration",
    "AmazonOpenSearchServerlessDestinationConfiguration",
    "SnowflakeDestinationConfiguration",
    "IcebergDestinationConfiguration",
)
UNSUPPORTED_UPDATES = tuple(name.replace("Configuration", "Update") for name in UNSUPPORTED)
PROCESSOR_PARAMETERS = {
    "Lambda": {"LambdaArn", "NumberOfRetries", "RoleArn", "BufferSizeInMBs", "BufferIntervalInSeconds"},
    "MetadataExtraction": {"MetadataExtractionQuery", "JsonParsingEngine"},
    "RecordDeAggregation": {"SubRecordType", "Delimiter"},
    "AppendDelimiterToRecord": {"Delimiter"},
    "Decompression": {"CompressionFormat"},
    "CloudWatchLogProcessing": {"DataMessageExtraction"},
}
S3_MEMBERS = (
    "RoleARN",
    "BucketARN",
    "Prefix",
    "ErrorOutputPrefix",
    "BufferingHints",
    "CompressionFormat",
    "EncryptionConfiguration",
    "CloudWatchLoggingOptions",
)
_NO_ENCRYPTION = {"NoEncryptionConfig": "NoEncryption"}


def refuse_unsupported(given: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if given.get(name) is not None:
            raise InvalidArgumentException(
                f"{name} is not supported by gureum: its Firehose delivers to S3 (S3DestinationConfiguration, "
                f"ExtendedS3DestinationConfiguration) and HTTP endpoints (HttpEndpointDestinationConfiguration)."
            )


def _hints(given: dict[str, Any] | None, size: int, interval: int) -> dict[str, int]:
    given = given or {}
    return {
        "SizeInMBs": int(given.get("SizeInMBs", size)),
        "IntervalInSeconds": int(given.get("IntervalInSeconds", interval)),
    }


def s3_description(config: dict[str, Any]) -> dict[str, Any]:
    """An S3DestinationDescription from an S3DestinationConfiguration (or the S3 part of an extended one)."""
    out: dict[str, Any] = {
        "RoleARN": config["RoleARN"],
        "BucketARN": config["BucketARN"],
        "BufferingHints": _hints(config.get("BufferingHints"), limits.S3_SIZE_DEFAULT, limits.S3_INTERVAL_DEFAULT),
        "CompressionFormat": config.get("CompressionFormat") or "UNCOMPRESSED",
        "EncryptionConfiguration": config.get("EncryptionConfiguration") or dict(_NO_ENCRYPTION),
        "CloudWatchLoggingOptions": config.get("CloudWatchLoggingOptions") or {"Enabled": False},
    }
    for member in ("Prefix", "ErrorOutputPrefix"):
        if config.get(member):
            out[member] = config[member]
    return out


def extended_description(config: dict[str, Any]) -> dict[str, Any]:
    out = s3_description(config)
    partitioning = config.get("DynamicPartitioningConfiguration")
    if partitioning is not None:
        enabled = bool(partitioning.get("Enabled", False))
        retry = (partitioning.get("RetryOptions") or {}).get("DurationInSeconds", limits.PARTITIONING_RETRY_DEFAULT)
        out["DynamicPartitioningConfiguration"] = {"Enabled": enabled, "RetryOptions": {"DurationInSeconds": retry}}
        if enabled and "SizeInMBs" not in (config.get("BufferingHints") or {}):
            out["BufferingHints"]["SizeInMBs"] = limits.PARTITIONED_SIZE_DEFAULT
    if config.get("ProcessingConfiguration") is not None:
        out["ProcessingConfiguration"] = config["ProcessingConfiguration"]
    out["S3BackupMode"] = config.get("S3BackupMode") or "Disabled"
    if config.get("S3BackupConfiguration") is not None:
        out["S3BackupDescription"] = s3_description(config["S3BackupConfiguration"])
    for member in ("DataFormatConversionConfiguration", "FileExtension", "CustomTimeZone"):
        if config.get(member) is not None:
            out[member] = config[member]
    if conversion.enabled(out) and "SizeInMBs" not in (config.get("BufferingHints") or {}):
        out["BufferingHints"]["SizeInMBs"] = limits.CONVERSION_SIZE_DEFAULT
    return out


def http_description(config: dict[str, Any]) -> dict[str, Any]:
    endpoint = config["EndpointConfiguration"]
    request = config.get("RequestConfiguration") or {}
    out: dict[str, Any] = {
        "EndpointConfiguration": {k: endpoint[k] for k in ("Url", "Name") if endpoint.get(k) is not None},
        "BufferingHints": _hints(config.get("BufferingHints"), limits.HTTP_SIZE_DEFAULT, limits.HTTP_INTERVAL_DEFAULT),
        "CloudWatchLoggingOptions": config.get("CloudWatchLoggingOptions") or {"Enabled": False},
        "RequestConfiguration": {
            "ContentEncoding": request.get("ContentEncoding") or "NONE",
            "CommonAttributes": list(request.get("CommonAttributes") or []),
        },
        "RetryOptions": {
            "DurationInSeconds": (config.get("RetryOptions") or {}).get("DurationInSeconds", limits.HTTP_RETRY_DEFAULT)
        },
        "S3BackupMode": config.get("S3BackupMode") or "FailedDataOnly",
        "S3DestinationDescription": s3_description(config["S3Configuration"]),
    }
    for member in ("ProcessingConfiguration", "RoleARN"):
        if config.get(member) is not None:
            out[member] = config[member]
    return out


def create(given: dict[str, Any]) -> dict[str, Any]:
    """The destination of a CreateDeliveryStream request (exactly one must be given)."""
    refuse_unsupported(given, UNSUPPORTED)
    chosen = [
        k
        for k in (
            "S3DestinationConfiguration",
            "ExtendedS3DestinationConfiguration",
            "HttpEndpointDestinationConfiguration",
        )
        if given.get(k) is not None
    ]
    if len(chosen) != 1:
        raise InvalidArgumentException(
            f"Exactly one destination configuration must be specified ({SUPPORTED} are supported)."
            if chosen
            else f"A destination configuration is required: {SUPPORTED} are supported."
        )
    config = given[chosen[0]]
    if chosen[0] == "HttpEndpointDestinationConfiguration":
        dest = {"kind": "HttpEndpoint", "id": DESTINATION_ID, "legacy": False, "description": http_description(config)}
        dest["access_key"] = config["EndpointConfiguration"].get("AccessKey")
    else:
        legacy = chosen[0] == "S3DestinationConfiguration"
        description = s3_description(config) if legacy else extended_description(config)
        if legacy:
            description["S3BackupMode"] = "Disabled"
        dest = {"kind": "ExtendedS3", "id": DESTINATION_ID, "legacy": legacy, "description": description}
    check(dest, creating=True)
    return dest


def partitioned(dest: dict[str, Any]) -> bool:
    return bool((dest["description"].get("DynamicPartitioningConfiguration") or {}).get("Enabled"))


def processors(description: dict[str, Any]) -> list[dict[str, Any]]:
    """The enabled processors, each {"Type", "Parameters": {name: value}}."""
    processing = description.get("ProcessingConfiguration") or {}
    if not processing.get("Enabled", False):
        return []
    return [
        {"Type": p["Type"], "Parameters": {x["ParameterName"]: x["ParameterValue"] for x in p.get("Parameters") or []}}
        for p in processing.get("Processors") or []
    ]


def _check_s3(description: dict[str, Any], where: str, partitioning: bool) -> None:
    prefixes.validate(description.get("Prefix"), description.get("ErrorOutputPrefix"), partitioning)
    prefixes.check_zone(description.get("CustomTimeZone"))
    encryption = description.get("EncryptionConfiguration") or {}
    if encryption.get("NoEncryptionConfig") and encryption.get("KMSEncryptionConfig"):
        raise InvalidArgumentException(f"{where}: specify either NoEncryptionConfig or KMSEncryptionConfig, not both.")
    logging = description.get("CloudWatchLoggingOptions") or {}
    if logging.get("Enabled") and not (logging.get("LogGroupName") and logging.get("LogStreamName")):
        raise InvalidArgumentException(
            f"{where}: LogGroupName and LogStreamName are required when CloudWatch logging is enabled."
        )


def _check_processors(description: dict[str, Any], partitioning: bool) -> None:
    for p in processors(description):
        kind, params = p["Type"], p["Parameters"]
        unknown = set(params) - PROCESSOR_PARAMETERS.get(kind, set())
        if unknown:
            raise InvalidArgumentException(
                f"Processor {kind} does not take parameter(s) {', '.join(sorted(unknown))}; it takes "
                f"{', '.join(sorted(PROCESSOR_PARAMETERS.get(kind, set())))}."
            )
        if kind == "Lambda":
            if "LambdaArn" not in params:
                raise InvalidArgumentException("Processor Lambda requires the LambdaArn parameter.")
            _number(params, "NumberOfRetries", 0, limits.LAMBDA_RETRIES_MAX)
            _number(params, "BufferSizeInMBs", limits.LAMBDA_BUFFER_MB_MIN, limits.LAMBDA_BUFFER_MB_MAX)
            _number(params, "BufferIntervalInSeconds", 0, 900)
        elif kind == "MetadataExtraction":
            if not partitioning:
                raise InvalidArgumentException("MetadataExtraction processor requires dynamic partitioning enabled.")
            if "MetadataExtractionQuery" not in params or params.get("JsonParsingEngine") != "JQ-1.6":
                raise InvalidArgumentException(
                    "Processor MetadataExtraction requires MetadataExtractionQuery and JsonParsingEngine JQ-1.6."
                )
        elif kind == "RecordDeAggregation":
            sub = params.get("SubRecordType")
            if sub not in ("JSON", "DELIMITED"):
                raise InvalidArgumentException("RecordDeAggregation requires SubRecordType JSON or DELIMITED.")
            if sub == "DELIMITED" and not params.get("Delimiter"):
                raise InvalidArgumentException("RecordDeAggregation with SubRecordType DELIMITED requires Delimiter.")
        elif kind == "Decompression" and params.get("CompressionFormat", "GZIP") != "GZIP":
            raise InvalidArgumentException("Decompression supports CompressionFormat GZIP.")
        elif kind == "CloudWatchLogProcessing" and params.get("DataMessageExtraction", "true") not in ("true", "false"):
            raise InvalidArgumentException("CloudWatchLogProcessing's DataMessageExtraction is true or false.")


def _number(params: dict[str, str], name: str, low: float, high: float) -> None:
    if name not in params:
        return
    try:
        value = float(params[name])
    except ValueError:
        raise InvalidArgumentException(f"Processor parameter {name} must be a number.") from None
    if not low <= value <= high:
        raise InvalidArgumentException(f"Processor parameter {name} must be between {low:g} and {high:g}.")


def check(dest: dict[str, Any], *, creating: bool) -> None:
    """AWS's rules over a whole destination (after create or a merged update)."""
    d = dest["description"]
    if dest["kind"] == "HttpEndpoint":
        url = d["EndpointConfiguration"]["Url"]
        if not (url.startswith("https://") or url.startswith("http://")):
            raise InvalidArgumentException("EndpointConfiguration.Url must be an http:// or https:// URL.")
        s3 = d["S3DestinationDescription"]
        _check_s3(s3, "S3Configuration", False)
        _check_processors(d, False)
        return
    partitioning = partitioned(dest)
    _check_s3(d, "ExtendedS3DestinationConfiguration", partitioning)
    if partitioning:
        if int(d["BufferingHints"]["IntervalInSeconds"]) == 0:
            raise InvalidArgumentException(
                "Zero buffering (IntervalInSeconds 0) is not available with dynamic partitioning."
            )
        if d["BufferingHints"]["SizeInMBs"] < limits.PARTITIONED_SIZE_MIN:
            raise InvalidArgumentException(
                f"BufferingHints.SizeInMBs must be at least {limits.PARTITIONED_SIZE_MIN} when dynamic partitioning "
                "is enabled."
            )
    conversion.check(d)
    if conversion.enabled(d) and d["BufferingHints"]["SizeInMBs"] < limits.CONVERSION_SIZE_MIN:
        raise InvalidArgumentException(
            f"BufferingHints.SizeInMBs must be at least {limits.CONVERSION_SIZE_MIN} when data format conversion is "
            "enabled."
        )
    if d.get("S3BackupMode") == "Enabled" and d.get("S3BackupDescription") is None:
        raise InvalidArgumentException("S3BackupConfiguration is required when S3BackupMode is Enabled.")
    if d.get("S3BackupDescription") is not None:
        _check_s3(d["S3BackupDescription"], "S3BackupConfiguration", False)
    _check_processors(d, partitioning)


def _merge(old: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(old)
    for key, value in update.items():
        if value is None:
            continue
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key not in ("EncryptionConfiguration",):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def update(dest: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """The destination after UpdateDestination (the update's members replace the description's)."""
    refuse_unsupported(given, UNSUPPORTED_UPDATES)
    out = copy.deepcopy(dest)
    s3u, ext, http = (
        given.get("S3DestinationUpdate"),
        given.get("ExtendedS3DestinationUpdate"),
        given.get("HttpEndpointDestinationUpdate"),
    )
    if sum(x is not None for x in (s3u, ext, http)) > 1:
        raise InvalidArgumentException("Only one destination update may be specified.")
    if http is not None:
        if dest["kind"] != "HttpEndpoint":
            raise InvalidArgumentException(
                "Changing the destination type is not supported by gureum: update this stream's own destination."
            )
        changes = dict(http)
        endpoint = changes.pop("EndpointConfiguration", None)
        s3 = changes.pop("S3Update", None)
        d = _merge(out["description"], changes)
        if endpoint:
            d["EndpointConfiguration"] = {k: endpoint[k] for k in ("Url", "Name") if endpoint.get(k) is not None}
            if "AccessKey" in endpoint:
                out["access_key"] = endpoint.get("AccessKey")
        if s3:
            d["S3DestinationDescription"] = _merge(d["S3DestinationDescription"], s3)
        out["description"] = d
    elif s3u is not None or ext is not None:
        if dest["kind"] != "ExtendedS3":
            raise InvalidArgumentException(
                "Changing the destination type is not supported by gureum: update this stream's own destination."
            )
        changes = dict(ext if ext is not None else s3u or {})
        backup = changes.pop("S3BackupUpdate", None)
        was = partitioned(dest)
        d = _merge(out["description"], changes)
        if backup:
            d["S3BackupDescription"] = _merge(d.get("S3BackupDescription") or {}, backup)
        if ext is not None:
            out["legacy"] = False
        out["description"] = d
        if partitioned(out) != was:
            raise InvalidArgumentException(
                "Dynamic partitioning can be enabled only when the delivery stream is created, and not disabled."
            )
    check(out, creating=False)
    return out


def describe(dest: dict[str, Any]) -> dict[str, Any]:
    """The DestinationDescription."""
    d = copy.deepcopy(dest["description"])
    if dest["kind"] == "HttpEndpoint":
        return {"DestinationId": dest["id"], "HttpEndpointDestinationDescription": d}
    s3 = {k: d[k] for k in S3_MEMBERS if k in d}
    return {"DestinationId": dest["id"], "S3DestinationDescription": s3, "ExtendedS3DestinationDescription": d}


def bucket_of(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]
