"""ECS RunTask latency on the local engine: RunTask → RUNNING and RunTask → STOPPED (a task whose container exits at
once) for a small image in gureum's ECR (busybox-static FROM scratch), sequentially, polling DescribeTasks every
20 ms; and a Lambda container-image function's cold start (the first Invoke of a new function, its container
started) and warm Invoke, with a runtime interface client in busybox sh. Podman's service as the engine, set up as
tests/containers.py does.

  python bench/ecs_runtask.py [--runs 10] [--json]     # starts its own gureum and Podman service
"""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
from tests.containers import Podman  # noqa: E402
from tests.server import Server  # noqa: E402

NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}
# a runtime interface client in busybox sh: answers every event with itself
BOOTSTRAP = r"""
API="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
while true; do
  /bin/busybox wget -q -S -O /tmp/event "$API/invocation/next" 2>/tmp/headers || exit 1
  RID=$(/bin/busybox grep -i 'lambda-runtime-aws-request-id' /tmp/headers | /bin/busybox sed 's/^[^:]*: *//' \
    | /bin/busybox tr -d '\r ')
  /bin/busybox wget -q -O /dev/null --post-file /tmp/event "$API/invocation/$RID/response"
done
"""


def _lambda_image(podman: Podman, registry: str, lam: Any, runs: int) -> dict[str, Any]:
    """Cold (a new function's first Invoke) and warm Invoke round trips of an Image function, in seconds."""
    context = podman.base / "bench-lambda"
    context.mkdir(exist_ok=True)
    (context / "bootstrap").write_text(BOOTSTRAP)
    (context / "Containerfile").write_text(
        f"FROM {podman.busybox_image()}\nCOPY bootstrap /var/runtime/bootstrap\n"
        'ENTRYPOINT ["/bin/busybox", "sh", "/var/runtime/bootstrap"]\n'
    )
    image = f"{registry}/bench/lambda:1"
    podman.run("build", "--quiet", "--format", "docker", "-t", image, str(context))
    podman.run("push", "--tls-verify=false", image)
    uri = "000000000000.dkr.ecr.us-east-1.amazonaws.com/bench/lambda:1"
    role = "arn:aws:iam::000000000000:role/bench"
    cold, warm = [], []
    for i in range(runs):
        name = f"bench-image-{i}"
        lam.create_function(FunctionName=name, Role=role, PackageType="Image", Code={"ImageUri": uri})
        lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
        for times in (cold, warm):
            start = time.perf_counter()
            answer = lam.invoke(FunctionName=name, Payload=b'{"n": 1}')
            if answer.get("FunctionError"):
                raise SystemExit(f"the function failed: {answer['Payload'].read()!r}")
            times.append(time.perf_counter() - start)
    return {
        "cold_start_s": {"median": round(statistics.median(cold), 3), "max": round(max(cold), 3)},
        "warm_invoke_s": {"median": round(statistics.median(warm), 4), "max": round(max(warm), 4)},
    }


def _until(ecs: Any, arn: str, status: str, start: float) -> float:
    while True:
        task = ecs.describe_tasks(cluster="bench", tasks=[arn])["tasks"][0]
        if task["lastStatus"] == status:
            return time.perf_counter() - start
        if task["lastStatus"] == "STOPPED":
            raise SystemExit(f"the task stopped: {task.get('stoppedReason')}")
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="gureum-bench-ecs-"))
    podman = Podman(base / "podman").start()
    server = Server(base / "data", env={"GUREUM_CONTAINER_HOST": podman.host}).start()
    try:

        def client(service: str) -> Any:
            return boto3.client(
                service,
                endpoint_url=server.endpoint,
                region_name="us-east-1",
                aws_access_key_id="test",
                aws_secret_access_key="test",
            )

        ecr, ecs = client("ecr"), client("ecs")
        ecr.create_repository(repositoryName="bench/busybox")
        ecr.create_repository(repositoryName="bench/lambda")
        data = ecr.get_authorization_token()["authorizationData"][0]
        password = base64.b64decode(data["authorizationToken"]).decode().partition(":")[2]
        registry = server.endpoint.removeprefix("http://")
        podman.run("login", "--tls-verify=false", "-u", "AWS", "--password-stdin", registry, input=password.encode())
        image = f"{registry}/bench/busybox:1"
        podman.run("tag", podman.busybox_image(), image)
        podman.run("push", "--tls-verify=false", image)
        ecs.create_cluster(clusterName="bench")
        common = {"requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512"}
        long = ecs.register_task_definition(
            family="bench-long",
            containerDefinitions=[{"name": "m", "image": image, "command": ["sleep", "60"], "stopTimeout": 1}],
            **common,
        )["taskDefinition"]["taskDefinitionArn"]
        short = ecs.register_task_definition(
            family="bench-short",
            containerDefinitions=[{"name": "m", "image": image, "command": ["true"]}],
            **common,
        )["taskDefinition"]["taskDefinitionArn"]
        running, stopped = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            arn = ecs.run_task(
                cluster="bench", taskDefinition=long, launchType="FARGATE", networkConfiguration=NETWORK
            )["tasks"][0]["taskArn"]
            running.append(_until(ecs, arn, "RUNNING", start))
            ecs.stop_task(cluster="bench", task=arn)
            start = time.perf_counter()
            arn = ecs.run_task(
                cluster="bench", taskDefinition=short, launchType="FARGATE", networkConfiguration=NETWORK
            )["tasks"][0]["taskArn"]
            stopped.append(_until(ecs, arn, "STOPPED", start))
        result = {
            "runs": args.runs,
            "run_to_running_s": {"median": round(statistics.median(running), 3), "max": round(max(running), 3)},
            "run_to_stopped_s": {"median": round(statistics.median(stopped), 3), "max": round(max(stopped), 3)},
            "lambda_image": _lambda_image(podman, registry, client("lambda"), args.runs),
        }
        print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    finally:
        server.stop()
        podman.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
