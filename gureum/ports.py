"""The typed seams between services: what one service offers others in-process, without importing it.

A provider registers an object satisfying one of these protocols at start (``runtime.provide(LambdaInvoker, obj)``);
a consumer asks for it by type (``runtime.port(LambdaInvoker)``, or ``runtime.optional_port(...)`` when the
provider may be absent). Durable cross-service work goes through the delivery outbox instead (gureum.delivery);
ports are for calls whose caller waits for the answer. This module imports nothing of gureum but the HTTP types.
"""

from __future__ import annotations

from collections.abc import AsyncIterable
from typing import Any, Protocol

from .aws.http import Request, Response


class LambdaInvoker(Protocol):
    """Lambda: a RequestResponse invocation for another service (API Gateway, function URLs, event source mappings)."""

    async def invoke(
        self,
        account: str,
        region: str,
        function: str,
        payload: bytes,
        *,
        qualifier: str | None = None,
        request_id: str | None = None,
        client_context: str | None = None,
    ) -> dict[str, Any]:
        """``function`` is a name, partial or full ARN. Returns Invoke's output (StatusCode, Payload, ExecutedVersion,
        FunctionError when the function failed) plus Log, the invocation's log text; raises the ServiceErrors
        Invoke answers with (ResourceNotFoundException, TooManyRequestsException, …)."""
        ...


class SqsConsumer(Protocol):
    """SQS: what an event source mapping needs to consume a queue (receive counts, redrive and FIFO group blocking
    stay SQS's own). Every method raises LookupError when the queue no longer exists."""

    async def queue(self, arn: str) -> dict[str, Any] | None:
        """{"QueueArn", "FifoQueue": bool, "VisibilityTimeout": int, "Attributes": {...}} or None."""
        ...

    async def receive(
        self, arn: str, count: int, *, wait: float, visibility: int | None = None
    ) -> list[dict[str, Any]]:
        """Up to ``count`` messages (as ReceiveMessage renders them, all attributes), long-polling ``wait`` seconds."""
        ...

    async def delete(self, arn: str, handles: list[str]) -> int:
        """Delete by receipt handle in one transaction; how many were deleted."""
        ...

    async def change_visibility(self, arn: str, handles: list[str], timeout: int) -> None:
        """Set the visibility timeout of received messages (0: visible again at once)."""
        ...


class WebSocketConnections(Protocol):
    """API Gateway WebSocket APIs: the @connections management API's view of live sockets on any node."""

    async def post(self, connection_id: str, data: bytes) -> bool:
        """Send a message; False when no node holds the connection."""
        ...

    async def get(self, connection_id: str) -> dict[str, Any] | None:
        """GetConnection's fields, or None."""
        ...

    async def delete(self, connection_id: str) -> bool:
        """Close the connection; False when no node holds it."""
        ...

    async def owner(self, connection_id: str) -> tuple[str, str, str, str] | None:
        """(account, region, API id, stage) of a live connection on any node, or None."""
        ...


class HttpApiEdge(Protocol):
    """API Gateway v2: an execute-api request for an HTTP API (the REST edge asks it first for ids it does not own)."""

    async def handle(self, api_id: str, path: str, request: Request) -> Response | None:
        """The answer, or None when ``api_id`` is not an HTTP API."""
        ...


class AwsDispatch(Protocol):
    """The protocol engine: an AWS API request made inside gureum, routed, authenticated, parsed and answered exactly
    as one from outside (API Gateway's AWS service integrations)."""

    async def __call__(self, request: Request) -> Response: ...


class ApiGatewayAccount(Protocol):
    """API Gateway's account settings (REST APIs' GetAccount / UpdateAccount), which WebSocket APIs share: a stage
    may log to CloudWatch only once the account's CloudWatch role is set."""

    async def cloudwatch_role(self, account: str, region: str) -> str | None:
        """The account's cloudwatchRoleArn in the Region, or None while it is not set."""
        ...


class KeyOwner(Protocol):
    """IAM: the user an access key belongs to (STS GetCallerIdentity names it)."""

    async def owner(self, account: str, access_key: str) -> dict[str, str] | None:
        """{"UserId", "Arn"} of the IAM user, or None when the key is no user's."""
        ...


