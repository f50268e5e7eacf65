"""DynamoDB tables and their indexes: the schema a table keeps (keys, attribute definitions, indexes, billing,
TTL, tags, deletion protection), AWS's checks of CreateTable / UpdateTable input, the keys an item yields for the
table and each index (as the store's ordered bytes), and the TableDescription AWS answers with."""

from __future__ import annotations

import dataclasses
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from ...policy import PolicyError
from ...policy import parse as parse_policy
from . import limits, values
from .errors import ValidationException, invalid, key_mismatch
from .values import Item, Value

ACTIVE, CREATING, UPDATING, DELETING = "ACTIVE", "CREATING", "UPDATING", "DELETING"
PAY_PER_REQUEST, PROVISIONED = "PAY_PER_REQUEST", "PROVISIONED"
POLICY_BYTES = 20 * 1024  # AWS's largest resource-based policy
EMPTY_KEY = (
    "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty "
    "{kind} value. Key: {name}"
)


@dataclass
class Index:
    number: int  # index_id of its rows in the store (the table's own rows are 0)
    name: str
    kind: str  # GSI or LSI
    hash: str
    range: str | None
    projection: dict[str, Any]
    read: int = 0
    write: int = 0
    created_at: float = 0.0
    on_demand: dict[str, int] | None = None  # OnDemandThroughput (MaxRead/MaxWriteRequestUnits) as last set
    warm: dict[str, int] | None = None  # WarmThroughput (Read/WriteUnitsPerSecond) as last set

    @property
    def key_schema(self) -> list[dict[str, str]]:
        schema = [{"AttributeName": self.hash, "KeyType": "HASH"}]
        if self.range:
            schema.append({"AttributeName": self.range, "KeyType": "RANGE"})
        return schema

    def projected(self, item: Item, table: Table) -> Item:
        """The part of an item this index keeps."""
        kind = self.projection.get("ProjectionType", "ALL")
        if kind == "ALL":
            return item
        keep = {table.hash, self.hash}
        if table.range:
            keep.add(table.range)
        if self.range:
            keep.add(self.range)
        if kind == "INCLUDE":
            keep.update(self.projection.get("NonKeyAttributes") or ())
        return {k: v for k, v in item.items() if k in keep}


