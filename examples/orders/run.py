#!/usr/bin/env python3
"""An order-processing app on gureum, deployed and driven with boto3 alone (the same calls work against AWS).

    POST /orders → API Gateway REST API "orders-api" (Lambda proxy) → Lambda "orders-intake" (validates)
      → SQS "orders" → Lambda "orders-process" (event source mapping) → EventBridge bus "orders"
      → rule "order-processed" → SQS "orders-done", which this script reads.

    python examples/orders/run.py [--endpoint http://127.0.0.1:4566] [--runtime python3.12] [--teardown]

Deploying is idempotent: run it again and it updates what is there. --teardown deletes everything afterwards.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

HERE = Path(__file__).resolve().parent
ROLE, QUEUE, DONE_QUEUE, BUS, RULE, API, STAGE = (
    "orders-lambda", "orders", "orders-done", "orders", "order-processed", "orders-api", "dev",
)  # fmt: skip
INTAKE, PROCESS = "orders-intake", "orders-process"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"))
    parser.add_argument("--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"))
    # a runtime gureum can serve: it needs that Python on this machine (pyenv or python3.N on PATH)
    parser.add_argument("--runtime", default=f"python3.{sys.version_info.minor}")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for the processed orders")
    parser.add_argument("--teardown", action="store_true", help="delete everything at the end")
    args = parser.parse_args()

    session = boto3.Session(region_name=args.region or "us-east-1")
    if session.get_credentials() is None:  # gureum accepts any credentials; boto3 insists on having some
        session = boto3.Session("test", "test", region_name=session.region_name)
    aws = Aws(session, args.endpoint)

    print(f"Deploying to {args.endpoint} ({aws.region}, account {aws.account}, {args.runtime})")
    try:
        app = deploy(aws, args.runtime)
    except ClientError as error:  # e.g. a runtime this machine has no interpreter for
        print(f"Deploying failed: {error}")
        if error.response["Error"]["Code"] == "InvalidParameterValueException":
            print("(another Lambda runtime may be served here: see --runtime)")
        return 2
    print(f"  API: {app['url']}")

    print("Sending orders")
    accepted, problems = send_orders(app["url"])
    print(f"Waiting for {len(accepted)} processed order(s) on {DONE_QUEUE}")
    missing = wait_for(aws, app["done_url"], accepted, args.timeout)
    problems += [f"order {order_id} not processed within {args.timeout:.0f} s" for order_id in sorted(missing)]

    if args.teardown:
        print("Tearing down")
        teardown(aws, app)
    if problems:
        print("FAILED: " + "; ".join(problems))
        print(f"(what the functions printed is in CloudWatch Logs: /aws/lambda/{INTAKE}, /aws/lambda/{PROCESS})")
        return 1
    print(f"All {len(accepted)} accepted order(s) processed.")
    return 0


class Aws:
    """boto3 clients, every one pointed at the given endpoint and nowhere else."""

    def __init__(self, session: boto3.Session, endpoint: str) -> None:
        self.session, self.endpoint, self.region = session, endpoint, session.region_name
        self.iam, self.sqs, self.events = self.client("iam"), self.client("sqs"), self.client("events")
        self.lam, self.apigw, self.logs = self.client("lambda"), self.client("apigateway"), self.client("logs")
        self.account = self.client("sts").get_caller_identity()["Account"]

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.endpoint)


# --- deploy -----------------------------------------------------------------------------------------------------


def deploy(aws: Aws, runtime: str) -> dict[str, str]:
    # Lambda refuses an event source mapping unless the queue's visibility timeout is at least the function's
    # timeout (AWS advises six times it): a batch must not reappear while the function still works on it
    queue_url = create_queue(aws, QUEUE, {"VisibilityTimeout": "60"})
    queue_arn = arn(aws, "sqs", QUEUE)
    done_url = create_queue(aws, DONE_QUEUE, {})

    role_arn = deploy_role(aws, queue_arn)
    env = {"ORDERS_QUEUE_URL": queue_url, "ORDERS_BUS": BUS}
    intake_arn = deploy_function(aws, INTAKE, "intake.py", role_arn, runtime, env)
    deploy_function(aws, PROCESS, "process.py", role_arn, runtime, env)

    # the event source mapping: Lambda itself polls "orders" and calls orders-process with batches of messages
    mappings = aws.lam.list_event_source_mappings(EventSourceArn=queue_arn, FunctionName=PROCESS)
    if not mappings["EventSourceMappings"]:
        aws.lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=PROCESS, BatchSize=10)

    deploy_events(aws, done_url)
    api_id = deploy_api(aws, intake_arn)
    # the path form of a stage's URL, which needs no DNS (the host form is http://{api}.execute-api.localhost:4566/dev)
    url = f"{aws.endpoint}/restapis/{api_id}/{STAGE}/_user_request_/orders"
    return {"api_id": api_id, "url": url, "queue_url": queue_url, "done_url": done_url}


def create_queue(aws: Aws, name: str, attributes: dict[str, str]) -> str:
    """CreateQueue returns the existing queue's URL when the attributes match, so it is safe to repeat."""
    for attempt in range(15):
        try:
            return str(aws.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"])
        except aws.sqs.exceptions.QueueDeletedRecently:  # SQS keeps a deleted queue's name for 60 s
            if attempt == 0:
                print(f"  queue {name} was deleted less than 60 s ago: waiting until SQS lets us create it again")
            time.sleep(5)
    raise TimeoutError(f"SQS still refuses to create {name}")


def deploy_role(aws: Aws, queue_arn: str) -> str:
    # Every function runs as an IAM role, which must trust the Lambda service to assume it. (gureum keeps the
    # policies but does not enforce them; AWS does, and takes a few seconds before a new role can be used.)
    assume = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    trust = {"Version": "2012-10-17", "Statement": [assume]}
    try:
        role_arn = aws.iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    except aws.iam.exceptions.EntityAlreadyExistsException:
        role_arn = aws.iam.get_role(RoleName=ROLE)["Role"]["Arn"]
    # logs, and what the event source mapping does with the function's role: receive and delete on the queue
    sqs_role = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"
    aws.iam.attach_role_policy(RoleName=ROLE, PolicyArn=sqs_role)
    # what the functions' own code calls
    allow = [
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue_arn},
        {"Effect": "Allow", "Action": "events:PutEvents", "Resource": arn(aws, "events", f"event-bus/{BUS}")},
    ]
    policy = json.dumps({"Version": "2012-10-17", "Statement": allow})
    aws.iam.put_role_policy(RoleName=ROLE, PolicyName="orders-app", PolicyDocument=policy)
    return str(role_arn)


