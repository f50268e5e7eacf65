// Drives S3 with the JavaScript SDK v3 as an application does: argv[2] endpoint, argv[3] bucket. Prints JSON.
const { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand } = require("@aws-sdk/client-s3");
const { Upload } = require("@aws-sdk/lib-storage");
const { Readable } = require("stream");
const crypto = require("crypto");

async function main() {
  const [endpoint, bucket] = process.argv.slice(2);
  const s3 = new S3Client({
    endpoint, region: "us-east-1", forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const out = {};
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const small = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "small.txt", Body: "hello from js" }));
  out.smallEtag = small.ETag;
  out.smallChecksum = small.ChecksumCRC32;
  const streamed = Buffer.alloc(3 * 1024 * 1024 + 5, 7);
  const put = await s3.send(new PutObjectCommand({
    Bucket: bucket, Key: "stream.bin", Body: Readable.from([streamed.subarray(0, 1 << 20), streamed.subarray(1 << 20)]),
    ContentLength: streamed.length,
  }));
  out.streamEtag = put.ETag;
  out.streamMd5 = crypto.createHash("md5").update(streamed).digest("hex");
  const big = crypto.randomBytes(12 * 1024 * 1024);
  const upload = new Upload({ client: s3, params: { Bucket: bucket, Key: "big.bin", Body: Readable.from([big]) }, partSize: 5 * 1024 * 1024, queueSize: 2 });
  const done = await upload.done();
  out.bigEtag = done.ETag;
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "big.bin" }));
  const bytes = Buffer.from(await got.Body.transformToByteArray());
  out.bigSame = Buffer.compare(bytes, big) === 0;
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "stream.bin", ChecksumMode: "ENABLED" }));
  out.streamLength = head.ContentLength;
  out.streamChecksum = head.ChecksumCRC32 || null;
  console.log(JSON.stringify(out));
}
main().catch((error) => { console.error(error); process.exit(1); });
