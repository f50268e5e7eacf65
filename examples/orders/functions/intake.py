"""POST /orders behind API Gateway (Lambda proxy): check the order, put it on the "orders" queue, answer 202.

The event is API Gateway's REST proxy event; the answer must be {"statusCode", "headers", "body": <a string>}.
"""

import json
import os
import uuid

import boto3

# No endpoint here: on gureum, AWS_ENDPOINT_URL in the function's environment points the SDK back at gureum;
# on AWS it is not set and the SDK calls SQS itself. Clients are made once per environment, outside the handler.
sqs = boto3.client("sqs")
QUEUE_URL = os.environ["ORDERS_QUEUE_URL"]


def handler(event, context):
    try:
        order = json.loads(event.get("body") or "")
    except json.JSONDecodeError:
        return reply(400, {"error": "the body must be a JSON object"})
    problems = validate(order)
    if problems:
        return reply(400, {"error": "; ".join(problems)})
    order["orderId"] = order.get("orderId") or str(uuid.uuid4())
    sqs.send_message(QueueUrl=QUEUE_URL, MessageBody=json.dumps(order))
    return reply(202, {"orderId": order["orderId"], "status": "accepted"})


def validate(order):
    """What is wrong with the order, as a list of sentences (empty: nothing)."""
    if not isinstance(order, dict):
        return ["the body must be a JSON object"]
    problems = []
    if not isinstance(order.get("customer"), str) or not order["customer"].strip():
        problems.append("customer is required")
    items = order.get("items")
    if not isinstance(items, list) or not items:
        return [*problems, "items must be a non-empty list"]
    for n, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("sku"), str):
            problems.append(f"items[{n}].sku is required")
        elif not isinstance(item.get("qty"), int) or item["qty"] < 1:
            problems.append(f"items[{n}].qty must be a whole number of at least 1")
        elif not isinstance(item.get("price"), (int, float)) or item["price"] < 0:
            problems.append(f"items[{n}].price must be a number of at least 0")
    return problems


def reply(status, body):
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}
