"""Java functions end to end on the machine's JDK (java17 on Debian's openjdk-17): a RequestHandler with POJO input and
output, a RequestStreamHandler, plain POJO methods (static and instance, with and without Context), the Context and its
LambdaLogger, errors, JAVA_TOOL_OPTIONS, and the refusal of a java runtime whose JDK is missing. The user's jar carries
aws-lambda-java-core's interfaces as on AWS; Maven Central is out of reach here, so the test compiles a stand-in of
those interfaces under the same package names."""

from __future__ import annotations

import base64
import io
import json
import re
import subprocess
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from gureum.services.lambda_.languages import java_home

from ...expect import expect_error
from .machine import ensure
from .zips import ROLE


def _jdk17() -> bool:
    java_home.cache_clear()
    return java_home("17") is not None


@pytest.fixture(scope="module", autouse=True)
def jdk() -> None:
    if not ensure(_jdk17, ["openjdk-17-jdk-headless"]):
        pytest.skip("no JDK 17 here and apt could not install one (openjdk-17-jdk-headless)")


CORE = {
    "Context.java": """package com.amazonaws.services.lambda.runtime;
public interface Context {
    String getAwsRequestId(); String getLogGroupName(); String getLogStreamName(); String getFunctionName();
    String getFunctionVersion(); String getInvokedFunctionArn(); int getRemainingTimeInMillis();
    int getMemoryLimitInMB(); LambdaLogger getLogger();
}""",
    "LambdaLogger.java": """package com.amazonaws.services.lambda.runtime;
public interface LambdaLogger { void log(String message); void log(byte[] message); }""",
    "RequestHandler.java": """package com.amazonaws.services.lambda.runtime;
public interface RequestHandler<I, O> { O handleRequest(I input, Context context); }""",
    "RequestStreamHandler.java": """package com.amazonaws.services.lambda.runtime;
import java.io.*;
public interface RequestStreamHandler {
    void handleRequest(InputStream input, OutputStream output, Context context) throws IOException;
}""",
}

HANDLERS = {
    "Order.java": """package example;
import java.util.List;
public class Order {
    private String customer; private int quantity; public List<String> items; private boolean rush;
    public String getCustomer() { return customer; } public void setCustomer(String c) { customer = c; }
    public int getQuantity() { return quantity; } public void setQuantity(int q) { quantity = q; }
    public boolean isRush() { return rush; } public void setRush(boolean r) { rush = r; }
}""",
    "Receipt.java": """package example;
public class Receipt {
    public String message; public int total; public String requestId; public String function; public boolean ok = true;
    public int remaining; public String toolOptions;
}""",
    "Hello.java": """package example;
import com.amazonaws.services.lambda.runtime.*;
public class Hello implements RequestHandler<Order, Receipt> {
    private static int calls = 0;
    public Receipt handleRequest(Order order, Context context) {
        calls++;
        if (order.getQuantity() < 0) throw new IllegalArgumentException("negative quantity " + order.getQuantity());
        context.getLogger().log("order from " + order.getCustomer());
        Receipt r = new Receipt();
        r.message = "hello " + order.getCustomer() + " x" + order.items.size() + (order.isRush() ? " rush" : "");
        r.total = order.getQuantity() * 3 + calls * 1000;
        r.requestId = context.getAwsRequestId();
        r.function = context.getFunctionName() + "/" + context.getMemoryLimitInMB();
        r.remaining = context.getRemainingTimeInMillis();
        r.toolOptions = System.getProperty("gureum.test");
        return r;
    }
}""",
    "Streamer.java": """package example;
import com.amazonaws.services.lambda.runtime.*;
import java.io.*;
public class Streamer implements RequestStreamHandler {
    public void handleRequest(InputStream in, OutputStream out, Context context) throws IOException {
        String text = new String(in.readAllBytes(), "UTF-8");
        out.write(("{\\"upper\\": " + text.toUpperCase() + ", \\"id\\": \\"" + context.getAwsRequestId() + "\\"}")
            .getBytes("UTF-8"));
    }
}""",
    "Plain.java": """package example;
import com.amazonaws.services.lambda.runtime.Context;
import java.util.*;
public class Plain {
    public static String shout(String text) { return text.toUpperCase() + "!"; }
    // SQS from inside, over raw HTTP (the AWS SDK for Java is not reachable here): SendMessage in AWS's JSON protocol
    public static int send(Map<String, String> event) throws Exception {
        java.net.HttpURLConnection conn = (java.net.HttpURLConnection)
            new java.net.URL(System.getenv("AWS_ENDPOINT_URL") + "/").openConnection();
        conn.setRequestMethod("POST");
        conn.setDoOutput(true);
        conn.setRequestProperty("Content-Type", "application/x-amz-json-1.0");
        conn.setRequestProperty("X-Amz-Target", "AmazonSQS.SendMessage");
        String body = "{\\"QueueUrl\\": \\"" + event.get("url") + "\\", \\"MessageBody\\": \\"from java\\"}";
        conn.getOutputStream().write(body.getBytes("UTF-8"));
        conn.getInputStream().readAllBytes();
        return conn.getResponseCode();
    }
    public Map<String, Object> describe(Map<String, Object> event, Context context) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("keys", new ArrayList<>(event.keySet()));
        out.put("n", ((Number) event.get("n")).intValue() + 1);
        out.put("arn", context.getInvokedFunctionArn());
        return out;
    }
}""",
}


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The function's zip as a Java build makes it: its classes at the root, aws-lambda-java-core in lib/."""
    home = java_home("17")
    assert home is not None
    root = tmp_path_factory.mktemp("java")
    sources = root / "src"
    for folder, files in (("com/amazonaws/services/lambda/runtime", CORE), ("example", HANDLERS)):
        (sources / folder).mkdir(parents=True)
        for file, text in files.items():
            (sources / folder / file).write_text(text)
    core, classes = root / "core", root / "classes"
    javac = str(home / "bin" / "javac")
    subprocess.run([javac, "-d", str(core), *map(str, (sources / "com").rglob("*.java"))], check=True)
    subprocess.run([javac, "-cp", str(core), "-d", str(classes), *map(str, (sources / "example").glob("*.java"))],
                   check=True)  # fmt: skip
    jar = io.BytesIO()
    with zipfile.ZipFile(jar, "w") as archive:
        for path in core.rglob("*.class"):
            archive.write(path, str(path.relative_to(core)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for path in classes.rglob("*.class"):
            archive.write(path, str(path.relative_to(classes)))
        archive.writestr("lib/aws-lambda-java-core.jar", jar.getvalue())
    return buf.getvalue()


def _java(client: Any, name: str, package: bytes, handler: str, **kw: Any) -> None:
    client.create_function(FunctionName=name, Runtime="java17", Role=ROLE, Handler=handler, Code={"ZipFile": package},
                           MemorySize=kw.pop("MemorySize", 256), Timeout=15, **kw)  # fmt: skip
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 150})


