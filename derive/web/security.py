"""What every request goes through: bounded bodies, the cross-site guard, CSRF tokens, the teacher's
token, and the headers that keep every page to its own origin (no CDN, no request elsewhere)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import urllib.parse
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from derive.errors import DeriveError
from derive.markup import UnsafeMarkupError, check_embedded
from derive.sandbox import JobFailed
from derive.web.options import MAX_BODY_BYTES, MAX_FIELD_CHARACTERS

BROWSER_COOKIE = "derive_browser"
TEACHER_COOKIE = "derive_teacher"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
#: Pages may load only what this server serves: its stylesheet and its one script.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


#: Where a worker's answer carries markup that pages embed as it is, and what kind it is.
MARKUP_KEYS = {"mathml": "mathml", "mathml_display": "mathml", "definition_mathml": "mathml", "svg": "svg"}


def embedded_markup(result: Any, kind: str | None = None) -> Any:
    """A worker's answer, once every piece of MathML and SVG in it (under the keys of
    :data:`MARKUP_KEYS`, at any depth) is found to hold only what derive writes: the worker ran a
    student's text, so the server checks what it will put into a page. Else :class:`JobFailed`."""
    if isinstance(result, dict):
        for key, value in result.items():
            embedded_markup(value, MARKUP_KEYS.get(key, kind) if isinstance(key, str) else kind)
    elif isinstance(result, (list, tuple)):
        for value in result:
            embedded_markup(value, kind)
    elif isinstance(result, str) and kind is not None:
        try:
            check_embedded(result, kind)
        except UnsafeMarkupError as error:
            raise JobFailed(f"a worker sent {error}: the page is not shown") from None
    return result


class HTTPProblem(DeriveError):
    """A request answered with an HTTP error status and a one-line message (unusable input: exit 2)."""

    exit_code = 2

    def __init__(self, status: int, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


class SecurityHeaders:
    """ASGI middleware: the same security headers on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    header for header in SECURITY_HEADERS if header[0] not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, or 413 as soon as it is known to be larger than ``limit``."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise HTTPProblem(400, "the Content-Length header is not a number")
        if int(declared) > limit:
            raise HTTPProblem(413, too_large(int(declared), limit))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPProblem(413, too_large(size, limit))
        chunks.append(chunk)
    return b"".join(chunks)


def too_large(size: int, limit: int) -> str:
    return f"the request is too large ({size} bytes; the limit is {limit // 1024} KiB)"


def parse_form(body: bytes) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body (the first value of each field), bounded."""
    try:
        text = body.decode("utf-8")
        pairs = urllib.parse.parse_qsl(text, keep_blank_values=True, strict_parsing=False, max_num_fields=50,
                                       errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise HTTPProblem(400, "the form is not valid UTF-8 form data") from None
    form: dict[str, str] = {}
    for key, value in pairs:
        form.setdefault(key, value)
    return form


def field(values: Any, name: str, default: str = "", *, limit: int = MAX_FIELD_CHARACTERS) -> str:
    """One form or query value, as text of at most ``limit`` characters (else 413)."""
    value = values.get(name, default)
    if not isinstance(value, str):
        raise HTTPProblem(400, f"'{name}' must be text")
    if len(value) > limit:
        raise HTTPProblem(413, f"'{name}' is too long ({len(value)} characters; the limit is {limit})")
    return value


def refuse_cross_site(request: Request) -> None:
    """403 for a state-changing request that a browser sent from another site. A browser says where
    a request comes from in ``Sec-Fetch-Site``; older ones only in ``Origin``."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        if site not in ("same-origin", "none"):
            raise HTTPProblem(403, "refused: this request came from another site")
        return
    origin = request.headers.get("origin")
    if origin is None:
        return  # not sent by a browser from a page (curl, a script): nothing to forge
    expected = f"{request.url.scheme}://{request.headers.get('host', '')}"
    if origin != expected:
        raise HTTPProblem(403, "refused: this request came from another site")


def new_browser_id() -> str:
    return secrets.token_urlsafe(24)


def browser_id(request: Request) -> str | None:
    value = request.cookies.get(BROWSER_COOKIE)
    return value if value and len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum() else None


def csrf_token(secret: str, browser: str) -> str:
    """The token a page of this browser carries in its forms (HMAC of the browser's id)."""
    return hmac.new(secret.encode(), f"csrf:{browser}".encode(), hashlib.sha256).hexdigest()


def require_csrf(request: Request, secret: str, form: dict[str, str] | None = None) -> str:
    """The browser's id, after checking the form's (or header's) CSRF token; 403 otherwise."""
    refuse_cross_site(request)
    browser = browser_id(request)
    sent = request.headers.get(CSRF_HEADER) or (form or {}).get(CSRF_FIELD, "")
    if browser is None or not sent or not hmac.compare_digest(sent, csrf_token(secret, browser)):
        raise HTTPProblem(403, "the form is out of date or was not sent from this site: reload the page and send it again")
    return browser


def teacher_token_matches(request: Request, token: str) -> bool:
    """Whether the request carries the teacher's token (the cookie set by /teacher?token=… or a
    ``Authorization: Bearer`` header)."""
    sent = request.cookies.get(TEACHER_COOKIE, "")
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        sent = authorization[7:].strip()
    return bool(sent) and hmac.compare_digest(sent.encode(), token.encode())
