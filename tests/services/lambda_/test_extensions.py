"""External extensions in layers (/opt/extensions) end to end: started before the runtime, registered for INVOKE and
SHUTDOWN, receiving each event, subscribed to the Telemetry API (platform.start, platform.report … and the function's
log lines reach their HTTP listener); one that hangs on an event is killed with its environment and reported; one
that exits before registering fails the init with Extension.Crash."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

from .zips import create, make_zip

# an external extension in Python (the system's python3): registers, subscribes to telemetry with a listener of its
# own, prints each event; EXT_MODE=hang makes it stop answering after an INVOKE, EXT_MODE=crash exit at once
EXTENSION = r"""#!/usr/bin/env python3
import http.client, http.server, json, os, socket, sys, tempfile, threading
api = os.environ["AWS_LAMBDA_RUNTIME_API"]
host, port = api.split(":")
MODE = os.environ.get("EXT_MODE", "good")
if MODE == "crash":
    print("ext crashing before it registers", flush=True)
    sys.exit(3)
open(os.path.join(tempfile.gettempdir(), "ext-was-first"), "w").close()

def call(method, path, body=None, headers=None):
    conn = http.client.HTTPConnection(host, int(port))
    conn.request(method, path, body=body, headers=headers or {})
    res = conn.getresponse()
    return res, res.read()

res, info = call("POST", "/2020-01-01/extension/register", json.dumps({"events": ["INVOKE", "SHUTDOWN"]}),
                 {"Lambda-Extension-Name": "probe"})
ident = res.headers["Lambda-Extension-Identifier"]
print("ext registered", json.loads(info)["functionName"], flush=True)

