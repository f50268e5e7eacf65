// A CDK app with the default synthesizer: a Python function whose code is a directory asset (zipped and published
// by the CLI to the bootstrap stack's bucket, through its file-publishing role) and a Systems Manager parameter.
// The template names the bootstrap version parameter (/cdk-bootstrap/hnb659fds/version), as every modern CDK app.
const path = require('path');
const cdk = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
const ssm = require('aws-cdk-lib/aws-ssm');

const app = new cdk.App();
const stack = new cdk.Stack(app, process.env.STACK);
const fn = new lambda.Function(stack, 'FromAsset', {
  runtime: lambda.Runtime.PYTHON_3_12,
  handler: 'index.handler',
  code: lambda.Code.fromAsset(path.join(__dirname, 'handler')),
});
const setting = new ssm.StringParameter(stack, 'Setting', { stringValue: 'from-cdk' });
new cdk.CfnOutput(stack, 'FunctionName', { value: fn.functionName });
new cdk.CfnOutput(stack, 'SettingName', { value: setting.parameterName });