class SesMail(Protocol):
    """SES: the one state SES v1 (package ses, which provides this) and SES v2 (package sesv2) share. Errors are
    SES v1's ServiceErrors (sesv2 answers them with its own codes). Identities are dicts: {"name", "kind"
    ("EmailAddress" | "Domain"), "status" ("Pending" | "Success"), "token", "dkim_tokens", "dkim_status"}."""

    async def create_identity(
        self, account: str, region: str, name: str, base_url: str, options: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """``options``: "tags" ({key: value}), "configuration_set" (the identity's default), "dkim_signing"
        (SES v2's DkimSigningAttributes)."""
        ...

    async def get_identity(self, account: str, region: str, name: str) -> dict[str, Any]:
        """The identity dict plus "policies" ({name: document}), "mail_from" ((domain, behavior, status) or
        None), "forwarding" (feedback forwarding by email), "tags" ({key: value}), "configuration_set" (or None)
        and "dkim" (None, or {"origin", "selector" | "key_length"/"next_key_length", "generated_at", "enabled"?})."""
        ...

    async def put_identity_setting(self, account: str, region: str, identity: str, name: str, value: Any) -> None:
        """An identity's "configuration_set" (its default; None clears it) or "dkim_enabled" (signing on/off)."""
        ...

    async def put_dkim_signing(
        self, account: str, region: str, identity: str, origin: str, attributes: dict[str, Any] | None
    ) -> tuple[str, list[str]]:
        """A domain's DKIM signing: origin "EXTERNAL" (BYODKIM; SES v2's DkimSigningAttributes) or "AWS_SES" (Easy
        DKIM, new tokens); (DKIM status, tokens)."""
        ...

    async def tags(self, account: str, region: str, arn: str) -> dict[str, str]:
        """A configuration set's, email identity's, contact list's, email template's or dedicated IP pool's tags,
        named by ARN (NotFound for no such resource)."""
        ...

    async def create_dedicated_ip_pool(
        self, account: str, region: str, name: str, mode: str | None, tags: dict[str, str] | None
    ) -> None:
        """A dedicated IP pool of the account's (AlreadyExists, LimitExceeded); it holds no IPs here."""
        ...

    async def dedicated_ip_pool(self, account: str, region: str, name: str) -> dict[str, Any]:
        """{"PoolName", "ScalingMode"} of one of the account's pools (NotFound)."""
        ...

    async def dedicated_ip_pools(self, account: str, region: str) -> list[str]: ...

    async def put_dedicated_ip_pool_scaling(self, account: str, region: str, name: str, mode: str) -> None: ...

    async def delete_dedicated_ip_pool(self, account: str, region: str, name: str) -> None: ...

    async def dedicated_ips(self, account: str, region: str, pool: str | None) -> list[dict[str, Any]]:
        """The dedicated IPs of a pool or of the account: none here (NotFound for no such pool)."""
        ...

    async def tag_resource(
        self, account: str, region: str, arn: str, add: dict[str, str], remove: list[str] | None = None
    ) -> None: ...

    async def list_identities(self, account: str, region: str) -> list[dict[str, Any]]: ...

    async def delete_identity(self, account: str, region: str, name: str) -> None: ...

    async def account(self, account: str, region: str) -> dict[str, Any]:
        """{"production", "max_24_hour_send", "max_send_rate", "sending_enabled", "sent_last_24_hours",
        "suppressed_reasons", "details" (PutAccountDetails' members and its ReviewDetails, or None), "vdm"
        (PutAccountVdmAttributes' VdmAttributes, or None)}."""
        ...

    async def set_sending_enabled(self, account: str, region: str, enabled: bool) -> None: ...

    async def create_template(
        self,
        account: str,
        region: str,
        name: str,
        subject: str | None,
        text: str | None,
        html: str | None,
        tags: dict[str, str] | None = None,
    ) -> None: ...

    async def update_template(
        self, account: str, region: str, name: str, subject: str | None, text: str | None, html: str | None
    ) -> None: ...

    async def get_template(self, account: str, region: str, name: str) -> tuple[str | None, str | None, str | None]:
        """(subject, text, html)."""
        ...

    async def list_templates(self, account: str, region: str) -> list[tuple[str, float]]:
        """(name, created at) of every template."""
        ...

    async def delete_template(self, account: str, region: str, name: str) -> None: ...

    async def render_template(self, account: str, region: str, name: str, data: str | None) -> str: ...

    async def create_configuration_set(
        self, account: str, region: str, name: str, options: dict[str, Any] | None = None
    ) -> None:
        """``options``: "sending_enabled" and the settings put_setting names, kept with the new set."""
        ...

    async def get_configuration_set(self, account: str, region: str, name: str) -> dict[str, Any]:
        """{"sending_enabled", "created_at", "tracking" (dict or None), "suppression" (reasons or None),
        "suppression_validation", "delivery", "reputation", "vdm", "archiving" (SES v2's shapes, or None), "tags"
        ({key: value} or None), "fresh_start" (when sending was last enabled again, or None)}."""
        ...

    async def list_configuration_sets(self, account: str, region: str) -> list[str]: ...

    async def delete_configuration_set(self, account: str, region: str, name: str) -> None: ...

    async def put_event_destination(
        self,
        account: str,
        region: str,
        configuration_set: str,
        name: str,
        enabled: bool,
        types: list[str],
        sns_topic: str | None,
        event_bus: str | None,
        create: bool,
        targets: dict[str, Any] | None = None,
    ) -> None:
        """``targets``: the destination's others — "firehose" ({"stream", "role"}), "cloudwatch" (dimension
        configurations [{"name", "source" (SES v2's spelling), "default"}]), "pinpoint" (an application ARN)."""
        ...

    async def event_destinations(self, account: str, region: str, configuration_set: str) -> list[dict[str, Any]]:
        """[{"name", "enabled", "types" (SES v2's names), "sns_topic", "event_bus", "firehose", "cloudwatch",
        "pinpoint"}]."""
        ...

    async def delete_event_destination(self, account: str, region: str, configuration_set: str, name: str) -> None: ...

    async def send(
        self,
        account: str,
        region: str,
        message: dict[str, Any],
        configuration_set: str | None,
        tags: dict[str, str],
    ) -> str:
        """One message: {"source", "to", "cc", "bcc", "reply_to"} and either "subject"/"text"/"html", "raw" (bytes)
        or "template"/"template_data"; optionally "source_arn", "access_key", "base_url", "contact_list", "topic"
        (ListManagementOptions), "source_ip" (the caller's address) and "operation" (the events' ses:operation;
        by default named for the content). Its message id."""
        ...

    async def send_bulk(
        self,
        account: str,
        region: str,
        source: str,
        reply_to: list[str],
        template: str,
        default_data: str | None,
        entries: list[dict[str, Any]],
        configuration_set: str | None,
        tags: dict[str, str],
        sender: dict[str, Any] | None = None,
    ) -> list[tuple[str, str | None, str | None]]:
        """entries: [{"to", "cc", "bcc", "data", "tags"}]; ``sender``: {"source_arn", "access_key", "return_path",
        "base_url", "source_ip"} as in ``send``'s message; (status, error message, message id) per entry."""
        ...

    # sending authorization, MAIL FROM, suppression, options, contact lists (SES v2's shapes are sesv2's business)

    async def put_policy(self, account: str, region: str, identity: str, name: str, policy: str, mode: str) -> None:
        """mode "create" (AlreadyExists when the name is taken) or "update" (NotFound when it is not)."""
        ...

    async def policies(self, account: str, region: str, identity: str) -> dict[str, str]: ...

    async def delete_policy(self, account: str, region: str, identity: str, name: str) -> None: ...

    async def set_mail_from(
        self, account: str, region: str, identity: str, domain: str | None, behavior: str | None
    ) -> None: ...

    async def set_feedback_forwarding(self, account: str, region: str, identity: str, enabled: bool) -> None: ...

    async def put_suppressed(self, account: str, region: str, address: str, reason: str) -> None: ...

    async def get_suppressed(self, account: str, region: str, address: str) -> tuple[str, str | None, float]:
        """(reason, message id, last update)."""
        ...

    async def list_suppressed(
        self, account: str, region: str, reasons: list[str], start: float | None, end: float | None
    ) -> list[tuple[str, str, float]]:
        """(address, reason, last update)."""
        ...

    async def delete_suppressed(self, account: str, region: str, address: str) -> None: ...

    async def put_setting(
        self, account: str, region: str, configuration_set: str | None, name: str, value: Any
    ) -> None:
        """An account option (configuration_set None) or a configuration set's: "suppression" (the reasons
        suppressed), "tracking" ({"CustomRedirectDomain", "HttpsPolicy"}), "sending" (bool), and, in SES v2's
        shapes, "suppression_validation", "delivery", "reputation", "vdm", "archiving"; the account's "details"
        (PutAccountDetails: asking for production access opens a review) and "vdm" (its VdmAttributes)."""
        ...

    async def create_contact_list(
        self,
        account: str,
        region: str,
        name: str,
        description: str | None,
        topics: list[dict[str, Any]],
        tags: dict[str, str] | None = None,
    ) -> None:
        """topics in SES v2's Topic shape."""
        ...

    async def update_contact_list(
        self, account: str, region: str, name: str, description: str | None, topics: list[dict[str, Any]]
    ) -> None: ...

    async def contact_list(self, account: str, region: str, name: str) -> dict[str, Any]:
        """{"name", "description", "topics", "created_at", "updated_at", "tags" ({key: value})}."""
        ...

    async def contact_lists(self, account: str, region: str) -> list[tuple[str, float]]: ...

    async def delete_contact_list(self, account: str, region: str, name: str) -> None: ...

    async def put_contact(
        self,
        account: str,
        region: str,
        list_name: str,
        address: str,
        preferences: list[dict[str, Any]],
        unsubscribe_all: bool,
        attributes: str | None,
        create: bool,
    ) -> None:
        """preferences in SES v2's TopicPreference shape."""
        ...

    async def contacts(
        self, account: str, region: str, list_name: str, address: str | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """(contacts — only ``address``'s when given, NotFound when it is none —, their list): {"address",
        "preferences", "unsubscribe_all", "attributes", "created_at", "updated_at"}."""
        ...

    async def delete_contact(self, account: str, region: str, list_name: str, address: str) -> None: ...


class SnsTopics(Protocol):
    """SNS: a topic as another service checks it before publishing to it (SES receipt rules and identity
    notifications: the topic must exist, and another account's must let the service publish)."""

    async def topic_policy(self, topic_arn: str) -> str | None:
        """The topic's access Policy (None when it has none); raises LookupError when there is no such topic."""
        ...


class DynamoDbStreams(Protocol):
    """DynamoDB Streams (package dynamodb provides it; package dynamodbstreams serves its API, and a Lambda event
    source mapping can poll with it). Each method answers as the dynamodbstreams operation of the same name does
    (records in GetRecords' shape, B values as bytes) and raises its ServiceErrors (ResourceNotFoundException,
    ValidationException, ExpiredIteratorException, TrimmedDataAccessException)."""

    async def list_streams(
        self, account: str, region: str, table_name: str | None, after_arn: str | None, limit: int | None
    ) -> dict[str, Any]: ...

    async def describe_stream(
        self, account: str, region: str, stream_arn: str, limit: int | None, after_shard: str | None
    ) -> dict[str, Any]: ...

    async def get_shard_iterator(
        self, account: str, region: str, stream_arn: str, shard_id: str, kind: str, sequence: str | None
    ) -> dict[str, Any]:
        """{"ShardIterator"}: kind is TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER."""
        ...

    async def get_records(self, iterator: str, limit: int | None) -> dict[str, Any]:
        """{"Records", "NextShardIterator" (absent at the end of a disabled stream's shard)}."""
        ...


class KinesisReader(Protocol):
    """Kinesis: what a Lambda event source mapping needs to read a stream's shards in order (package kinesis provides
    it). Iterators and records are GetShardIterator's and GetRecords' (Data as bytes, ApproximateArrivalTimestamp in
    epoch seconds, ChildShards at the end of a closed shard); errors are Kinesis's ServiceErrors."""

    async def shards(self, stream_arn: str) -> list[dict[str, Any]] | None:
        """Every shard of the stream, open and closed, in ListShards' Shard shape (ParentShardId,
        AdjacentParentShardId, SequenceNumberRange with EndingSequenceNumber once closed); None when there is no
        such stream (or it is still being created)."""
        ...

    async def shard_iterator(
        self, stream_arn: str, shard_id: str, kind: str, sequence: str | None, timestamp: float | None
    ) -> str:
        """A shard iterator: kind is TRIM_HORIZON, LATEST, AT_TIMESTAMP (epoch seconds), AT_ or
        AFTER_SEQUENCE_NUMBER."""
        ...

    async def get_records(self, iterator: str, limit: int) -> dict[str, Any]:
        """{"Records", "NextShardIterator" (absent at the end of a closed shard), "ChildShards"?}."""
        ...

    def arrival(self, stream_arn: str) -> Any:
        """An asyncio.Event set when records next reach the stream (on any node): take it before reading, then wait
        on it when the read found nothing."""
        ...


class FirehoseTap(Protocol):
    """Firehose: the records a delivery stream accepts, also kept, durably, for the stream's subscribers (Kinesis
    Data Analytics inputs) until every subscriber has released them or they are 24 hours old (package firehose
    provides it). A stream nobody subscribes to keeps nothing more. Sequences are per stream, increasing in commit
    order; the stream's own buffering and delivery are unchanged."""

    async def subscribe(self, stream_arn: str, subscriber: str) -> bool:
        """Keep the stream's records from now on for ``subscriber`` (again: nothing changes); False when there is
        no such delivery stream."""
        ...

    async def unsubscribe(self, stream_arn: str, subscriber: str) -> None: ...

    async def read(self, stream_arn: str, after: int, limit: int) -> list[tuple[int, float, bytes]] | None:
        """Up to ``limit`` kept records (sequence, arrival in epoch seconds, data) after sequence ``after``, in
        order; None when there is no such delivery stream."""
        ...

    async def release(self, stream_arn: str, subscriber: str, through: int) -> None:
        """``subscriber`` needs no record up to sequence ``through`` any more."""
        ...

    def arrival(self, stream_arn: str) -> Any:
        """An asyncio.Event set when records next reach the stream (on any node): take it before reading, then wait
        on it when the read found nothing."""
        ...


class ParameterValues(Protocol):
    """Systems Manager Parameter Store: parameters' values (SecureString values decrypted) for the services that take
    "secrets" from it (ECS containers)."""

    async def values(self, account: str, region: str, references: list[str]) -> tuple[dict[str, str], list[str]]:
        """({reference: value} for each name, name:selector or parameter ARN found; the references not found)."""
        ...


class S3Objects(Protocol):
    """S3: objects written and read by other services (Firehose deliveries, SES receipt rules, Lambda code from
    S3). Raises the ServiceErrors S3 answers with (NoSuchBucket, NoSuchKey, AccessDenied for another account's
    bucket, …)."""

    async def put_object(
        self,
        account: str,
        region: str,
        bucket: str,
        key: str,
        body: bytes | AsyncIterable[bytes],
        *,
        content_type: str | None = None,
        metadata: dict[str, str] | None = None,
        content_encoding: str | None = None,
        tags: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Store an object as PutObject does (body streamed to a file, then committed; notifications sent);
        returns {"ETag": '"…"', "VersionId": … (versioned buckets), "Size": n}."""
        ...

    async def get_object(
        self,
        account: str,
        region: str,
        bucket: str,
        key: str,
        *,
        version_id: str | None = None,
        principal_arn: str | None = None,
    ) -> bytes:
        """The current (or ``version_id``'s) body whole (for small objects: function code, mail). Read as
        ``principal_arn`` of ``account`` (default its root): another account's bucket must allow it s3:GetObject
        (s3:GetObjectVersion) in its policy."""
        ...

    async def open_object(
        self,
        account: str,
        region: str,
        bucket: str,
        key: str,
        *,
        version_id: str | None = None,
        principal_arn: str | None = None,
    ) -> tuple[dict[str, Any], AsyncIterable[bytes]]:
        """The version's fields (ETag, ContentLength, ContentType, Metadata, LastModified, BucketRegion) and its body
        as chunks, read as they are taken (access as get_object)."""
        ...

    async def bucket_exists(self, account: str, region: str, bucket: str) -> bool:
        """Whether ``account`` owns a bucket of that name."""
        ...


class ImageRegistry(Protocol):
    """ECR: credentials for pulling an image from gureum's own registry (ECS tasks, Lambda container images)."""

    def pull_auth(self, account: str, region: str, image: str) -> dict[str, str] | None:
        """The engine's registry auth ({"username", "password", "serveraddress"}) acting for ``account`` when
        ``image`` names gureum's registry; None for any other registry (the engine's own credentials apply)."""
        ...


class GlueCatalog(Protocol):
    """Glue's Data Catalog, read by Firehose's data format conversion (the schema of its records)."""

    async def table_version(
        self, account: str, region: str, database: str, name: str, version: str | None
    ) -> dict[str, Any] | None:
        """The table as GetTable describes it (StorageDescriptor.Columns with Hive types) at ``version`` ("LATEST"
        or None: the current one); None when the database, the table or that version does not exist."""
        ...


class AnalyticsApplications(Protocol):
    """Kinesis Data Analytics SQL applications (package kinesisanalytics), for kinesisanalyticsv2's operations: one
    state, two APIs. Documents are neutral (ApplicationName, ApplicationARN, ApplicationStatus, ApplicationVersionId,
    CreateTimestamp, LastUpdateTimestamp, Description, Code, RuntimeEnvironment, ServiceExecutionRole, Inputs,
    Outputs, References, Logging in v1's description shapes); errors are the service's ServiceErrors."""

    async def create(
        self,
        account: str,
        region: str,
        name: str,
        description: str | None,
        code: str | None,
        role: str | None,
        inputs: list[dict[str, Any]],
        outputs: list[dict[str, Any]],
        references: list[dict[str, Any]],
        logging: list[dict[str, Any]],
        tags: list[dict[str, Any]] | None,
    ) -> dict[str, Any]: ...

    async def describe(self, account: str, region: str, name: str) -> dict[str, Any]: ...

    async def describe_version(self, account: str, region: str, name: str, version: int) -> dict[str, Any]: ...

    async def versions(self, account: str, region: str, name: str) -> list[tuple[int, str]]: ...

    async def list_applications(
        self, account: str, region: str, after: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], bool]: ...

    async def delete(self, account: str, region: str, name: str, created: float | None) -> None: ...

    async def change(
        self, account: str, region: str, name: str, version: int | None, action: str, args: dict[str, Any]
    ) -> dict[str, Any]:
        """One configuration change, a new version (actions: add_input, add_output, add_reference, add_logging,
        remove_output, remove_reference, remove_logging, set_processing, remove_processing, update, role)."""
        ...

    async def start(self, account: str, region: str, name: str, positions: dict[str, str]) -> None: ...

    async def stop(self, account: str, region: str, name: str) -> None: ...

    async def list_tags(self, arn: str) -> dict[str, str]: ...

    async def tag(self, arn: str, tags: list[dict[str, Any]]) -> None: ...

    async def untag(self, arn: str, keys: list[str]) -> None: ...

    async def discover(
        self,
        account: str,
        region: str,
        resource_arn: str | None,
        s3: dict[str, Any] | None,
        position: str | None,
        processor_arn: str | None,
    ) -> dict[str, Any]: ...


class CognitoTokens(Protocol):
    """Cognito user pools (package cognitoidp provides it): tokens a pool of this server signed, for API Gateway's
    Cognito and JWT authorizers and for Cognito identity pools."""

    async def jwks(self, issuer: str) -> dict[str, Any] | None:
        """The JSON Web Key Set of the pool whose tokens carry ``iss`` = issuer
        (https://cognito-idp.<region>.amazonaws.com/<pool-id>); None when no pool here is that issuer."""
        ...

    async def verify(self, token: str) -> dict[str, Any]:
        """The claims of an ID or access token a pool here signed, unexpired; ValueError (saying why) otherwise."""
        ...


class KinesisVideoMedia(Protocol):
    """Kinesis Video Streams: the media its data-plane services (kinesis-video-media, kinesis-video-archived-media,
    kinesis-video-signaling) serve, kept by the kinesisvideo service. Streams are named by ``name`` or ``arn``;
    selectors are the operations' own shapes. Methods raise the ServiceErrors the operations answer with."""

    async def get_media(
        self, account: str, region: str, name: str | None, arn: str | None, selector: dict[str, Any]
    ) -> AsyncIterable[bytes]:
        """GetMedia's MKV chunks, continuing as fragments arrive."""
        ...

    async def list_fragments(
        self,
        account: str,
        region: str,
        name: str | None,
        arn: str | None,
        limit: int | None,
        token: str | None,
        selector: dict[str, Any] | None,
    ) -> dict[str, Any]: ...

    async def media_for_fragments(
        self, account: str, region: str, name: str | None, arn: str | None, numbers: list[str]
    ) -> AsyncIterable[bytes]: ...

    async def session_url(self, account: str, region: str, kind: str, base_url: str, params: dict[str, Any]) -> str:
        """A GetHLSStreamingSessionURL (``kind`` "HLS") or GetDASHStreamingSessionURL ("DASH") answer."""
        ...

    async def clip(
        self, account: str, region: str, name: str | None, arn: str | None, selector: dict[str, Any]
    ) -> bytes:
        """GetClip's MP4."""
        ...

    async def images(
        self, account: str, region: str, name: str | None, arn: str | None, params: dict[str, Any]
    ) -> dict[str, Any]:
        """GetImages' output (Images, NextToken)."""
        ...

    async def ice_servers(self, account: str, region: str, channel_arn: str) -> list[dict[str, Any]]: ...
