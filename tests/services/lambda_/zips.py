"""Deployment packages built in the tests, and a function factory that waits until the function is Active."""

from __future__ import annotations

import io
import zipfile
from typing import Any

ROLE = "arn:aws:iam::000000000000:role/lambda-role"


def make_zip(files: dict[str, str], executable: tuple[str, ...] = ()) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o755 if name in executable else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
    return buf.getvalue()


def create(
    client: Any,
    name: str,
    files: dict[str, str],
    *,
    runtime: str = "python3.12",
    handler: str = "index.handler",
    wait: bool = True,
    **kw: Any,
) -> dict[str, Any]:
    executable = tuple(kw.pop("executable", ()))
    out = client.create_function(
        FunctionName=name,
        Runtime=runtime,
        Role=ROLE,
        Handler=handler,
        Code={"ZipFile": make_zip(files, executable)},
        **kw,
    )
    if wait:
        client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    return dict(out)