def _invoke(client: Any, name: str, event: Any) -> tuple[dict[str, Any], Any, str]:
    out = client.invoke(FunctionName=name, Payload=json.dumps(event), LogType="Tail")
    return out, json.loads(out["Payload"].read()), base64.b64decode(out["LogResult"]).decode()


def test_request_handler_with_pojos(aws: Callable[..., Any], name: str, package: bytes) -> None:
    client = aws("lambda")
    _java(client, name, package, "example.Hello::handleRequest",
          Environment={"Variables": {"JAVA_TOOL_OPTIONS": "-Dgureum.test=from-tool-options"}})  # fmt: skip
    order = {"customer": "Ana", "quantity": 4, "items": ["a", "b"], "rush": True, "unknown": 1}
    out, doc, log = _invoke(client, name, order)
    rid = out["ResponseMetadata"]["RequestId"]
    assert doc["message"] == "hello Ana x2 rush" and doc["total"] == 1012 and doc["ok"] is True, doc
    assert doc["requestId"] == rid and doc["function"] == f"{name}/256" and 0 < doc["remaining"] <= 15000
    assert doc["toolOptions"] == "from-tool-options"
    assert "order from Ana" in log and "Picked up JAVA_TOOL_OPTIONS" in log
    init = float(re.search(r"Init Duration: ([\d.]+) ms", log).group(1))  # type: ignore[union-attr]
    assert 0 < init < 10_000, log  # cold start, measured
    _out, doc, log = _invoke(client, name, {"customer": "Bo", "quantity": 1, "items": []})
    assert doc["total"] == 2003 and "Init Duration" not in log  # warm: the same JVM
    out, doc, _log = _invoke(client, name, {"customer": "Cy", "quantity": -1, "items": []})
    assert out["FunctionError"] == "Unhandled"
    assert doc["errorType"] == "java.lang.IllegalArgumentException" and doc["errorMessage"] == "negative quantity -1"
    assert any("example.Hello.handleRequest" in frame for frame in doc["stackTrace"])


def test_stream_handler_and_pojo_methods(aws: Callable[..., Any], name: str, package: bytes) -> None:
    client = aws("lambda")
    _java(client, name, package, "example.Streamer")
    out, doc, _log = _invoke(client, name, "quiet")
    assert doc == {"upper": "QUIET", "id": out["ResponseMetadata"]["RequestId"]}
    _java(client, name + "-s", package, "example.Plain::shout", MemorySize=128)
    assert _invoke(client, name + "-s", "hey")[1] == "HEY!"
    _java(client, name + "-d", package, "example.Plain::describe")
    _out, doc, _log = _invoke(client, name + "-d", {"n": 41, "x": None})
    assert doc == {"keys": ["n", "x"], "n": 42, "arn": f"arn:aws:lambda:us-east-1:000000000000:function:{name}-d"}
    queue = aws("sqs").create_queue(QueueName=name)["QueueUrl"]
    _java(client, name + "-q", package, "example.Plain::send")
    assert _invoke(client, name + "-q", {"url": queue})[1] == 200
    got = aws("sqs").receive_message(QueueUrl=queue, WaitTimeSeconds=5)["Messages"]
    assert [m["Body"] for m in got] == ["from java"]
    _java(client, name + "-m", package, "example.Missing::handleRequest")
    out, doc, _log = _invoke(client, name + "-m", {})
    assert out["FunctionError"] == "Unhandled"
    assert doc["errorType"] == "Runtime.HandlerNotFound" and "example.Missing" in doc["errorMessage"], doc


def test_java_without_its_jdk_is_refused(aws: Callable[..., Any], name: str, package: bytes) -> None:
    if java_home("11") is not None:
        pytest.skip("this machine has a JDK 11")
    error = expect_error(aws("lambda").create_function, "InvalidParameterValueException", FunctionName=name,
                         Runtime="java11", Role=ROLE, Handler="example.Hello", Code={"ZipFile": package})  # fmt: skip
    assert "java11 needs a JDK 11" in error["Message"] and "openjdk-11-jdk-headless" in error["Message"], error
