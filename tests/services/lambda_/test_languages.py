"""Go and Ruby functions end to end. Go: a provided.al2023 ``bootstrap`` built here with the machine's Go toolchain
(Debian's golang, installed with apt when missing) speaking the Runtime API, at MemorySize 128 (Go's runtime reserves
far more address space than that). Ruby: handler(event:, context:) on Debian's ruby, with a vendored gem on the load
path; ruby3.x needs the matching Ruby or the explicit override (GUREUM_LAMBDA_RUNTIME_OVERRIDE), which START names.
.NET without dotnet is refused at create time naming what to install."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gureum.services.lambda_.languages import _ruby_version

from ...conftest import StoreFactory, make_client
from ...expect import expect_error
from ...server import Server
from .machine import ensure
from .zips import ROLE, create, make_zip

GO_MAIN = """package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
)

func main() {
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/"
	count := 0
	for {
		res, err := http.Get(api + "next")
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		id := res.Header.Get("Lambda-Runtime-Aws-Request-Id")
		var event map[string]interface{}
		json.Unmarshal(body, &event)
		count++
		if event["fail"] == true {
			doc, _ := json.Marshal(map[string]string{"errorType": "GoError", "errorMessage": "asked to fail"})
			http.Post(api+id+"/error", "application/json", bytes.NewReader(doc))
			continue
		}
		fmt.Printf("go handled %s\\n", id)
		out, _ := json.Marshal(map[string]interface{}{"name": event["name"], "count": count, "lang": "go",
			"fn": os.Getenv("AWS_LAMBDA_FUNCTION_NAME")})
		r, err := http.Post(api+id+"/response", "application/json", bytes.NewReader(out))
		if err == nil {
			r.Body.Close()
		}
	}
}
"""

RUBY_HANDLER = """
require 'greeter'

module Shop
  class Orders
    def self.handle(event:, context:)
      raise ArgumentError, 'no name' if event['name'].nil?
      puts "ruby got #{event['name']}"
      { 'greeting' => Greeter.greet(event['name']), 'id' => context.aws_request_id,
        'left' => context.get_remaining_time_in_millis, 'version' => RUBY_VERSION }
    end
  end
end

def plain(event:, context:)
  context.function_name
