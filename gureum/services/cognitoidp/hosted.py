"""A user pool's domain on gureum's port: the OAuth 2.0 endpoints and a minimal managed login page.

Served at ``http://<domain>.auth.<region>.localhost:<port>/…`` (the pool's prefix domain, as Cognito serves
``https://<domain>.auth.<region>.amazoncognito.com/…``) and at ``http://<host>/<pool-id>/…`` (no DNS needed; the
pool's openid-configuration names these): /oauth2/authorize, /login (GET: the sign-in form; POST: its answer, and
the new-password or MFA step that may follow), /oauth2/token, /oauth2/userInfo, /oauth2/revoke and /logout.
HTTP only here: forms, redirects, cookies, JSON and HTML; the behaviour is oauth.py's.
"""

from __future__ import annotations

import html
import json
import urllib.parse
from typing import Any

from ...aws.errors import ServiceError
from ...aws.http import Request, Response
from ...runtime import Runtime
from .. import EdgeRoute
from . import tokens
from .backend import CognitoBackend
from .oauth import LOGIN_SECONDS, Authorization, OAuthError

COOKIE = "cognito"
_PAGES = frozenset({"oauth2", "login", "logout", "error"})
_OAUTH_FIELDS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "scope",
    "nonce",
    "code_challenge",
    "code_challenge_method",
)
_CHALLENGE_FIELDS = {  # a challenge the login page answers → (form field, RespondToAuthChallenge response, label)
    "NEW_PASSWORD_REQUIRED": ("new_password", "NEW_PASSWORD", "New password"),
    "SOFTWARE_TOKEN_MFA": ("code", "SOFTWARE_TOKEN_MFA_CODE", "Code from your authenticator app"),
    "SMS_MFA": ("code", "SMS_MFA_CODE", "Code sent to your phone"),
}


def _json(status: int, doc: object, headers: list[tuple[str, str]] | None = None) -> Response:
    head = [("Content-Type", "application/json;charset=UTF-8"), ("Cache-Control", "no-store"), *(headers or [])]
    return Response(status, head, json.dumps(doc).encode())


