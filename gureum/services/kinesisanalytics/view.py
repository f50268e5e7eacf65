"""The live view: GET /_gureum/analytics/<application> shows each in-application stream's latest rows in a page
that refreshes itself; ?format=json (or Accept: application/json) answers the same as JSON."""

from __future__ import annotations

import html
import json

from ...aws.http import Request, Response
from ...runtime import Runtime
from .backend import AnalyticsBackend
from .errors import ServiceError

PREFIX = "/_gureum/analytics/"
_REFRESH_SECONDS = 2


async def live_view(runtime: Runtime, request: Request) -> Response:
    name = request.path.removeprefix(PREFIX).strip("/")
    be = runtime.state(AnalyticsBackend)
    app = await be.find_by_name(name)
    if app is None:
        return _json({"error": f"no application named {name}"}, 404)
    try:
        doc = await be.latest(app.account, app.region, app.name)
    except ServiceError as error:
        return _json({"error": error.message}, 404)
    wants_json = "format=json" in request.query_string or "application/json" in request.headers.get("accept", "")
    if wants_json:
        return _json(doc)
    return Response(200, [("Content-Type", "text/html; charset=utf-8")], _page(doc).encode())


def _json(doc: object, status: int = 200) -> Response:
    return Response(status, [("Content-Type", "application/json")], json.dumps(doc, default=str).encode())


def _page(doc: dict[str, object]) -> str:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<meta http-equiv='refresh' content='{_REFRESH_SECONDS}'>",
        f"<title>{html.escape(str(doc['ApplicationName']))}</title>",
        "<style>body{font-family:sans-serif}table{border-collapse:collapse;margin-bottom:1em}"
        "td,th{border:1px solid #ccc;padding:2px 6px;font-size:90%}</style></head><body>",
        f"<h1>{html.escape(str(doc['ApplicationName']))} ({html.escape(str(doc['ApplicationStatus']))})</h1>",
    ]
    streams = doc["Streams"]
    assert isinstance(streams, dict)
    if not streams:
        parts.append("<p>No rows yet.</p>")
    for stream, rows in streams.items():
        parts.append(f"<h2>{html.escape(stream)}</h2><table>")
        columns = list(rows[0]) if rows else []
        parts.append("<tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in columns) + "</tr>")
        for row in rows:
            parts.append("<tr>" + "".join(f"<td>{html.escape(str(row.get(c)))}</td>" for c in columns) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)