end
"""

GEM = 'module Greeter\n  def self.greet(name) = "hello #{name} from a vendored gem"\nend\n'


def _go() -> bool:
    return shutil.which("go") is not None


def test_go_bootstrap_built_here(aws: Callable[..., Any], name: str, tmp_path: Path) -> None:
    if not ensure(_go, ["golang-go"]):
        pytest.skip("no Go toolchain here and apt could not install golang-go")
    (tmp_path / "main.go").write_text(GO_MAIN)
    (tmp_path / "go.mod").write_text("module bootstrap\n\ngo 1.19\n")
    # the user's build cache (the standard library compiles once per machine), no module downloads
    env = {**os.environ, "CGO_ENABLED": "0", "GOOS": "linux", "GOFLAGS": "-mod=mod", "GOPATH": str(tmp_path / "gopath"),
           "GOPROXY": "off"}  # fmt: skip
    subprocess.run(["go", "build", "-o", "bootstrap", "."], cwd=tmp_path, env=env, check=True, timeout=300)
    client = aws("lambda")
    client.create_function(
        FunctionName=name, Runtime="provided.al2023", Role=ROLE, Handler="bootstrap", MemorySize=128,
        Code={"ZipFile": _zip_binary(tmp_path / "bootstrap")},
    )  # fmt: skip
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    for count in (1, 2):
        out = client.invoke(FunctionName=name, Payload=json.dumps({"name": "gopher"}), LogType="Tail")
        doc = json.loads(out["Payload"].read())
        assert doc == {"name": "gopher", "count": count, "lang": "go", "fn": name}, doc
        log = base64.b64decode(out["LogResult"]).decode()
        assert f"go handled {out['ResponseMetadata']['RequestId']}" in log
        assert ("Init Duration" in log) == (count == 1)  # cold, then warm in the same process
    out = client.invoke(FunctionName=name, Payload=json.dumps({"fail": True}))
    assert out["FunctionError"] == "Unhandled"
    assert json.loads(out["Payload"].read()) == {"errorType": "GoError", "errorMessage": "asked to fail"}


def _zip_binary(path: Path) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o755 << 16
        archive.writestr(info, path.read_bytes())
    return buf.getvalue()


def _ruby() -> bool:
    return shutil.which("ruby") is not None


@pytest.fixture
def ruby_server(store: StoreFactory) -> Iterator[Server]:
    if not ensure(_ruby, ["ruby"]):
        pytest.skip("no ruby here and apt could not install it")
    installed = _ruby_version(shutil.which("ruby") or "ruby")
    srv = Server(**store(), env={"GUREUM_LAMBDA_RUNTIME_OVERRIDE": f"ruby3.3={installed}"}).start()
    yield srv
    srv.stop()


def test_ruby_handler_with_override(ruby_server: Server, name: str) -> None:
    client = make_client(ruby_server.endpoint, "lambda")
    installed = _ruby_version(shutil.which("ruby") or "ruby")
    files = {"app.rb": RUBY_HANDLER, "vendor/bundle/ruby/3.3.0/gems/greeter-1.0/lib/greeter.rb": GEM}
    create(client, name, files, runtime="ruby3.3", handler="app.Shop::Orders.handle", Timeout=5)
    out = client.invoke(FunctionName=name, Payload=json.dumps({"name": "Ana"}), LogType="Tail")
    doc = json.loads(out["Payload"].read())
    rid = out["ResponseMetadata"]["RequestId"]
    assert doc["greeting"] == "hello Ana from a vendored gem" and doc["id"] == rid, doc
    assert 0 < doc["left"] <= 5000 and doc["version"].startswith(f"{installed}.")
    log = base64.b64decode(out["LogResult"]).decode()
    assert "ruby got Ana" in log
    start = next(line for line in log.splitlines() if line.startswith("START "))
    assert f"Runtime Override: ruby3.3 served on version {installed}" in start, start
    out = client.invoke(FunctionName=name, Payload=json.dumps({}))
    doc = json.loads(out["Payload"].read())
    assert out["FunctionError"] == "Unhandled" and doc["errorType"] == "Function<ArgumentError>"
    assert doc["errorMessage"] == "no name" and doc["stackTrace"], doc
    create(client, name + "-p", {"app.rb": RUBY_HANDLER.replace("require 'greeter'", "")}, runtime="ruby3.3",
           handler="app.plain")  # fmt: skip
    assert json.loads(client.invoke(FunctionName=name + "-p", Payload=b"{}")["Payload"].read()) == name + "-p"


def test_runtimes_the_machine_lacks_are_refused(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    code = {"ZipFile": make_zip({"app.rb": "def h(event:, context:) = 1\n"})}
    installed = _ruby_version(shutil.which("ruby")) if shutil.which("ruby") else None
    if installed != "3.4":  # no override on this server: ruby3.4 needs Ruby 3.4
        error = expect_error(client.create_function, "InvalidParameterValueException", FunctionName=name,
                             Runtime="ruby3.4", Role=ROLE, Handler="app.h", Code=code)  # fmt: skip
        assert "ruby3.4 needs Ruby 3.4" in error["Message"] and "GUREUM_LAMBDA_RUNTIME_OVERRIDE" in error["Message"]
    if shutil.which("dotnet") is None:
        error = expect_error(client.create_function, "InvalidParameterValueException", FunctionName=name,
                             Runtime="dotnet8", Role=ROLE, Handler="A::B::C", Code=code)  # fmt: skip
        assert "dotnet8 needs the .NET 8 runtime" in error["Message"] and "dotnet-runtime-8.0" in error["Message"]