def deploy_function(aws: Aws, name: str, source: str, role_arn: str, runtime: str, env: dict[str, str]) -> str:
    """Create the function, or update the code and settings of the one that exists."""
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(HERE / "functions" / source, source)
    settings = {
        "Runtime": runtime,
        "Role": role_arn,
        "Handler": f"{Path(source).stem}.handler",  # module.function inside the zip
        "Timeout": 10,
        "Environment": {"Variables": env},
    }
    try:
        out = aws.lam.create_function(FunctionName=name, Code={"ZipFile": zipped.getvalue()}, **settings)
        # a new function is Pending until Lambda has prepared it; the waiters ask GetFunction until it is ready
        aws.lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    except aws.lam.exceptions.ResourceConflictException:  # it exists: update it, one change at a time
        aws.lam.update_function_code(FunctionName=name, ZipFile=zipped.getvalue())
        aws.lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
        out = aws.lam.update_function_configuration(FunctionName=name, **settings)
        aws.lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    print(f"  function {name}: {out['FunctionArn']}")
    return str(out["FunctionArn"])


def deploy_events(aws: Aws, done_url: str) -> None:
    try:
        aws.events.create_event_bus(Name=BUS)
    except aws.events.exceptions.ResourceAlreadyExistsException:
        pass
    pattern = {"source": ["example.orders"], "detail-type": ["OrderProcessed"]}
    rule_arn = aws.events.put_rule(Name=RULE, EventBusName=BUS, EventPattern=json.dumps(pattern))["RuleArn"]
    # EventBridge delivers to a queue only if the queue's policy lets events.amazonaws.com send for this rule
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": arn(aws, "sqs", DONE_QUEUE),
        "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
    }
    policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    aws.sqs.set_queue_attributes(QueueUrl=done_url, Attributes={"Policy": policy})
    target = {"Id": "orders-done", "Arn": arn(aws, "sqs", DONE_QUEUE)}
    aws.events.put_targets(Rule=RULE, EventBusName=BUS, Targets=[target])