class Listener(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        batch = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        for event in batch:
            if event["type"] == "function":
                record = event["record"].strip()
                print("ext LEAK" if record.startswith("ext ") else f"ext telemetry function {record}", flush=True)
            elif event["type"] == "extension" and event["record"].startswith("ext registered"):
                print("ext telemetry extension", event["record"].strip(), flush=True)
            elif event["type"] in ("platform.start", "platform.report", "platform.initStart"):
                rid = event["record"].get("requestId", "-")
                keys = ",".join(sorted(event["record"].get("metrics", {})))
                print("ext telemetry", event["type"], rid, keys, flush=True)
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass

sock = socket.socket()
sock.bind(("127.0.0.1", 0))
listen_port = sock.getsockname()[1]
sock.close()
server = http.server.ThreadingHTTPServer(("127.0.0.1", listen_port), Listener)
threading.Thread(target=server.serve_forever, daemon=True).start()
sub = {"schemaVersion": "2022-12-13", "types": ["platform", "function", "extension"],
       "buffering": {"maxItems": 1000, "maxBytes": 262144, "timeoutMs": 25},
       "destination": {"protocol": "HTTP", "URI": f"http://sandbox.localdomain:{listen_port}"}}
res, _ = call("PUT", "/2022-07-01/telemetry", json.dumps(sub), {"Lambda-Extension-Identifier": ident})
print("ext subscribed", res.status, flush=True)
while True:
    res, body = call("GET", "/2020-01-01/extension/event/next", headers={"Lambda-Extension-Identifier": ident})
    event = json.loads(body)
    if event["eventType"] == "SHUTDOWN":
        print("ext SHUTDOWN", event["shutdownReason"], flush=True)
        sys.exit(0)
    print("ext INVOKE", event["requestId"], flush=True)
    if MODE == "hang":  # busy with the invocation for good: it never asks for the next event
        threading.Event().wait()
"""

HANDLER = """
import os, tempfile
def handler(event, context):
    print("function ran", context.aws_request_id)
    return {"ext_first": os.path.exists(os.path.join(tempfile.gettempdir(), "ext-was-first"))}
"""


def _layer(client: Any, name: str) -> str:
    zipped = make_zip({"extensions/probe": EXTENSION}, executable=("extensions/probe",))
    return str(client.publish_layer_version(LayerName=name, Content={"ZipFile": zipped})["LayerVersionArn"])


def _logged(logs: Any, group: str, wanted: list[str], seconds: float = 15) -> str:
    deadline = time.monotonic() + seconds
    text = ""
    while time.monotonic() < deadline:
        try:
            text = "".join(e["message"] for e in logs.filter_log_events(logGroupName=group)["events"])
        except logs.exceptions.ResourceNotFoundException:
            text = ""
        if all(w in text for w in wanted):
            return text
        time.sleep(0.2)
    return text


def test_extension_gets_invoke_shutdown_and_telemetry(aws: Callable[..., Any], name: str) -> None:
    client, logs = aws("lambda"), aws("logs")
    create(client, name, {"index.py": HANDLER}, Layers=[_layer(client, name)], Timeout=5)
    out = client.invoke(FunctionName=name, Payload=b"{}", LogType="Tail")
    assert json.loads(out["Payload"].read()) == {"ext_first": True}  # the extension ran before the runtime
    first = out["ResponseMetadata"]["RequestId"]
    tail = base64.b64decode(out["LogResult"]).decode()
    assert f"ext registered {name}" in tail and "ext subscribed 200" in tail
    second = client.invoke(FunctionName=name, Payload=b"{}")["ResponseMetadata"]["RequestId"]
    client.update_function_configuration(FunctionName=name, Description="retire the environment")  # → SHUTDOWN
    wanted = [
        f"ext INVOKE {first}",
        f"ext INVOKE {second}",
        f"ext telemetry platform.start {first}",
        f"ext telemetry platform.report {first} billedDurationMs,durationMs,initDurationMs,maxMemoryUsedMB,"
        "memorySizeMB,postRuntimeExtensionsDurationMs",
        f"ext telemetry function function ran {second}",
        "ext telemetry platform.initStart",
        f"ext telemetry extension ext registered {name}",  # its own lines: the extension stream
        "ext SHUTDOWN spindown",
    ]
    text = _logged(logs, f"/aws/lambda/{name}", wanted)
    for line in wanted:
        assert line in text, (line, text)
    assert text.index("ext registered") < text.index("START RequestId")
    assert "ext LEAK" not in text  # the function stream has the function's lines only


def test_a_hung_extension_is_killed_and_a_crashed_one_fails_init(aws: Callable[..., Any], name: str) -> None:
    client, logs = aws("lambda"), aws("logs")
    layer = _layer(client, name)
    create(
        client, name, {"index.py": HANDLER}, Layers=[layer], Timeout=2, Environment={"Variables": {"EXT_MODE": "hang"}}
    )
    out = client.invoke(FunctionName=name, Payload=b"{}")
    assert json.loads(out["Payload"].read()) == {"ext_first": True}  # the caller has its answer
    started = time.monotonic()
    out = client.invoke(FunctionName=name, Payload=b"{}", LogType="Tail")  # waits out the hung extension, then anew
    assert json.loads(out["Payload"].read()) == {"ext_first": True} and time.monotonic() - started < 8
    assert "Init Duration" in base64.b64decode(out["LogResult"]).decode()  # a new environment
    text = _logged(logs, f"/aws/lambda/{name}", ["Extension.Timeout"])
    assert "extension(s) probe did not finish within the invocation's timeout\nExtension.Timeout" in text, text
    create(client, name + "-c", {"index.py": HANDLER}, Layers=[layer], Environment={"Variables": {"EXT_MODE": "crash"}})
    out = client.invoke(FunctionName=name + "-c", Payload=b"{}", LogType="Tail")
    doc = json.loads(out["Payload"].read())
    assert out["FunctionError"] == "Unhandled" and doc["errorType"] == "Extension.Crash", doc
    assert "ext crashing before it registers" in base64.b64decode(out["LogResult"]).decode()


def test_exec_wrapper_starts_the_runtime(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    wrapper = '#!/bin/sh\necho "wrapper saw $# arguments"\nexport WRAPPED=yes\nexec "$@"\n'
    code = "import os\ndef handler(event, context):\n    return os.environ.get('WRAPPED')\n"
    create(client, name, {"index.py": code, "wrap.sh": wrapper}, executable=("wrap.sh",),
           Environment={"Variables": {"AWS_LAMBDA_EXEC_WRAPPER": "/var/task/wrap.sh"}})  # fmt: skip
    out = client.invoke(FunctionName=name, Payload=b"{}", LogType="Tail")
    assert json.loads(out["Payload"].read()) == "yes"
    assert "wrapper saw" in base64.b64decode(out["LogResult"]).decode()
