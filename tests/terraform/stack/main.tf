# The stack tests/terraform/test_stack.py applies against a gureum server: SQS, SNS → SQS, an EventBridge rule → SQS,
# an IAM role with AWSLambdaBasicExecutionRole, a Python Lambda function with a permission, and an HTTP API
# (API Gateway v2) proxying GET /hello to the function.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

variable "endpoint" { type = string }
variable "prefix" { type = string }
variable "zip" { type = string }
variable "runtime" { type = string }

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true

  endpoints {
    apigatewayv2   = var.endpoint
    cloudwatchlogs = var.endpoint
    events         = var.endpoint
    iam            = var.endpoint
    lambda         = var.endpoint
    sns            = var.endpoint
    sqs            = var.endpoint
    sts            = var.endpoint
  }
}

resource "aws_sqs_queue" "inbox" {
  name                       = "${var.prefix}-inbox"
  visibility_timeout_seconds = 60
}

resource "aws_sns_topic" "news" {
  name = "${var.prefix}-news"
}

resource "aws_sns_topic_subscription" "inbox" {
  topic_arn            = aws_sns_topic.news.arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.inbox.arn
  raw_message_delivery = true
}

resource "aws_cloudwatch_event_rule" "orders" {
  name          = "${var.prefix}-orders"
  event_pattern = jsonencode({ source = ["gureum.test"] })
}

resource "aws_cloudwatch_event_target" "inbox" {
  rule      = aws_cloudwatch_event_rule.orders.name
  target_id = "inbox"
  arn       = aws_sqs_queue.inbox.arn
}

resource "aws_iam_role" "fn" {
  name = "${var.prefix}-fn"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "basic" {
  role       = aws_iam_role.fn.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_iam_role_policy" "send" {
  name = "send-to-inbox"
  role = aws_iam_role.fn.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["sqs:SendMessage"], Resource = aws_sqs_queue.inbox.arn }]
  })
}

resource "aws_iam_policy" "publish" {
  name        = "${var.prefix}-publish"
  path        = "/app/"
  description = "publish to the news topic"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sns:Publish", Resource = aws_sns_topic.news.arn }]
  })
}

resource "aws_iam_role_policy_attachment" "publish" {
  role       = aws_iam_role.fn.name
  policy_arn = aws_iam_policy.publish.arn
}

resource "aws_lambda_function" "hello" {
  function_name    = "${var.prefix}-hello"
  role             = aws_iam_role.fn.arn
  runtime          = var.runtime
  handler          = "app.handler"
  filename         = var.zip
  source_code_hash = filebase64sha256(var.zip)
  timeout          = 10
  depends_on       = [aws_iam_role_policy_attachment.basic]
}

resource "aws_apigatewayv2_api" "http" {
  name          = "${var.prefix}-http"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "hello" {
  api_id                 = aws_apigatewayv2_api.http.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.hello.invoke_arn
  integration_method     = "POST"
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "hello" {
  api_id    = aws_apigatewayv2_api.http.id
  route_key = "GET /hello"
  target    = "integrations/${aws_apigatewayv2_integration.hello.id}"
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.http.id
  name        = "$default"
  auto_deploy = true
}

resource "aws_lambda_permission" "api" {
  statement_id  = "AllowHttpApi"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.hello.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.http.execution_arn}/*/*"
}

output "queue_url" { value = aws_sqs_queue.inbox.id }
output "topic_arn" { value = aws_sns_topic.news.arn }
output "function_name" { value = aws_lambda_function.hello.function_name }
output "role_name" { value = aws_iam_role.fn.name }
output "policy_arn" { value = aws_iam_policy.publish.arn }
output "rule_name" { value = aws_cloudwatch_event_rule.orders.name }
output "api_id" { value = aws_apigatewayv2_api.http.id }
output "api_endpoint" { value = aws_apigatewayv2_api.http.api_endpoint }