@dataclass
class Table:
    id: int
    account: str
    region: str
    name: str
    created_at: float
    table_id: str
    hash: str
    range: str | None
    attributes: dict[str, str]  # attribute name → S, N or B
    billing: str
    read: int
    write: int
    indexes: list[Index] = field(default_factory=list)
    ttl_attribute: str | None = None
    ttl_enabled: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    deletion_protection: bool = False
    table_class: str = "STANDARD"
    updated_at: float = 0.0  # UPDATING until updated_at + delay
    billing_changed_at: float | None = None
    next_index: int = 1
    stream_id: int | None = None  # the latest stream's row (enabled or not)
    stream_label: str | None = None
    stream_view: str | None = None
    stream_enabled: bool = False
    pitr_enabled: bool = False  # point-in-time recovery: every change kept in the store's log (store_backups)
    pitr_since: float | None = None
    pitr_days: int = 35
    restore: dict[str, Any] | None = None  # RestoreSummary of a table made by a restore
    kinesis: list[dict[str, Any]] = field(default_factory=list)  # streaming destinations (StreamArn, status, …)
    importing: str | None = None  # the ImportArn filling a table made by ImportTable: CREATING until it ends
    policy: str | None = None  # the table's resource policy (PutResourcePolicy) and its revision
    policy_revision: str | None = None
    stream_policies: dict[str, list[str]] = field(default_factory=dict)  # stream label → [policy, revision]
    insights: dict[str, list[Any]] = field(default_factory=dict)  # "" (table) or index → [status, mode, time]
    sse: dict[str, str] | None = None  # SSEType and KMSMasterKeyArn of a KMS-encrypted table (None: AWS owned key)
    on_demand: dict[str, int] | None = None  # OnDemandThroughput (MaxRead/MaxWriteRequestUnits) as last set
    warm: dict[str, int] | None = None  # WarmThroughput (Read/WriteUnitsPerSecond) as last set

    @property
    def arn(self) -> str:
        return f"arn:aws:dynamodb:{self.region}:{self.account}:table/{self.name}"

    @property
    def key_schema(self) -> list[dict[str, str]]:
        schema = [{"AttributeName": self.hash, "KeyType": "HASH"}]
        if self.range:
            schema.append({"AttributeName": self.range, "KeyType": "RANGE"})
        return schema

    def index(self, name: str) -> Index:
        for index in self.indexes:
            if index.name == name:
                return index
        raise ValidationException(f"The table does not have the specified index: {name}")

    def spec(self) -> str:
        """The table's schema as stored (everything but its row's own columns)."""
        doc = dataclasses.asdict(self)
        for column in ("id", "account", "region", "name", "created_at"):
            doc.pop(column)
        return json.dumps(doc, separators=(",", ":"))

    @staticmethod
    def load(row_id: int, account: str, region: str, name: str, created_at: float, spec: str) -> Table:
        doc = json.loads(spec)
        doc["indexes"] = [Index(**i) for i in doc["indexes"]]
        return Table(row_id, account, region, name, created_at, **doc)

    # --- keys ----------------------------------------------------------------------------------------------------

    def item_key(self, item: Item) -> tuple[bytes, bytes]:
        """The stored key of an item being written (PutItem): AWS's checks of its key attributes."""
        for name in (self.hash, self.range):
            if name is None:
                continue
            value = item.get(name)
            if value is None:
                raise invalid(f"Missing the key {name} in the item")
            self._check_key_value(name, value, True)
        return self._encoded(item)

    def key(self, key: Item) -> tuple[bytes, bytes]:
        """The stored key named by a Key parameter (exactly the table's key attributes)."""
        wanted = {self.hash} | ({self.range} if self.range else set())
        if set(key) != wanted:
            raise key_mismatch()
        for name in wanted:
            self._check_key_value(name, key[name], False)
        return self._encoded(key)

    def key_of(self, item: Item) -> Item:
        out = {self.hash: item[self.hash]}
        if self.range:
            out[self.range] = item[self.range]
        return out

    def _check_key_value(self, name: str, value: Value, item: bool) -> None:
        kind = values.kind_of(value)
        expected = self.attributes[name]
        if kind != expected:
            if item:
                raise invalid(f"Type mismatch for key {name} expected: {expected} actual: {kind}")
            raise key_mismatch()
        inner = value[kind]
        if kind in ("S", "B") and not inner:
            raise ValidationException(EMPTY_KEY.format(kind="string" if kind == "S" else "binary", name=name))
        size = len(inner.encode()) if kind == "S" else len(inner) if kind == "B" else 0
        if name == self.hash and size > limits.HASH_KEY_BYTES:
            raise invalid(f"Size of hashkey has exceeded the maximum size limit of{limits.HASH_KEY_BYTES} bytes")
        if name == self.range and size > limits.RANGE_KEY_BYTES:
            raise invalid(
                f"Aggregated size of all range keys has exceeded the size limit of {limits.RANGE_KEY_BYTES} bytes"
            )

    def _encoded(self, item: Item) -> tuple[bytes, bytes]:
        return values.encode_key(item[self.hash]), values.encode_key(item[self.range]) if self.range else b""

    def index_key(self, index: Index, item: Item) -> tuple[bytes, bytes] | None:
        """Where an item sits in an index (None: the index does not hold it — a sparse index)."""
        parts = []
        for name in (index.hash, index.range):
            if name is None:
                continue
            value = item.get(name)
            if value is None:
                return None
            kind = values.kind_of(value)
            if kind != self.attributes[name]:
                raise invalid(
                    f"Type mismatch for Index Key {name} Expected: {self.attributes[name]} Actual: {kind} "
                    f"IndexName: {index.name}"
                )
            if kind in ("S", "B") and not value[kind]:
                raise ValidationException(
                    "One or more parameter values are not valid. A value specified for a secondary index key is "
                    "not supported. The AttributeValue for a key attribute cannot contain an empty string value. "
                    f"IndexName: {index.name}, IndexKey: {name}"
                )
            parts.append(values.encode_key(value))
        pk, sk = self._encoded(item)
        return parts[0], (parts[1] if len(parts) > 1 else b"") + pk + sk

    def index_position(self, index: Index, key: Item) -> tuple[bytes, bytes]:
        """The stored key of an index row from a LastEvaluatedKey-shaped key (index and table keys)."""
        names = [index.hash] + ([index.range] if index.range else []) + [self.hash]
        names += [self.range] if self.range else []
        for name in names:
            value = key.get(name)
            if value is None or values.kind_of(value) != self.attributes[name]:
                raise ValidationException("The provided starting key is invalid: The provided key element does not "
                                          "match the schema")  # fmt: skip
        found = self.index_key(index, key)
        assert found is not None
        return found

    def index_item_key(self, index: Index, item: Item) -> Item:
        out = self.key_of(item)
        out[index.hash] = item[index.hash]
        if index.range:
            out[index.range] = item[index.range]
        return out


