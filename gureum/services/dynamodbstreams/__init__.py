"""Amazon DynamoDB Streams over the JSON protocol (X-Amz-Target DynamoDBStreams_20120810.*): ListStreams,
DescribeStream, GetShardIterator, GetRecords. The streams are DynamoDB's (written in each item change's transaction);
this package only serves their API, through the DynamoDbStreams port the dynamodb package provides at start."""

from __future__ import annotations

from ...aws.validate import Rules
from .. import Service

SERVICE: Service = Service("dynamodbstreams", validation=Rules(style="coral"))

from . import ops_streams  # noqa: E402,F401  (register)
