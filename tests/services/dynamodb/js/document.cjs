// The JavaScript SDK v3 DocumentClient (@aws-sdk/lib-dynamodb) against gureum: put, get, query and update with
// its marshalling (numbers, big numbers as NumberValue, binary, sets, nested maps and lists, undefined removed).
// argv: endpoint tableName. Prints one JSON line of what the reads returned, in a form Python can compare.
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient, PutCommand, GetCommand, QueryCommand, UpdateCommand, NumberValue } =
  require("@aws-sdk/lib-dynamodb");

function plain(value) {
  if (value instanceof Set) return { set: [...value].map(plain).sort() };
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value).toString("base64") };
  if (value instanceof NumberValue) return { big: value.toString() };
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).sort().map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

async function main() {
  const [endpoint, table] = process.argv.slice(2);
  const base = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const doc = DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true },
    unmarshallOptions: { wrapNumbers: true },
  });
  const out = {};
  await doc.send(new PutCommand({
    TableName: table,
    Item: {
      pk: "user#1", sk: 1, name: "Ada", age: 36, big: NumberValue.from("12345678901234567890.5"),
      tags: new Set(["a", "b"]), scores: new Set([1, 2.5]), blob: new Uint8Array([0, 1, 255]),
      address: { city: "Seoul", lines: ["1", { floor: 3 }] }, nothing: null, missing: undefined, ok: true,
    },
  }));
  for (let sk = 2; sk <= 4; sk++) {
    await doc.send(new PutCommand({ TableName: table, Item: { pk: "user#1", sk, name: `n${sk}` } }));
  }
  out.get = plain((await doc.send(new GetCommand({ TableName: table, Key: { pk: "user#1", sk: 1 } }))).Item);
  const query = await doc.send(new QueryCommand({
    TableName: table, KeyConditionExpression: "pk = :p AND sk BETWEEN :lo AND :hi",
    ExpressionAttributeValues: { ":p": "user#1", ":lo": 2, ":hi": 4 }, ScanIndexForward: false,
    ProjectionExpression: "sk, #n", ExpressionAttributeNames: { "#n": "name" },
  }));
  out.query = plain(query.Items);
  const updated = await doc.send(new UpdateCommand({
    TableName: table, Key: { pk: "user#1", sk: 1 },
    UpdateExpression: "SET age = age + :one, address.city = :city, tags = :tags ADD scores :more REMOVE nothing",
    ConditionExpression: "attribute_exists(pk) AND age = :age",
    ExpressionAttributeValues: { ":one": 1, ":city": "Busan", ":tags": new Set(["c"]), ":more": new Set([7]), ":age": 36 },
    ReturnValues: "ALL_NEW",
  }));
  out.updated = plain(updated.Attributes);
  try {
    await doc.send(new UpdateCommand({
      TableName: table, Key: { pk: "user#1", sk: 1 }, UpdateExpression: "SET age = :v",
      ConditionExpression: "age = :old", ExpressionAttributeValues: { ":v": 1, ":old": 99 },
    }));
    out.conditional = "accepted";
  } catch (error) {
    out.conditional = error.name;
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack || error) + "\n");
  process.exit(1);
});
