// SubscribeToShard through the JavaScript SDK v3 (HTTP/2 with prior knowledge on an http:// endpoint).
// argv: endpoint consumerARN shardId count. Prints one JSON line: the records' data (base64), the last
// ContinuationSequenceNumber, and the SDK's request handler (NodeHttp2Handler: it speaks HTTP/2 only). Records are put by the Python side
// once this prints "subscribed".
const { KinesisClient, SubscribeToShardCommand } = require("@aws-sdk/client-kinesis");

async function main() {
  const [endpoint, consumerARN, shardId, count] = process.argv.slice(2);
  const client = new KinesisClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const out = await client.send(
    new SubscribeToShardCommand({ ConsumerARN: consumerARN, ShardId: shardId, StartingPosition: { Type: "LATEST" } }),
  );
  process.stdout.write("subscribed\n");
  const data = [];
  let continuation = null;
  for await (const event of out.EventStream) {
    if (event.SubscribeToShardEvent) {
      for (const record of event.SubscribeToShardEvent.Records) data.push(Buffer.from(record.Data).toString("base64"));
      continuation = event.SubscribeToShardEvent.ContinuationSequenceNumber;
      if (data.length >= Number(count)) break;
    }
  }
  const handler = client.config.requestHandler.constructor.name;
  // the subscription would run its 5 minutes (a graceful session close waits for it): leave once the answer is out
  process.stdout.write(JSON.stringify({ data, continuation, handler }) + "\n", () => process.exit(0));
}

main().catch((error) => {
  process.stdout.write(JSON.stringify({ error: error.name, message: error.message }) + "\n");
  process.exit(1);
});
