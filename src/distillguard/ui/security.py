"""Who may see and who may label: tokens, sessions, CSRF, and the headers on every response.

The model (see ``docs/ui.md``):

- Every page needs a token. ``--token`` reads; ``--label-token`` reads and labels. A
  client presents one as ``Authorization: Bearer T``, or once as ``?token=T`` (or through
  the login form), which opens a server-side session held in an ``HttpOnly``,
  ``SameSite=Strict`` cookie and redirects to the same address without the token (so it
  stays out of the history, bookmarks and ``Referer`` headers).
- Forms that change something (a label) carry the session's CSRF token, and a request
  whose ``Origin`` names another site is refused. Requests with a bearer token carry no
  ambient credential, so they need no CSRF token.
- Every response declares a Content-Security-Policy that runs only the app's own script
  files (no inline script, no ``eval``), loads nothing from another origin, and forbids
  framing; so attacker text that escaped escaping would still run nothing.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from starlette.requests import Request

READ = "read"
LABEL = "label"
SESSION_COOKIE = "distillguard_session"
#: Open sessions kept at most (the oldest go first): a bound on memory, not a limit on users.
MAX_SESSIONS = 10_000

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    # Plotly's own style rules are served as a file (see static.py), so no inline styles.
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
])

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Not "no-referrer": with it, browsers send "Origin: null" on form posts, which the
    # origin check would have to accept; "same-origin" still tells other sites nothing.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


@dataclass(frozen=True)
class Principal:
    """The caller of one request: what it may do, and how it proved it."""

    role: str
    via: str  # "bearer" or "session"
    csrf: str | None = None
    analyst: str = ""

    @property
    def can_label(self) -> bool:
        return self.role == LABEL


@dataclass
class _Session:
    role: str
    csrf: str
    analyst: str
    expires: float


class Access:
    """Tokens and sessions of one running UI (sessions live in memory: a restart logs out)."""

    def __init__(self, read_token: str, label_token: str | None, session_seconds: float) -> None:
        if not read_token:
            raise ValueError("a read token is required")
        if label_token is not None and hmac.compare_digest(read_token, label_token):
            raise ValueError("the label token must differ from the read token")
        self._tokens = [(read_token, READ)] + ([(label_token, LABEL)] if label_token else [])
        self._session_seconds = session_seconds
        self._sessions: dict[str, _Session] = {}
        self._lock = threading.Lock()

    @property
    def labelling_enabled(self) -> bool:
        return any(role == LABEL for _, role in self._tokens)

    def role_of_token(self, token: str | None) -> str | None:
        """The role a token grants, compared in constant time; ``None`` if it grants none."""
        if not token:
            return None
        role = None
        for known, known_role in self._tokens:
            if hmac.compare_digest(token.encode("utf-8"), known.encode("utf-8")):
                role = known_role
        return role

    def open_session(self, role: str, analyst: str = "") -> str:
        """A new session id for ``role`` (kept in the cookie)."""
        now = time.monotonic()
        session_id = secrets.token_urlsafe(32)
        with self._lock:
            expired = [sid for sid, s in self._sessions.items() if s.expires <= now]
            for sid in expired:
                del self._sessions[sid]
            while len(self._sessions) >= MAX_SESSIONS:
                del self._sessions[next(iter(self._sessions))]
            self._sessions[session_id] = _Session(
                role, secrets.token_urlsafe(32), analyst, now + self._session_seconds
            )
        return session_id

    def close_session(self, session_id: str | None) -> None:
        if session_id:
            with self._lock:
                self._sessions.pop(session_id, None)

    def principal(self, request: Request) -> Principal | None:
        """Who sent ``request``: a bearer token first, else the session cookie."""
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer":
            role = self.role_of_token(token.strip())
            return Principal(role=role, via="bearer") if role else None
        session_id = request.cookies.get(SESSION_COOKIE)
        if not session_id:
            return None
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None or session.expires <= time.monotonic():
                self._sessions.pop(session_id, None)
                return None
            return Principal(role=session.role, via="session", csrf=session.csrf,
                             analyst=session.analyst)

    @property
    def session_seconds(self) -> float:
        return self._session_seconds


def csrf_ok(principal: Principal, submitted: str | None) -> bool:
    """A state-changing request is genuine: bearer callers, or the session's CSRF token."""
    if principal.via == "bearer":
        return True
    if principal.csrf is None or not submitted:
        return False
    return hmac.compare_digest(principal.csrf.encode("utf-8"), submitted.encode("utf-8"))


def same_origin(request: Request) -> bool:
    """False when the request says it comes from another site (``Origin`` header).

    Browsers send ``Origin`` on form posts; its absence (an API client) is not an
    attack signal, a foreign value is.
    """
    origin = request.headers.get("origin")
    if origin is None or (origin == "null" and request.headers.get("authorization")):
        return True
    host = request.headers.get("host", "")
    return origin in (f"http://{host}", f"https://{host}")


def new_token() -> str:
    """A fresh random token (256 bits) for ``--token`` when none is given."""
    return secrets.token_urlsafe(32)
