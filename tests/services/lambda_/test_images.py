"""Container-image functions (PackageType Image) on Podman's service, end to end: an image built FROM scratch with
busybox and a runtime interface client written in sh (wget against AWS_LAMBDA_RUNTIME_API) is pushed to gureum's
ECR and created with its ECR ImageUri; invoked cold (Init Duration) then warm (the same container), its output in
CloudWatch Logs; ImageConfig's EntryPoint, Command and WorkingDirectory override the image's; a function error, a
timeout (the container replaced) and MemorySize as the engine's memory limit; what CreateFunction refuses."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ...conftest import StoreFactory, make_client
from ...containers import Podman
from ...server import Server

pytestmark = pytest.mark.containers
ROLE = "arn:aws:iam::000000000000:role/lambda-image"

# The runtime interface client: the handler is its first argument (the image's CMD, or ImageConfig's Command)
BOOTSTRAP = r"""
B=/bin/busybox
API="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
echo "init handler=$1 mode=${MODE:-image} cwd=$(pwd)"
N=0
while true; do
  $B wget -q -S -O /tmp/event "$API/invocation/next" 2>/tmp/headers || exit 1
  RID=$($B grep -i 'lambda-runtime-aws-request-id' /tmp/headers | $B sed 's/^[^:]*: *//' | $B tr -d '\r ')
  N=$((N + 1))
  echo "handling $RID"
  case "$1" in
    sleep) $B sleep "$2" ;;
    grow) X=aaaaaaaa; while true; do X="$X$X"; done ;;
    fail)
      $B wget -q -O /dev/null --header 'Lambda-Runtime-Function-Error-Type: Custom.Failure' \
        --post-data '{"errorMessage":"it failed","errorType":"Custom.Failure"}' "$API/invocation/$RID/error"
      continue ;;
  esac
  BODY="{\"event\":$($B cat /tmp/event),\"args\":\"$*\",\"mode\":\"${MODE:-image}\",\"cwd\":\"$(pwd)\",\"n\":$N,"
  BODY="$BODY\"pid\":$$,\"task_root\":\"$LAMBDA_TASK_ROOT\",\"memory\":\"$AWS_LAMBDA_FUNCTION_MEMORY_SIZE\","
  BODY="$BODY\"name\":\"$AWS_LAMBDA_FUNCTION_NAME\",\"handler\":\"$_HANDLER\",\"region\":\"$AWS_REGION\","
  BODY="$BODY\"init\":\"$AWS_LAMBDA_INITIALIZATION_TYPE\"}"
  $B wget -q -O /dev/null --post-data "$BODY" "$API/invocation/$RID/response"
