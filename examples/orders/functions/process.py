"""Fed by the "orders" queue through an event source mapping: total each order, announce it on the "orders" bus.

Lambda polls the queue and calls this with up to BatchSize messages ({"Records": [...]}). Returning normally
deletes the whole batch; raising leaves it on the queue, to come back after the queue's visibility timeout.
"""

import json
import os

import boto3

events = boto3.client("events")  # on gureum, AWS_ENDPOINT_URL points the SDK back at gureum
BUS = os.environ["ORDERS_BUS"]


def handler(event, context):
    entries = []
    for record in event["Records"]:
        order = json.loads(record["body"])
        total = sum(item["qty"] * item["price"] for item in order["items"])
        detail = {"orderId": order["orderId"], "customer": order["customer"], "total": round(total, 2)}
        entry = {"EventBusName": BUS, "Source": "example.orders", "DetailType": "OrderProcessed"}
        entries.append({**entry, "Detail": json.dumps(detail)})
        print(f"order {order['orderId']}: {len(order['items'])} item(s), total {total:.2f}")  # → CloudWatch Logs
    # PutEvents takes 10 entries per call, which is why the mapping's BatchSize is 10
    out = events.put_events(Entries=entries)
    if out["FailedEntryCount"]:
        raise RuntimeError(f"PutEvents refused {out['FailedEntryCount']} event(s): {out['Entries']}")
