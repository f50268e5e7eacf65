"""CloudFormation side by side: CreateStack → CREATE_COMPLETE (and DeleteStack → DELETE_COMPLETE) for a
30-resource serverless stack — an IAM role, 5 Python functions (inline code) each fed by its own SQS queue through
an event source mapping, 5 log groups, a DynamoDB table, 3 SNS topics with SQS subscriptions, 2 EventBridge rules
targeting queues — against gureum (this checkout, durable SQLite store) and the peers that serve CloudFormation:
moto's server and LocalStack's community edition (PyPI, each in its own venv as compare.py makes them). DescribeStacks
is polled every 20 ms; after one warm-up stack (not counted: each server's first calls to its services), the median
of `--runs` stacks is reported in seconds, with the best peer ÷ gureum.

    python bench/cloudformation.py                          # gureum, moto, localstack; 3 stacks each
    python bench/cloudformation.py --peers gureum --runs 5
    python bench/cloudformation.py --no-functions            # queues and log groups in the functions' place
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import side_by_side  # noqa: E402
from compare_servers import PEERS, free_port, install, log, venv_python  # noqa: E402
from side_by_side import Server, measure_each  # noqa: E402

# the peers side_by_side does not start itself: LocalStack (its own venv, Python 3.12), as compare_servers makes it
OTHER_PEERS = {p.name: p for p in PEERS if p.name == "localstack"}

CODE = "def handler(event, context):\n    return {'ok': True}\n"
DONE = ("CREATE_COMPLETE", "CREATE_FAILED", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "DELETE_COMPLETE",
        "DELETE_FAILED")  # fmt: skip


def template(functions: bool = True) -> dict[str, Any]:
    """The 30-resource stack (without functions: their 10 resources are 5 more queues and 5 more log groups, for
    peers that cannot run Lambda without Docker)."""
    resources: dict[str, Any] = {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "lambda.amazonaws.com"}}]}}},
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
            "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}},
    }  # fmt: skip
    for i in range(5):
        resources[f"Queue{i}"] = {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60}}
        resources[f"Logs{i}"] = {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}}
        if not functions:
            resources[f"Extra{i}"] = {"Type": "AWS::SQS::Queue"}
            resources[f"ExtraLogs{i}"] = {"Type": "AWS::Logs::LogGroup"}
            continue
        resources[f"Fn{i}"] = {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "index.handler", "Role": {"Fn::GetAtt": ["Role", "Arn"]},
            "Code": {"ZipFile": CODE}, "Environment": {"Variables": {"TABLE": {"Ref": "Table"}}}}}  # fmt: skip
        resources[f"Esm{i}"] = {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
            "FunctionName": {"Ref": f"Fn{i}"}, "EventSourceArn": {"Fn::GetAtt": [f"Queue{i}", "Arn"]},
            "BatchSize": 10}}  # fmt: skip
    for i in range(3):
        resources[f"Topic{i}"] = {"Type": "AWS::SNS::Topic"}
        resources[f"Sub{i}"] = {
            "Type": "AWS::SNS::Subscription",
            "Properties": {
                "TopicArn": {"Ref": f"Topic{i}"},
                "Protocol": "sqs",
                "Endpoint": {"Fn::GetAtt": [f"Queue{i}", "Arn"]},
            },
        }
    for i in range(2):
        resources[f"Rule{i}"] = {"Type": "AWS::Events::Rule", "Properties": {
            "EventPattern": {"source": [f"bench.{i}"]},
            "Targets": [{"Id": "q", "Arn": {"Fn::GetAtt": [f"Queue{i + 3}", "Arn"]}}]}}  # fmt: skip
    assert len(resources) == 30
    return {"Resources": resources, "Outputs": {"Table": {"Value": {"Ref": "Table"}}}}


def _until(cfn: Any, stack_id: str, started: float, timeout: float = 300.0) -> tuple[str, float]:
    while True:
        status = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]
        if status in DONE:
            return status, time.monotonic() - started
        if time.monotonic() - started > timeout:
            return "TIMEOUT", time.monotonic() - started
        time.sleep(0.02)


def measure(server: Server, runs: int, functions: bool = True) -> dict[str, float]:
    cfn = server.client("cloudformation")
    body = json.dumps(template(functions))
    creates, deletes = [], []
    for run in range(runs + 1):
        name = f"bench-{uuid.uuid4().hex[:8]}"
        started = time.monotonic()
        stack_id = cfn.create_stack(StackName=name, TemplateBody=body, Capabilities=["CAPABILITY_IAM"])["StackId"]
        status, took = _until(cfn, stack_id, started)
        if status != "CREATE_COMPLETE":
            events = cfn.describe_stack_events(StackName=stack_id)["StackEvents"]
            why = [
                f"{e['LogicalResourceId']} {e['ResourceStatus']}: {e.get('ResourceStatusReason')}"
                for e in events
                if e["ResourceStatus"].endswith("FAILED")
            ][:3]
            raise RuntimeError(f"{status}: {why}")
        created = took
        started = time.monotonic()
        cfn.delete_stack(StackName=stack_id)
        status, deleted = _until(cfn, stack_id, started)
        log(f"{server.name}: {'warm-up ' if run == 0 else ''}create {created:.2f} s, delete {deleted:.2f} s")
        if run:  # the first stack warms each server's services up (their first calls) and is not counted
            creates.append(created)
            deletes.append(deleted)
    return {"CreateStack": statistics.median(creates), "DeleteStack": statistics.median(deletes)}


def start(name: str) -> Server:
    peer = OTHER_PEERS.get(name)
    if peer is None:
        return side_by_side.start(name, "cloudformation", read_timeout=120)
    port = free_port()
    tmp = Path(tempfile.mkdtemp(prefix=f"gureum-cloudformation-{name}-"))
    fill = {"port": str(port), "data": str(tmp / "data")}
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update({k: v.format(**fill) for k, v in peer.env.items()})
    cmd = [str(venv_python(peer)), "-m", *(a.format(**fill) for a in peer.module)]
    return Server(name, cmd, env, port, tmp, "cloudformation", 120)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peers", default="gureum,moto,localstack")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--no-functions",
        action="store_true",
        help="no Lambda functions (LocalStack's community edition runs them only in Docker)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}

    def measure_one(server: Server) -> None:
        results[server.name] = measure(server, args.runs, not args.no_functions)

    skipped: dict[str, str] = {}
    for name in args.peers.split(","):
        if name not in OTHER_PEERS:
            skipped.update(measure_each(name, {}, start, "list_stacks", measure_one))
            continue
        try:  # side_by_side's measure_each installs only its own peers
            why = install(OTHER_PEERS[name])
        except Exception as error:  # a venv or pip step that broke: reported, not fatal
            why = f"install failed: {type(error).__name__}: {error}"
        if why:
            skipped[name] = why
            continue
        server = start(name)
        try:
            server.wait_ready("list_stacks", timeout=OTHER_PEERS[name].ready_timeout)
            log(f"{name}: measuring")
            measure_one(server)
        except Exception as error:
            skipped[name] = f"{type(error).__name__}: {str(error)[:200]}"
            log(f"{name}: failed ({skipped[name]})")
        finally:
            server.stop()
    if args.json:
        print(json.dumps({"seconds": results, "skipped": skipped, "runs": args.runs}, indent=2))
        return
    names = list(results)
    print(f"Seconds to a finished stack (30 resources, median of {args.runs}; lower is better):\n")
    print("| workload | " + " | ".join(names) + " | best peer ÷ gureum |")
    print("|---" * (len(names) + 2) + "|")
    for workload in ("CreateStack", "DeleteStack"):
        peers = [results[n][workload] for n in names if n != "gureum"]
        ratio = f"{min(peers) / results['gureum'][workload]:.1f}×" if "gureum" in results and peers else "–"
        print(f"| {workload} | " + " | ".join(f"{results[n][workload]:.2f}" for n in names) + f" | {ratio} |")
    for name, why in skipped.items():
        print(f"\n{name}: not measured ({why})")


if __name__ == "__main__":
    main()
