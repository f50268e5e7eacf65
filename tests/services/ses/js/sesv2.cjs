// Drives SES v2 with the JavaScript SDK v3 as an application does: argv[2] endpoint, argv[3] access key (the
// account), argv[4] sender, argv[5] recipient. GetAccount, then SendEmail; prints JSON.
const { SESv2Client, GetAccountCommand, SendEmailCommand } = require("@aws-sdk/client-sesv2");

async function main() {
  const [endpoint, key, sender, recipient] = process.argv.slice(2);
  const ses = new SESv2Client({
    endpoint, region: "us-east-1", credentials: { accessKeyId: key, secretAccessKey: "test" },
  });
  const out = {};
  const before = await ses.send(new GetAccountCommand({}));
  out.productionAccess = before.ProductionAccessEnabled;
  out.sendingEnabled = before.SendingEnabled;
  out.quota = before.SendQuota;
  const sent = await ses.send(new SendEmailCommand({
    FromEmailAddress: sender,
    Destination: { ToAddresses: [recipient] },
    Content: { Simple: { Subject: { Data: "from js" }, Body: { Text: { Data: "hello from the JS SDK" } } } },
    EmailTags: [{ Name: "sdk", Value: "js" }],
  }));
  out.messageId = sent.MessageId;
  const after = await ses.send(new GetAccountCommand({}));
  out.sentAfter = after.SendQuota.SentLast24Hours;
  try {
    await ses.send(new SendEmailCommand({
      FromEmailAddress: "nobody@unverified.example",
      Destination: { ToAddresses: [recipient] },
      Content: { Simple: { Subject: { Data: "x" }, Body: { Text: { Data: "x" } } } },
    }));
    out.rejected = null;
  } catch (error) {
    out.rejected = { name: error.name, status: error.$metadata.httpStatusCode, message: error.message };
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