def status(created_or_updated: float, now: float, delay: float, busy: str) -> str:
    return busy if delay > 0 and now < created_or_updated + delay else ACTIVE  # no delay: never busy


def check_key_schema(schema: list[dict[str, str]], where: str) -> tuple[str, str | None]:
    """(hash, range) of a KeySchema, with AWS's complaints about its shape."""
    hashes = [k["AttributeName"] for k in schema if k["KeyType"] == "HASH"]
    ranges = [k["AttributeName"] for k in schema if k["KeyType"] == "RANGE"]
    if len(schema) > 2 or len(hashes) != 1 or len(ranges) > 1 or schema[0]["KeyType"] != "HASH":
        if not hashes:
            raise invalid(f"{where}: Missing the key HASH")  # rare; worded plainly
        raise invalid("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
    if ranges and ranges[0] == hashes[0]:
        raise invalid("Both the Hash Key and the Range Key element in the KeySchema have the same name")
    return hashes[0], ranges[0] if ranges else None


def throughput(given: dict[str, Any] | None, billing: str, what: str) -> tuple[int, int]:
    if billing == PAY_PER_REQUEST:
        if given is not None and (given.get("ReadCapacityUnits") or given.get("WriteCapacityUnits")):
            raise invalid(
                "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"
            )
        return 0, 0
    if given is None:
        raise ValidationException(f"One or more parameter values were invalid: ProvisionedThroughput is not "
                                  f"specified for {what}" if what != "table"
                                  else "No provisioned throughput specified for the table")  # fmt: skip
    read, write = int(given["ReadCapacityUnits"]), int(given["WriteCapacityUnits"])
    if read < 1 or write < 1:
        raise ValidationException(
            f"1 validation error detected: Value '{min(read, write)}' at 'provisionedThroughput."
            f"{'readCapacityUnits' if read < 1 else 'writeCapacityUnits'}' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1"
        )
    return read, write


def unchanged_throughput(read: int, write: int) -> str:
    """AWS's refusal of an UpdateTable asking for the provisioned throughput the table already has."""
    return (
        "The provisioned throughput for the table will not change. The requested value equals the current value. "
        f"Current ReadCapacityUnits provisioned for the table: {read}. Requested ReadCapacityUnits: {read}. "
        f"Current WriteCapacityUnits provisioned for the table: {write}. Requested WriteCapacityUnits: {write}. "
        "Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits."
    )


def describe(table: Table, now: float, delay: float, counts: dict[int, tuple[int, int]]) -> dict[str, Any]:
    """The TableDescription of a table (``counts``: index number → items, bytes; 0 is the table)."""
    state = CREATING if table.importing else status(table.created_at, now, delay, CREATING)
    if state == ACTIVE:
        state = status(table.updated_at, now, delay, UPDATING)
    items, size = counts.get(0, (0, 0))
    used = {table.hash} | ({table.range} if table.range else set())
    for index in table.indexes:
        used.add(index.hash)
        if index.range:
            used.add(index.range)
    out: dict[str, Any] = {
        "AttributeDefinitions": [
            {"AttributeName": n, "AttributeType": t} for n, t in table.attributes.items() if n in used
        ],
        "TableName": table.name,
        "KeySchema": table.key_schema,
        "TableStatus": state,
        "CreationDateTime": table.created_at,
        "ProvisionedThroughput": {
            "NumberOfDecreasesToday": 0,
            "ReadCapacityUnits": table.read,
            "WriteCapacityUnits": table.write,
        },
        "TableSizeBytes": size,
        "ItemCount": items,
        "TableArn": table.arn,
        "TableId": table.table_id,
        "BillingModeSummary": {"BillingMode": table.billing},
        "DeletionProtectionEnabled": table.deletion_protection,
    }
    if table.billing_changed_at is not None and table.billing == PAY_PER_REQUEST:
        out["BillingModeSummary"]["LastUpdateToPayPerRequestDateTime"] = table.billing_changed_at
    if table.stream_enabled:
        out["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": table.stream_view}
    if table.stream_label is not None:
        out["LatestStreamLabel"] = table.stream_label
        out["LatestStreamArn"] = f"{table.arn}/stream/{table.stream_label}"
    if table.restore is not None:
        out["RestoreSummary"] = dict(table.restore, RestoreInProgress=state == CREATING)
    if table.sse is not None:
        out["SSEDescription"] = {"Status": "ENABLED", **table.sse}
    if table.on_demand is not None:
        out["OnDemandThroughput"] = dict(table.on_demand)
    if table.warm is not None:
        out["WarmThroughput"] = dict(table.warm, Status=state)
    if table.table_class != "STANDARD":
        out["TableClassSummary"] = {"TableClass": table.table_class}
    lsis, gsis = [], []
    for index in table.indexes:
        count, bytes_ = counts.get(index.number, (0, 0))
        entry: dict[str, Any] = {
            "IndexName": index.name,
            "KeySchema": index.key_schema,
            "Projection": index.projection,
            "IndexSizeBytes": bytes_,
            "ItemCount": count,
            "IndexArn": f"{table.arn}/index/{index.name}",
        }
        if index.kind == "LSI":
            lsis.append(entry)
            continue
        index_state = status(index.created_at, now, delay, CREATING)
        entry["IndexStatus"] = index_state
        if index_state == CREATING:  # one added to a table with items is being filled from them
            entry["Backfilling"] = index.created_at > table.created_at
        entry["ProvisionedThroughput"] = {
            "NumberOfDecreasesToday": 0,
            "ReadCapacityUnits": index.read,
            "WriteCapacityUnits": index.write,
        }
        if index.on_demand is not None:
            entry["OnDemandThroughput"] = dict(index.on_demand)
        if index.warm is not None:
            entry["WarmThroughput"] = dict(index.warm, Status=index_state)
        gsis.append(entry)
    if lsis:
        out["LocalSecondaryIndexes"] = lsis
    if gsis:
        out["GlobalSecondaryIndexes"] = gsis
    return out


def throughput_setting(
    current: dict[str, int] | None, given: dict[str, Any] | None, members: tuple[str, str]
) -> dict[str, int] | None:
    """An OnDemandThroughput or WarmThroughput setting after ``given`` (the members it names replace the current
    ones, the others stay): stored and shown as set; gureum throttles nothing by them."""
    if given is None:
        return current
    out = dict(current or {})
    for member in members:
        if given.get(member) is not None:
            out[member] = int(given[member])
    return out or None


ON_DEMAND = ("MaxReadRequestUnits", "MaxWriteRequestUnits")
WARM = ("ReadUnitsPerSecond", "WriteUnitsPerSecond")


def encryption(spec: dict[str, Any] | None, account: str, region: str) -> dict[str, str] | None:
    """What an SSESpecification asks for: None for the AWS owned key (Enabled false or absent), else the KMS key's
    ARN. gureum serves no KMS, so a key is taken as named: a key ARN as it is, a key id in this account and Region,
    and an alias (alias/aws/dynamodb when none is named: the AWS managed key) as a key id derived from its ARN, the
    same every time, as AWS shows the key an alias points to."""
    if spec is None or not spec.get("Enabled"):
        return None
    given = key = spec.get("KMSMasterKeyId") or "alias/aws/dynamodb"
    if not key.startswith("arn:"):
        key = f"arn:aws:kms:{region}:{account}:{key if key.startswith('alias/') else 'key/' + key}"
    parts = key.split(":", 5)
    if len(parts) != 6 or not parts[5].startswith(("key/", "alias/")):
        raise ValidationException(f"Invalid KMSMasterKeyId: {given} is not a key ARN or an alias ARN")
    arn = key
    if parts[5].startswith("alias/"):
        arn = f"arn:aws:kms:{parts[3]}:{parts[4]}:key/{uuid.uuid5(uuid.NAMESPACE_URL, key)}"
    return {"SSEType": "KMS", "KMSMasterKeyArn": arn}


def check_policy(policy: str) -> None:
    """A resource-based policy's text as AWS checks it (PutResourcePolicy, CreateTable's ResourcePolicy)."""
    if len(policy.encode()) > POLICY_BYTES:
        raise ValidationException(f"Resource-based policy size exceeds the maximum of {POLICY_BYTES} bytes")
    try:
        parse_policy(policy)
    except (PolicyError, RecursionError) as error:
        raise ValidationException(f"Invalid policy document: {error}") from None


def parse_arn(arn: str) -> tuple[str, str, str]:
    """(region, account, table name) of a table ARN."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "dynamodb" or not parts[5].startswith("table/"):
        raise ValidationException(f"Invalid TableArn: Invalid ResourceArn provided as input {arn}")
    return parts[3], parts[4], parts[5][len("table/") :].split("/")[0]
