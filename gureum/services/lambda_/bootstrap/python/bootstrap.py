"""gureum's Python runtime: the Lambda Runtime API loop for ``module.function`` handlers.

Runs on the function's own interpreter (Python 3.9+; no newer syntax here), as AWS's runtime interface
client does: resolve the handler once, then GET next → call → POST response or error, forever.
Errors use AWS's shape (errorMessage, errorType, requestId, stackTrace) and are logged as [ERROR] lines.
"""

import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
PREFIX = "/2018-06-01/runtime"


class RuntimeClient:
    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.conn = http.client.HTTPConnection(host, int(port))

    def call(self, method, path, body=None, headers=None):
        self.conn.request(method, PREFIX + path, body=body, headers=headers or {})
        response = self.conn.getresponse()
        return response.status, response.headers, response.read()


class LambdaContext:
    """The context object, with the attributes AWS documents for Python."""

    def __init__(self, request_id, deadline_ms, function_arn, client_context, identity):
        self.aws_request_id = request_id
        self.invoked_function_arn = function_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.client_context = client_context
        self.identity = identity
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))

    def __repr__(self):
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},function_name={self.function_name},"
            f"function_version={self.function_version}])"
        )


class _RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record):
        record.aws_request_id = self.request_id
        return True


def _error(exc, error_type=None, trace=None):
    stack = traceback.format_list(traceback.extract_tb(trace if trace is not None else exc.__traceback__))
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": "",
        "stackTrace": stack,
    }


def _log_error(doc):
    lines = "".join(doc.get("stackTrace") or [])
    sys.stdout.write(f"[ERROR] {doc['errorType']}: {doc['errorMessage']}\nTraceback (most recent call last):\n{lines}")
    sys.stdout.flush()


def _load_handler(spec):
    """Resolve ``path/module.function``; on failure, a handler that raises AWS's error at every invoke."""
    module_path, _, name = spec.rpartition(".")
    if not module_path:
        return None, {
            "errorMessage": f"Bad handler '{spec}': not enough values to unpack (expected 2, got 1)",
            "errorType": "Runtime.MalformedHandlerName",
            "requestId": "",
            "stackTrace": [],
        }
    module_name = module_path.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        return None, {
            "errorMessage": f"Unable to import module '{module_name}': {exc}",
            "errorType": "Runtime.ImportModuleError",
            "requestId": "",
            "stackTrace": [],
        }
    except SyntaxError as exc:
        return None, {
            "errorMessage": f"Syntax error in module '{module_name}': {exc}",
            "errorType": "Runtime.UserCodeSyntaxError",
            "requestId": "",
            "stackTrace": [],
        }
    except Exception as exc:  # an error in the module's own init code
        return None, _error(exc)
    handler = getattr(module, name, None)
    if handler is None:
        return None, {
            "errorMessage": f"Handler '{name}' missing on module '{module_name}'",
            "errorType": "Runtime.HandlerNotFound",
            "requestId": "",
            "stackTrace": [],
        }
    return handler, None


def main():
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    sys.path.insert(0, task_root)
    request_filter = _RequestIdFilter()
    handler_out = logging.StreamHandler(sys.stdout)
    handler_out.setFormatter(
        logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S"
        )
    )
    handler_out.formatter.converter = time.gmtime
    handler_out.addFilter(request_filter)
    logging.getLogger().addHandler(handler_out)
    client = RuntimeClient(API)
    handler, init_error = _load_handler(os.environ.get("_HANDLER", ""))
    if init_error is not None:
        _log_error(init_error)
    while True:
        status, headers, body = client.call("GET", "/invocation/next")
        if status != 200:
            time.sleep(0.01)
            continue
        request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        request_filter.request_id = request_id
        os.environ["_X_AMZN_TRACE_ID"] = headers.get("Lambda-Runtime-Trace-Id") or ""
        client_context = headers.get("Lambda-Runtime-Client-Context")
        identity = headers.get("Lambda-Runtime-Cognito-Identity")
        context = LambdaContext(
            request_id,
            int(headers.get("Lambda-Runtime-Deadline-Ms") or 0),
            headers.get("Lambda-Runtime-Invoked-Function-Arn"),
            json.loads(client_context) if client_context else None,
            json.loads(identity) if identity else None,
        )
        if handler is None:
            doc = dict(init_error, requestId=request_id)
            client.call(
                "POST",
                f"/invocation/{request_id}/error",
                json.dumps(doc),
                {"Lambda-Runtime-Function-Error-Type": doc["errorType"]},
            )
            continue
        try:
            event = json.loads(body) if body else None
            result = handler(event, context)
            try:
                out = json.dumps(result)
            except (TypeError, ValueError) as exc:
                doc = {
                    "errorMessage": f"Unable to marshal response: {exc}",
                    "errorType": "Runtime.MarshalError",
                    "requestId": request_id,
                    "stackTrace": [],
                }
                _log_error(doc)
                client.call(
                    "POST",
                    f"/invocation/{request_id}/error",
                    json.dumps(doc),
                    {"Lambda-Runtime-Function-Error-Type": doc["errorType"]},
                )
                continue
        except Exception as exc:
            doc = _error(exc)
            doc["requestId"] = request_id
            _log_error(doc)
            sys.stderr.flush()
            client.call(
                "POST",
                f"/invocation/{request_id}/error",
                json.dumps(doc),
                {"Lambda-Runtime-Function-Error-Type": "Unhandled"},
            )
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        client.call("POST", f"/invocation/{request_id}/response", out, {"Content-Type": "application/json"})


if __name__ == "__main__":
    main()
