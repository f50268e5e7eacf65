// A CDK app (JavaScript, no build step): an SQS queue feeding a Python function through an event source mapping.
// The legacy synthesizer needs no bootstrap stack (the template goes inline; the app has no assets).
const cdk = require('aws-cdk-lib');
const sqs = require('aws-cdk-lib/aws-sqs');
const lambda = require('aws-cdk-lib/aws-lambda');
const sources = require('aws-cdk-lib/aws-lambda-event-sources');

const app = new cdk.App();
const stack = new cdk.Stack(app, process.env.STACK, { synthesizer: new cdk.LegacyStackSynthesizer() });
const queue = new sqs.Queue(stack, 'Jobs');
const fn = new lambda.Function(stack, 'Hello', {
  runtime: lambda.Runtime.PYTHON_3_12,
  handler: 'index.handler',
  code: lambda.Code.fromInline('def handler(event, context):\n    return {"ok": True}\n'),
});
fn.addEventSource(new sources.SqsEventSource(queue, { batchSize: 5 }));
new cdk.CfnOutput(stack, 'FunctionName', { value: fn.functionName });
new cdk.CfnOutput(stack, 'QueueUrl', { value: queue.queueUrl });