done
"""


@dataclass
class Images:
    server: Server
    uri: str  # the image's ECR ImageUri

    def client(self, service: str) -> Any:
        return make_client(self.server.endpoint, service)


def _build(podman: Podman, tag: str, env: str = "") -> None:
    context = podman.base / "lambda-image"
    context.mkdir(exist_ok=True)
    base = podman.busybox_image()
    (context / "bootstrap").write_text(BOOTSTRAP)
    (context / "alternative").write_text('MODE=entrypoint exec /bin/busybox sh /var/runtime/bootstrap "$@"\n')
    (context / "Containerfile").write_text(
        f"FROM {base}\n"
        "COPY bootstrap /var/runtime/bootstrap\n"
        "COPY alternative /var/runtime/alternative\n"
        "WORKDIR /var/task\n"
        f"{env}"
        'ENTRYPOINT ["/bin/busybox", "sh", "/var/runtime/bootstrap"]\n'
        'CMD ["echo"]\n'
    )
    podman.run("build", "--quiet", "--format", "docker", "-t", tag, str(context))


@pytest.fixture(scope="module")
def images(store: StoreFactory, podman: Podman) -> Iterator[Images]:
    srv = Server(**store(), env={"GUREUM_CONTAINER_HOST": podman.host}).start()
    ecr = make_client(srv.endpoint, "ecr")
    ecr.create_repository(repositoryName="lambda-test/runtime")
    data = ecr.get_authorization_token()["authorizationData"][0]
    password = base64.b64decode(data["authorizationToken"]).decode().partition(":")[2]
    registry = srv.endpoint.removeprefix("http://")
    podman.run("login", "--tls-verify=false", "-u", "AWS", "--password-stdin", registry, input=password.encode())
    for tag, env in (("1", ""), ("2", "ENV MODE=second\n")):  # :2 answers with mode "second"
        local = f"{registry}/lambda-test/runtime:{tag}"
        _build(podman, local, env)
        podman.run("push", "--tls-verify=false", local)
        podman.run("rmi", local)  # the engine pulls it from gureum's ECR
    account = make_client(srv.endpoint, "sts").get_caller_identity()["Account"]
    yield Images(srv, f"{account}.dkr.ecr.us-east-1.amazonaws.com/lambda-test/runtime:1")
    srv.stop()


def _create(lam: Any, name: str, uri: str, **more: Any) -> dict[str, Any]:
    created = lam.create_function(FunctionName=name, Role=ROLE, PackageType="Image", Code={"ImageUri": uri}, **more)
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 150})
    return dict(created)


def _invoke(lam: Any, name: str, payload: dict[str, Any]) -> tuple[dict[str, Any], Any, str]:
    answer = lam.invoke(FunctionName=name, Payload=json.dumps(payload).encode(), LogType="Tail")
    log = base64.b64decode(answer["LogResult"]).decode()
    return answer, json.loads(answer["Payload"].read()), log


def test_cold_then_warm_with_logs(images: Images, name: str) -> None:
    lam, logs = images.client("lambda"), images.client("logs")
    created = _create(lam, name, images.uri, MemorySize=256, Timeout=10)
    assert created["PackageType"] == "Image" and "Runtime" not in created and "Handler" not in created
    function = lam.get_function(FunctionName=name)
    assert function["Code"]["RepositoryType"] == "ECR" and function["Code"]["ImageUri"] == images.uri
    resolved = function["Code"]["ResolvedImageUri"]
    assert resolved.startswith(images.uri.rsplit(":", 1)[0] + "@sha256:")
    assert function["Configuration"]["CodeSha256"] == resolved.rsplit(":", 1)[1]

    started = time.monotonic()
    answer, cold, log = _invoke(lam, name, {"x": 1})
    cold_seconds = time.monotonic() - started
    assert "FunctionError" not in answer, cold
    assert cold["event"] == {"x": 1} and cold["n"] == 1 and cold["args"] == "echo" and cold["cwd"] == "/var/task"
    assert cold["handler"] == "" and cold["task_root"] == "/var/task" and cold["memory"] == "256"
    assert cold["name"] == name and cold["region"] == "us-east-1"
    assert "Init Duration" in log and "init handler=echo" in log
    print(f"image cold start (invoke round trip): {cold_seconds:.3f} s")

    answer, warm, log = _invoke(lam, name, {"x": 2})
    assert warm["event"] == {"x": 2} and warm["n"] == 2 and warm["pid"] == cold["pid"]  # the same container
    assert "Init Duration" not in log and "REPORT RequestId" in log

    group = f"/aws/lambda/{name}"
    deadline = time.monotonic() + 30
    messages: list[str] = []
    while time.monotonic() < deadline:
        found = logs.filter_log_events(logGroupName=group).get("events", []) if _has_group(logs, group) else []
        messages = [event["message"] for event in found]
        if sum(m.startswith("REPORT RequestId") for m in messages) >= 2:
            break
        time.sleep(0.3)
    assert any(m.startswith("init handler=echo") for m in messages), messages
    assert sum(m.startswith("START RequestId") for m in messages) == 2
    assert sum(m.startswith("handling ") for m in messages) == 2, messages


def _has_group(logs: Any, group: str) -> bool:
    return any(g["logGroupName"] == group for g in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"])


def test_image_config_overrides(images: Images, name: str) -> None:
    lam = images.client("lambda")
    config = {
        "EntryPoint": ["/bin/busybox", "sh", "/var/runtime/alternative"],
        "Command": ["echo", "extra"],
        "WorkingDirectory": "/tmp",
    }
    created = _create(lam, name, images.uri, ImageConfig=config)
    assert created["ImageConfigResponse"] == {"ImageConfig": config}
    _answer, got, _log = _invoke(lam, name, {})
    assert got["mode"] == "entrypoint" and got["args"] == "echo extra" and got["cwd"] == "/tmp"
    assert got["handler"] == "echo"  # _HANDLER: the Command's first element, as AWS sets it
    updated = lam.update_function_configuration(FunctionName=name, ImageConfig={"Command": ["echo", "other"]})
    assert updated["ImageConfigResponse"] == {"ImageConfig": {"Command": ["echo", "other"]}}
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 150})
    _answer, got, _log = _invoke(lam, name, {})  # a new environment, with the image's own entry point and workdir
    assert got["mode"] == "image" and got["args"] == "echo other" and got["cwd"] == "/var/task"
    with pytest.raises(ClientError) as info:
        lam.update_function_configuration(FunctionName=name, Handler="index.handler")
    assert "Please don't provide Handler or Runtime or Layer" in info.value.response["Error"]["Message"]


def test_update_function_code(images: Images, name: str) -> None:
    lam = images.client("lambda")
    _create(lam, name, images.uri)
    before = lam.get_function(FunctionName=name)
    _answer, got, _log = _invoke(lam, name, {})
    assert got["mode"] == "image"
    with pytest.raises(ClientError) as info:
        lam.update_function_code(FunctionName=name, ZipFile=b"PK")
    assert "PackageType is Image" in info.value.response["Error"]["Message"]
    second = images.uri.replace(":1", ":2")
    updated = lam.update_function_code(FunctionName=name, ImageUri=second, Publish=True)
    assert updated["Version"] == "1" and updated["CodeSha256"] != before["Configuration"]["CodeSha256"]
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 150})
    code = lam.get_function(FunctionName=name)["Code"]
    assert code["ImageUri"] == second and code["ResolvedImageUri"] != before["Code"]["ResolvedImageUri"]
    _answer, got, _log = _invoke(lam, name, {})
    assert got["mode"] == "second" and got["n"] == 1  # a new container of the new image


def test_function_error_and_timeout(images: Images, name: str) -> None:
    lam = images.client("lambda")
    _create(lam, f"{name}-fail", images.uri, ImageConfig={"Command": ["fail"]})
    answer, error, _log = _invoke(lam, f"{name}-fail", {})
    assert answer["FunctionError"] == "Unhandled"
    assert error == {"errorMessage": "it failed", "errorType": "Custom.Failure"}

    _create(lam, name, images.uri, Timeout=1, ImageConfig={"Command": ["sleep", "3"]})
    answer, error, log = _invoke(lam, name, {})
    assert answer["FunctionError"] == "Unhandled" and error["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in log
    lam.update_function_configuration(FunctionName=name, Timeout=10)
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 150})
    answer, got, _log = _invoke(lam, name, {"again": True})  # a new container serves it
    assert "FunctionError" not in answer and got["event"] == {"again": True} and got["n"] == 1


def test_entry_point_that_cannot_start(images: Images, name: str) -> None:
    lam = images.client("lambda")
    _create(lam, name, images.uri, ImageConfig={"EntryPoint": ["/var/runtime/missing"]})
    answer, error, log = _invoke(lam, name, {})
    assert answer["FunctionError"] == "Unhandled" and error["errorType"] == "Runtime.InvalidEntrypoint", error
    assert "could not start" in error["errorMessage"] and "Runtime.InvalidEntrypoint" in log


def test_memory_size_is_the_engines_limit(images: Images, name: str) -> None:
    lam = images.client("lambda")
    _create(lam, name, images.uri, MemorySize=128, Timeout=20, ImageConfig={"Command": ["grow"]})
    answer, error, log = _invoke(lam, name, {})
    assert answer["FunctionError"] == "Unhandled"
    assert error["errorType"] in ("Runtime.OutOfMemory", "Runtime.ExitError"), error
    assert "Runtime exited with error: signal: killed" in error["errorMessage"]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"Runtime": "python3.12"}, "Please don't provide Handler or Runtime or Layer"),
        ({"Code": {"ImageUri": "docker.io/library/busybox:latest"}}, "is not valid. Provide a valid source image."),
        (
            {"Code": {"ImageUri": "000000000000.dkr.ecr.us-east-1.amazonaws.com/lambda-test/missing:1"}},
            "does not exist. Provide a valid source image.",
        ),
    ],
)
def test_create_refusals(images: Images, name: str, change: dict[str, Any], message: str) -> None:
    lam = images.client("lambda")
    members = {"FunctionName": name, "Role": ROLE, "PackageType": "Image", "Code": {"ImageUri": images.uri}, **change}
    with pytest.raises(ClientError) as info:
        lam.create_function(**members)
    assert info.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert message in info.value.response["Error"]["Message"]


def test_provisioned_concurrency(images: Images, name: str) -> None:
    lam = images.client("lambda")
    _create(lam, name, images.uri)
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=1)
    deadline = time.monotonic() + 60
    while (status := lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier=version))["Status"] == (
        "IN_PROGRESS"
    ) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert status["Status"] == "READY" and status["AvailableProvisionedConcurrentExecutions"] == 1, status
    answer = lam.invoke(FunctionName=name, Qualifier=version, Payload=b"{}", LogType="Tail")
    got, log = json.loads(answer["Payload"].read()), base64.b64decode(answer["LogResult"]).decode()
    assert got["init"] == "provisioned-concurrency" and got["n"] == 1  # its container started before the invoke
    assert "Init Duration" not in log and "REPORT RequestId" in log


def test_containers_of_a_killed_gureum_are_removed(images: Images, podman: Podman, name: str) -> None:
    """Last in this module: it kills the module's server (kill -9) and starts it again on the same store."""
    lam = images.client("lambda")
    arn = _create(lam, name, images.uri)["FunctionArn"]
    _invoke(lam, name, {})

    def containers() -> list[dict[str, Any]]:
        listed = podman.run("ps", "-a", "--format", "json", "--filter", f"label=gureum.lambda.function={arn}:$LATEST")
        return list(json.loads(listed.stdout or "[]"))

    assert len(containers()) == 1
    images.server.kill()
    images.server.start()
    _answer, got, _log = _invoke(images.client("lambda"), name, {"after": "restart"})
    assert got["event"] == {"after": "restart"} and got["n"] == 1
    assert len(containers()) == 1  # the new environment's only: the killed gureum's was removed