def deploy_api(aws: Aws, function_arn: str) -> str:
    apis = aws.apigw.get_rest_apis(limit=500)["items"]
    api_id = next((a["id"] for a in apis if a["name"] == API), None)
    if api_id is None:
        api_id = aws.apigw.create_rest_api(name=API, endpointConfiguration={"types": ["REGIONAL"]})["id"]
    resources = aws.apigw.get_resources(restApiId=api_id)["items"]
    root_id = next(r["id"] for r in resources if r["path"] == "/")
    orders_id = next((r["id"] for r in resources if r["path"] == "/orders"), None)
    if orders_id is None:
        orders_id = aws.apigw.create_resource(restApiId=api_id, parentId=root_id, pathPart="orders")["id"]
    method = {"restApiId": api_id, "resourceId": orders_id, "httpMethod": "POST"}
    try:
        aws.apigw.put_method(**method, authorizationType="NONE")
    except aws.apigw.exceptions.ConflictException:
        pass  # already there; put_integration below replaces the integration
    # Lambda proxy: the whole request goes to the function as an event and its answer becomes the response.
    # integrationHttpMethod is always POST: it is the method of Lambda's Invoke API, not of the client's request.
    uri = f"arn:aws:apigateway:{aws.region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    aws.apigw.put_integration(**method, type="AWS_PROXY", integrationHttpMethod="POST", uri=uri)

    # API Gateway may call the function only if the function's resource policy allows it, for this API's route
    try:
        aws.lam.remove_permission(FunctionName=INTAKE, StatementId="orders-api")
    except aws.lam.exceptions.ResourceNotFoundException:
        pass  # (removed and added again: the API may be a new one since the last run)
    aws.lam.add_permission(
        FunctionName=INTAKE,
        StatementId="orders-api",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{aws.region}:{aws.account}:{api_id}/*/POST/orders",
    )
    # nothing is live until it is deployed to a stage: a deployment is a snapshot of the API
    aws.apigw.create_deployment(restApiId=api_id, stageName=STAGE)
    return str(api_id)


def arn(aws: Aws, service: str, resource: str) -> str:
    return f"arn:aws:{service}:{aws.region}:{aws.account}:{resource}"


# --- run ----------------------------------------------------------------------------------------------------------


def send_orders(url: str) -> tuple[set[str], list[str]]:
    """POST a few orders; return the ids of those the API accepted, and any answer that is not the expected one."""
    run = uuid.uuid4().hex[:6]  # so that results left over from an earlier run are told apart
    orders = [  # (the answer expected, the order)
        (202, {"orderId": f"{run}-1", "customer": "ana", "items": [{"sku": "tea", "qty": 2, "price": 4.5}]}),
        (202, {"orderId": f"{run}-2", "customer": "bo", "items": [{"sku": "cup", "qty": 1, "price": 12}]}),
        (202, {"orderId": f"{run}-3", "customer": "cy", "items": [{"sku": "pot", "qty": 1, "price": 30}]}),
        (400, {"orderId": f"{run}-4", "customer": "", "items": []}),  # refused by orders-intake
    ]
    accepted, problems = set(), []
    for expected, order in orders:
        request = urllib.request.Request(
            url, data=json.dumps(order).encode(), headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:  # 4xx and 5xx answers
            status, body = error.code, error.read()
        print(f"  POST /orders {order['orderId']} → {status} {body.decode()}")
        if status == 202:
            accepted.add(json.loads(body)["orderId"])
        if status != expected:
            problems.append(f"order {order['orderId']} answered {status}, not {expected}")
    return accepted, problems


def wait_for(aws: Aws, done_url: str, order_ids: set[str], timeout: float) -> set[str]:
    """Read orders-done with long polls until every order has arrived; return the ids that did not."""
    missing = set(order_ids)
    deadline = time.monotonic() + timeout
    while missing and time.monotonic() < deadline:
        wait = max(1, min(20, int(deadline - time.monotonic())))  # a long poll answers as soon as a message arrives
        out = aws.sqs.receive_message(QueueUrl=done_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait)
        for message in out.get("Messages", []):
            event = json.loads(message["Body"])  # the EventBridge event, as the rule's target receives it
            detail = event["detail"]
            if detail["orderId"] in missing:
                missing.discard(detail["orderId"])
                print(f"  {event['detail-type']} {detail['orderId']}: {detail['customer']}, total {detail['total']}")
            aws.sqs.delete_message(QueueUrl=done_url, ReceiptHandle=message["ReceiptHandle"])
    return missing


# --- teardown -----------------------------------------------------------------------------------------------------

NOT_FOUND = {"ResourceNotFoundException", "NotFoundException", "NoSuchEntity", "QueueDoesNotExist",
             "AWS.SimpleQueueService.NonExistentQueue"}  # fmt: skip


def gone(call: Any, **kwargs: Any) -> None:
    """Call a delete operation, taking "it does not exist" for done."""
    try:
        call(**kwargs)
    except ClientError as error:
        if error.response["Error"]["Code"] not in NOT_FOUND:
            raise


def teardown(aws: Aws, app: dict[str, str]) -> None:
    gone(aws.apigw.delete_rest_api, restApiId=app["api_id"])
    for mapping in aws.lam.list_event_source_mappings(FunctionName=PROCESS)["EventSourceMappings"]:
        gone(aws.lam.delete_event_source_mapping, UUID=mapping["UUID"])
    for function in (INTAKE, PROCESS):
        gone(aws.lam.delete_function, FunctionName=function)
        gone(aws.logs.delete_log_group, logGroupName=f"/aws/lambda/{function}")  # AWS keeps these otherwise
    gone(aws.events.remove_targets, Rule=RULE, EventBusName=BUS, Ids=["orders-done"])  # a rule must lose its targets
    gone(aws.events.delete_rule, Name=RULE, EventBusName=BUS)  # before it goes, and a bus its rules
    gone(aws.events.delete_event_bus, Name=BUS)
    gone(aws.sqs.delete_queue, QueueUrl=app["queue_url"])
    gone(aws.sqs.delete_queue, QueueUrl=app["done_url"])
    # a role goes only once no policy is attached to it or inside it
    gone(aws.iam.delete_role_policy, RoleName=ROLE, PolicyName="orders-app")
    sqs_role = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"
    gone(aws.iam.detach_role_policy, RoleName=ROLE, PolicyArn=sqs_role)
    gone(aws.iam.delete_role, RoleName=ROLE)


if __name__ == "__main__":
    sys.exit(main())