def _redirect(location: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(302, [("Location", location), *(headers or [])], b"")


def _page(status: int, title: str, body: str, headers: list[tuple[str, str]] | None = None) -> Response:
    text = (
        "<!doctype html><html><head><meta charset='utf-8'><title>"
        + html.escape(title)
        + "</title><style>body{font-family:sans-serif;max-width:24em;margin:4em auto}input{display:block;"
        "width:100%;margin:.3em 0 1em}.error{color:#b00}</style></head><body><h1>"
        + html.escape(title)
        + "</h1>"
        + body
        + "</body></html>"
    )
    return Response(status, [("Content-Type", "text/html;charset=UTF-8"), *(headers or [])], text.encode())


def _error_page(message: str) -> Response:
    body = f"<p class='error'>{html.escape(message)}</p>"
    return _page(400, "An error was encountered with the requested page.", body)


def _with(uri: str, params: dict[str, str | None], fragment: bool = False) -> str:
    """``uri`` with ``params`` (None values left out) in its query, or in its fragment (an implicit grant)."""
    query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
    if fragment:
        return f"{uri}#{query}"
    return f"{uri}{'&' if '?' in uri else '?'}{query}"


def _form(request: Request) -> dict[str, str] | None:
    """A urlencoded body's fields (the first of each); None when it is not one."""
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    try:
        pairs = urllib.parse.parse_qsl(text, keep_blank_values=True, max_num_fields=200)
    except ValueError:
        return None
    fields: dict[str, str] = {}
    for key, value in pairs:
        fields.setdefault(key, value)
    return fields


def _cookie(request: Request, name: str) -> str | None:
    for part in request.headers.get("cookie", "").split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name:
            return value
    return None


async def serve_domain(runtime: Runtime, request: Request) -> Response:
    """``<domain>.auth.<region>.localhost``: the pool whose prefix domain the host's first label is."""
    domain = request.host.split(":")[0].split(".", 1)[0].lower()
    pool_id = await runtime.state(CognitoBackend).pool_of_domain(domain)
    if pool_id is None:
        return _json(404, {"error": "not_found", "error_description": f"No user pool has the domain {domain}."})
    return await _serve(runtime, request, pool_id, "", request.path.strip("/"))


async def serve_pool(runtime: Runtime, request: Request) -> Response:
    pool_id, page = request.path.strip("/").split("/", 1)  # accepted only with a page below the pool id
    if not await runtime.state(CognitoBackend).pool_exists(pool_id):
        return _json(404, {"error": "not_found", "error_description": f"User pool {pool_id} does not exist."})
    return await _serve(runtime, request, pool_id, "/" + pool_id, page)


async def _serve(runtime: Runtime, request: Request, pool_id: str, base: str, page: str) -> Response:
    be = runtime.state(CognitoBackend)
    if page == "oauth2/authorize" and request.method in ("GET", "HEAD"):
        return await _authorize(be, request, pool_id, base)
    if page == "login" and request.method in ("GET", "HEAD"):
        return await _login_form(be, request.query, pool_id)
    if page == "login" and request.method == "POST":
        return await _login(be, request, pool_id)
    if page == "logout" and request.method in ("GET", "HEAD"):
        return await _logout(be, request, pool_id, base)
    if page in ("oauth2/token", "oauth2/revoke") and request.method == "POST":
        form = _form(request) if request.content_type == "application/x-www-form-urlencoded" else None
        if form is None:
            return _json(400, {"error": "invalid_request"})
        try:
            if page == "oauth2/token":
                return _json(200, await be.token(pool_id, form, request.headers.get("authorization")))
            await be.revoke(pool_id, form, request.headers.get("authorization"))
            return Response(200, [], b"")
        except OAuthError as error:
            return _json(error.status, _error_doc(error))
    if page == "oauth2/userInfo" and request.method in ("GET", "POST"):
        auth = request.headers.get("authorization", "")
        if auth[:7].lower() != "bearer ":
            return _json(401, {"error": "invalid_token"}, [("WWW-Authenticate", 'Bearer error="invalid_token"')])
        try:
            return _json(200, await be.user_info(pool_id, auth[7:].strip()))
        except OAuthError as error:
            challenge = f'Bearer error="{error.error}", error_description="{error.description}"'
            return _json(error.status, _error_doc(error), [("WWW-Authenticate", challenge)])
    if page == "error":
        return _error_page(request.query.get("error", "An error occurred."))
    return _json(404, {"error": "not_found", "error_description": f"{request.method} /{page} is not an endpoint."})


def _error_doc(error: OAuthError) -> dict[str, str]:
    doc = {"error": error.error}
    if error.description and error.description != error.error:
        doc["error_description"] = error.description
    return doc


async def _checked(be: CognitoBackend, pool_id: str, query: dict[str, str]) -> Authorization | Response:
    """The authorize request, or the response its fault gets (back to the client, or an error page)."""
    try:
        return await be.authorization(pool_id, query)
    except OAuthError as error:
        if not error.redirectable:
            return _error_page(error.description or error.error)
        return _redirect(_with(query["redirect_uri"], {"error": error.error, "state": query.get("state")}))


async def _authorize(be: CognitoBackend, request: Request, pool_id: str, base: str) -> Response:
    query = {k: v for k, v in request.query.items() if isinstance(v, str)}
    auth = await _checked(be, pool_id, query)
    if isinstance(auth, Response):
        return auth
    session = await be.login_session(pool_id, _cookie(request, COOKIE))
    if session is not None:  # signed in on this domain already: no form
        return await _grant(be, auth, str(session["user"]), float(session["auth_time"]), None)
    return _redirect(_with(f"{base}/login", {k: query[k] for k in _OAUTH_FIELDS if k in query}))


async def _grant(be: CognitoBackend, auth: Authorization, user: str, auth_time: float, login: str | None) -> Response:
    params: dict[str, str | None] = {**await be.grant(auth, user, auth_time), "state": auth.state}
    headers = []
    if login is not None:
        headers.append(("Set-Cookie", f"{COOKIE}={login}; Path=/; Max-Age={LOGIN_SECONDS}; HttpOnly; SameSite=Lax"))
    return _redirect(_with(auth.redirect_uri, params, fragment=auth.response_type == "token"), headers)


def _hidden(fields: dict[str, str]) -> str:
    return "".join(f"<input type='hidden' name='{html.escape(k)}' value='{html.escape(v)}'>" for k, v in fields.items())


async def _login_form(
    be: CognitoBackend, query: dict[str, Any], pool_id: str, message: str | None = None, status: int = 200
) -> Response:
    oauth = {k: str(query[k]) for k in _OAUTH_FIELDS if isinstance(query.get(k), str)}
    auth = await _checked(be, pool_id, oauth)
    if isinstance(auth, Response):
        return auth
    body = (
        (f"<p class='error'>{html.escape(message)}</p>" if message else "")
        + "<form method='post' action='login'>"
        + _hidden(oauth)
        + "<label>Username<input name='username' autocomplete='username'></label>"
        + "<label>Password<input name='password' type='password' autocomplete='current-password'></label>"
        + "<button type='submit'>Sign in</button></form>"
    )
    return _page(status, "Sign in", body)


def _challenge_form(oauth: dict[str, str], username: str, name: str, session: str) -> Response:
    field, _, label = _CHALLENGE_FIELDS[name]
    kind = "password" if field == "new_password" else "text"
    body = (
        "<form method='post' action='login'>"
        + _hidden({**oauth, "username": username, "challenge": name, "session": session})
        + f"<label>{html.escape(label)}<input name='{field}' type='{kind}'></label>"
        + "<button type='submit'>Continue</button></form>"
    )
    return _page(200, "Sign in", body)


async def _login(be: CognitoBackend, request: Request, pool_id: str) -> Response:
    form = _form(request)
    if form is None:
        return _error_page("The sign-in form must be sent as application/x-www-form-urlencoded.")
    oauth = {k: form[k] for k in _OAUTH_FIELDS if k in form}
    auth = await _checked(be, pool_id, oauth)
    if isinstance(auth, Response):
        return auth
    username = form.get("username", "")
    challenge = form.get("challenge")
    try:
        if challenge in _CHALLENGE_FIELDS:
            field, response, _ = _CHALLENGE_FIELDS[challenge]
            result = await be.respond_to_auth_challenge(
                auth.client_id,
                challenge,
                {"USERNAME": username, response: form.get(field, "")},
                form.get("session"),
                None,
            )
        else:
            result = await be.sign_in_hosted(pool_id, auth.client_id, username, form.get("password", ""))
    except ServiceError as error:
        return await _login_form(be, oauth, pool_id, error.message)
    if "AuthenticationResult" not in result:
        name = str(result.get("ChallengeName"))
        if name not in _CHALLENGE_FIELDS:
            return _error_page(
                f"This sign-in needs the {name} step, which gureum's managed login page does not do: "
                "sign in through InitiateAuth / RespondToAuthChallenge instead."
            )
        return _challenge_form(oauth, username, name, str(result["Session"]))
    login, user, auth_time = await be.signed_in(auth, result["AuthenticationResult"])
    return await _grant(be, auth, user, auth_time, login)


async def _logout(be: CognitoBackend, request: Request, pool_id: str, base: str) -> Response:
    query = {k: v for k, v in request.query.items() if isinstance(v, str)}
    client = await be.oauth_client(pool_id, query.get("client_id", ""))
    if client is None:
        return _error_page("Client does not exist.")
    expired = [("Set-Cookie", f"{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax")]
    if "logout_uri" in query:
        if query["logout_uri"] not in (client.get("LogoutURLs") or []):
            return _error_page("Invalid logout_uri: it is not one of the app client's sign-out URLs.")
        await be.end_login(_cookie(request, COOKIE))
        return _redirect(query["logout_uri"], expired)
    auth = await _checked(be, pool_id, query)  # the other form: sign out, then sign in again
    if isinstance(auth, Response):
        return auth
    await be.end_login(_cookie(request, COOKIE))
    return _redirect(_with(f"{base}/login", {k: query[k] for k in _OAUTH_FIELDS if k in query}), expired)


def _pool_page(request: Request) -> bool:
    """/<pool-id>/<oauth2|login|logout|error>…: a pool id's first segment is a region and an underscore."""
    parts = request.path.strip("/").split("/", 2)
    return len(parts) >= 2 and parts[1] in _PAGES and tokens.pool_of_issuer("/" + parts[0]) is not None


_METHODS = frozenset({"GET", "HEAD", "POST"})
ROUTES = [
    EdgeRoute(serve_domain, host=".auth.", methods=_METHODS),
    EdgeRoute(serve_pool, path="/{pool}", methods=_METHODS, accepts=_pool_page),
]
