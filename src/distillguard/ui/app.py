"""The investigation web UI: a FastAPI app of server-rendered pages over one scan.

Pages: campaigns ranked by risk (``/``), one campaign (``/campaign?id=``), one account
(``/account?id=``), flagged accounts (``/accounts``), search (``/search?q=``) and the
label history (``/labels``). Labels are posted to ``/labels``. The security model is in
:mod:`distillguard.ui.security` and ``docs/ui.md``.

>>> from distillguard.ui.app import UISettings, create_app
>>> app = create_app(UISettings(workspace=Path("scan/workspace.duckdb"),
...                             scan_dir=Path("scan"), read_token="t"))  # doctest: +SKIP
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import pyarrow.compute as pc
from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader
from starlette.exceptions import HTTPException as StarletteHTTPException

from distillguard.config import Config, default_config
from distillguard.errors import ConfigError, InputFileError, WorkspaceError
from distillguard.privacy import PERSONAL_KINDS
from distillguard.store.labels import account_labels, label_history
from distillguard.ui import data, views
from distillguard.ui.charts import traffic_figure
from distillguard.ui.graph import linkage_graph
from distillguard.ui.security import (
    SECURITY_HEADERS,
    SESSION_COOKIE,
    Access,
    Principal,
    csrf_ok,
    same_origin,
)
from distillguard.ui.static import STATIC_DIR, plotly_css, plotly_js_path

SEARCH_RESULTS = 100
MAX_QUERY_CHARS = 300
STATIC_FILES = {"ui.css": "text/css", "ui.js": "text/javascript"}


@dataclass(frozen=True)
class UISettings:
    """What ``distillguard ui`` was started with."""

    workspace: Path
    scan_dir: Path
    read_token: str
    label_token: str | None = None
    show_pii: bool = False
    config: Config = field(default_factory=default_config)


class NotAuthenticated(Exception):
    """No valid token or session: answered with the login page and status 401."""


class Forbidden(Exception):
    """Authenticated, but not allowed (read-only token, bad CSRF token, foreign origin)."""


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("distillguard.ui", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["q"] = lambda value: urllib.parse.quote(str(value), safe="")
    env.filters["num"] = lambda v: "—" if v is None else f"{int(v):,}"
    env.filters["fixed"] = lambda v, d=2: "—" if v is None else f"{float(v):.{d}f}"
    env.filters["pct"] = lambda v, d=0: "—" if v is None else f"{float(v):.{d}%}"
    return env


def create_app(settings: UISettings) -> FastAPI:
    """The app; every route checks the caller (see :mod:`distillguard.ui.security`)."""
    ui = settings.config.ui
    access = Access(settings.read_token, settings.label_token, ui.session_hours * 3600)
    scan = data.ScanFiles(settings.scan_dir)
    workspace = data.WorkspaceAccess(settings.workspace)
    env = _environment()
    app = FastAPI(title="distillguard", docs_url=None, redoc_url=None, openapi_url=None)

    def render(request: Request, name: str, status_code: int = 200,
               **context: Any) -> HTMLResponse:
        principal = access.principal(request)
        html = env.get_template(name).render(principal=principal, **context)
        return HTMLResponse(html, status_code=status_code)

    def caller(request: Request) -> Principal:
        principal = access.principal(request)
        if principal is None:
            raise NotAuthenticated()
        return principal

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        token = request.query_params.get("token")
        if token is not None and request.method == "GET":
            response = _login_with_query_token(request, token)
        else:
            response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers[name] = value
        # Pages hold investigation data: never stored. Static files (plotly.js is 4.8 MB)
        # are kept briefly and revalidated by their ETag afterwards.
        static = request.url.path.startswith("/static/") and response.status_code == 200
        response.headers["Cache-Control"] = "private, max-age=600" if static else "no-store"
        return response

    def _login_with_query_token(request: Request, token: str) -> Response:
        role = access.role_of_token(token)
        if role is None:
            return render(request, "login.html", 401, page_title="Log in",
                          error="That token is not valid.")
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
        target = request.url.path + ("?" + urllib.parse.urlencode(query) if query else "")
        response = RedirectResponse(target, status_code=303)
        _set_session(request, response, access.open_session(role))
        return response

    def _set_session(request: Request, response: Response, session_id: str) -> None:
        response.set_cookie(SESSION_COOKIE, session_id, max_age=int(access.session_seconds),
                            httponly=True, samesite="strict", path="/",
                            secure=request.url.scheme == "https")

    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, _exc: NotAuthenticated) -> Response:
        response = render(request, "login.html", 401, page_title="Log in", error=None)
        response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return render(request, "error.html", 403, page_title="Not allowed", message=str(exc))

    @app.exception_handler(WorkspaceError)
    @app.exception_handler(InputFileError)
    async def unavailable(request: Request, exc: Exception) -> Response:
        return render(request, "error.html", 503, page_title="Data unavailable",
                      message=views.text(str(exc), 600))

    @app.exception_handler(ConfigError)
    async def bad_request(request: Request, exc: ConfigError) -> Response:
        return render(request, "error.html", 400, page_title="Bad request",
                      message=views.text(str(exc), 600))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return render(request, "error.html", exc.status_code, page_title="Error",
                      message=views.text(exc.detail, 300))

    # --- static files (no data in them: served without a token) ------------------------

    @app.get("/static/{name}")
    def static(name: str) -> Response:
        if name == "plotly.min.js":
            return FileResponse(plotly_js_path(), media_type="text/javascript")
        if name == "plotly.css":
            return Response(plotly_css(), media_type="text/css")
        if name in STATIC_FILES:
            return FileResponse(STATIC_DIR / name, media_type=STATIC_FILES[name])
        raise StarletteHTTPException(404, "no such file")

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/healthz")
    def healthz() -> Response:
        return Response("ok\n", media_type="text/plain")

    # --- logging in and out ---------------------------------------------------------------

    @app.get("/login")
    def login_page(request: Request) -> Response:
        return render(request, "login.html", page_title="Log in", error=None)

    @app.post("/login")
    def login(request: Request, token: Annotated[str, Form()] = "",
              analyst: Annotated[str, Form()] = "") -> Response:
        if not same_origin(request):
            raise Forbidden("this form was posted from another site")
        role = access.role_of_token(token.strip())
        if role is None:
            return render(request, "login.html", 401, page_title="Log in",
                          error="That token is not valid.")
        response = RedirectResponse("/", status_code=303)
        _set_session(request, response, access.open_session(role, views.text(analyst, 80)))
        return response

    @app.get("/logout")
    def logout(request: Request) -> Response:
        access.close_session(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    # --- pages ---------------------------------------------------------------------------

    def labels_by_account(con: Any, state: data.ScanState) -> dict[str, dict[str, Any]]:
        table = account_labels(con, state.campaigns)
        return {row["account_id"]: row for row in table.to_pylist()}

    @app.get("/")
    def campaigns_page(request: Request) -> Response:
        caller(request)
        state = scan.current()
        with workspace.read() as con:
            campaign_labels = {r["target_id"]: r for r in data.latest_campaign_labels(con)}
            member_labels = labels_by_account(con, state)
        return render(request, "campaigns.html", page_title="Campaigns",
                      campaigns=views.campaign_rows(state, campaign_labels, member_labels),
                      cards=views.summary_cards(state.outputs.summary, len(state.campaigns)),
                      show_pii=settings.show_pii)

    @app.get("/accounts")
    def accounts_page(request: Request, page: Annotated[int, Query(ge=1)] = 1) -> Response:
        caller(request)
        state = scan.current()
        rows, pager = views.paged(views.flagged(state.accounts), page, ui.members_per_page)
        with workspace.read() as con:
            member_labels = labels_by_account(con, state)
        return render(request, "accounts.html", page_title="Flagged accounts", pager=pager,
                      accounts=[views.account_row(r, member_labels) for r in rows.to_pylist()])

    @app.get("/campaign")
    def campaign_page(request: Request, id: Annotated[str, Query(max_length=200)],
                      page: Annotated[int, Query(ge=1)] = 1) -> Response:
        principal = caller(request)
        state = scan.current()
        record = state.by_id.get(id)
        if record is None:
            raise StarletteHTTPException(404, "no campaign with that id in this scan")
        members = [str(a) for a in record.get("accounts") or []]
        member_rows = state.account_rows(members)
        shown, pager = views.paged(member_rows, page, ui.members_per_page)
        cut = ui.max_prompt_chars
        with workspace.read() as con:
            data.select_events(con, members)
            traffic = data.traffic(con)
            templates = data.templates(con, ui.example_prompts, cut)
            indicators = data.shared_indicators(con, ui.graph_max_indicators)
            links = data.indicator_links(con)
            member_labels = labels_by_account(con, state)
            campaign_label = next((r for r in data.latest_campaign_labels(con)
                                   if r["target_id"] == id), None)
            history = label_history(con, target_kind="campaign", target_id=id)
        indicator_view = views.indicator_rows(indicators, settings.show_pii)
        graph = _campaign_graph(member_rows, indicators, indicator_view, links)
        figure = traffic_figure(traffic, "Requests by model over time")
        return render(
            request, "campaign.html", page_title=f"Campaign {views.text(id)}",
            campaign=views.campaign_header(record), pager=pager,
            members=[views.account_row(r, member_labels) for r in shown.to_pylist()],
            indicators=indicator_view, templates=views.template_rows(templates, cut),
            models=views.model_rows(traffic.models), graph=graph,
            figures=[("fig-traffic", figure)],
            status=views.label_status(campaign_label, members),
            history=_history_view(history), can_label=principal.can_label,
            csrf=principal.csrf or "", analyst=principal.analyst,
            show_pii=settings.show_pii, max_prompt_chars=cut,
        )

    def _campaign_graph(member_rows: Any, indicators: list[dict[str, Any]],
                        indicator_view: list[dict[str, Any]], links: list[dict[str, Any]]) -> Any:
        drawn = member_rows.slice(0, ui.graph_max_accounts).to_pylist()
        accounts = [{"account_id": str(r["account_id"]), "decision": r["decision"],
                     "title": f"{views.text(r['account_id'])} · risk "
                              f"{views.number(r['risk']) or 0:.2f} · "
                              f"{views.text(r['decision'], 20)}"}
                    for r in drawn]
        index = {(row["kind"], row["value"]): i for i, row in enumerate(indicators)}
        nodes = [{"kind": row["kind"],
                  "title": f"{shown['kind']}: {shown['value']} · {row['members']} members"}
                 for row, shown in zip(indicators, indicator_view, strict=True)]
        pairs = [(str(link["account_id"]), index[(link["kind"], link["value"])])
                 for link in links if (link["kind"], link["value"]) in index]
        return linkage_graph(accounts, nodes, pairs)

    @app.get("/account")
    def account_page(request: Request, id: Annotated[str, Query(max_length=400)]) -> Response:
        principal = caller(request)
        state = scan.current()
        detail = scan.account_detail(id)
        if detail is None:
            raise StarletteHTTPException(404, "no account with that id in this scan")
        cut = ui.max_prompt_chars
        with workspace.read() as con:
            data.select_events(con, [id])
            traffic = data.traffic(con)
            prompts = data.latest_prompts(con, ui.example_prompts, cut)
            values, neighbours = data.account_indicators(con, id, ui.neighbour_max_share,
                                                         ui.max_neighbours)
            member_labels = labels_by_account(con, state)
            history = label_history(con, target_kind="account", target_id=id)
        neighbour_ids = [str(n["account_id"]) for n in neighbours]
        neighbour_rows = {str(r["account_id"]): r
                          for r in state.account_rows(neighbour_ids).to_pylist()}
        campaign_id = detail.get("campaign_id")
        same_campaign = []
        if campaign_id is not None and str(campaign_id) in state.by_id:
            peers = [str(a) for a in state.by_id[str(campaign_id)].get("accounts") or []
                     if str(a) != id]
            same_campaign = [views.account_row(r, member_labels) for r in
                             state.account_rows(peers).slice(0, ui.max_neighbours).to_pylist()]
        effective = member_labels.get(id)
        return render(
            request, "account.html", page_title=f"Account {views.text(id)}",
            account=views.account_row(detail, member_labels),
            reasons=[views.text(r, views.REASON_CHARS) for r in
                     (detail.get("reasons") or [])[:views.MAX_REASONS]],
            own_risk=views.number(detail.get("own_risk")),
            signals=views.signal_rows(detail), profile=views.profile_rows(detail),
            prompts=views.prompt_rows(prompts, cut), models=views.model_rows(traffic.models),
            figures=[("fig-traffic", traffic_figure(traffic, "Requests by model over time"))],
            indicators=[{"kind": views.text(v["kind"], 40),
                         "value": views.shown_value(v["kind"], v["value"], settings.show_pii),
                         "accounts": v["accounts"]} for v in values],
            neighbours=[{**views.account_row(neighbour_rows.get(str(n["account_id"]),
                                                                {"account_id": n["account_id"]}),
                                             member_labels),
                         "kinds": [views.text(k, 40) for k in n["kinds"]],
                         "shared_values": n["shared_values"], "rarest": n["rarest"]}
                        for n in neighbours],
            same_campaign=same_campaign,
            status=views.label_status(dict(effective) if effective else None),
            status_source=views.text(effective.get("source"), 20) if effective else "",
            status_target=views.text(effective.get("target_id")) if effective else "",
            history=_history_view(history), can_label=principal.can_label,
            csrf=principal.csrf or "", analyst=principal.analyst,
            max_prompt_chars=cut, neighbour_max_share=ui.neighbour_max_share,
        )

    def _history_view(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"verdict": views.text(r["verdict"], 20),
                 "analyst": views.text(r["analyst"], 80),
                 "at": views.when(r["labelled_at"]),
                 "note": views.text(r["note"], views.NOTE_CHARS),
                 "expires": views.when(r["expires_at"]),
                 "target_kind": views.text(r["target_kind"]),
                 "target_id": views.text(r["target_id"]), "raw_target": str(r["target_id"])}
                for r in rows]

    @app.get("/search")
    def search_page(request: Request,
                    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "") -> Response:
        caller(request)
        state = scan.current()
        query = q.strip()
        if query in state.by_id:
            return RedirectResponse(f"/campaign?id={urllib.parse.quote(query, safe='')}", 303)
        if query and state.account_rows([query]).num_rows:
            return RedirectResponse(f"/account?id={urllib.parse.quote(query, safe='')}", 303)
        found, how = _search(state, query)
        with workspace.read() as con:
            member_labels = labels_by_account(con, state)
        rows = state.account_rows([str(r["account_id"]) for r in found]).to_pylist()
        return render(request, "search.html", page_title="Search", query=views.text(query, 300),
                      how=how, results=[views.account_row(r, member_labels) for r in rows])

    def _search(state: data.ScanState, query: str) -> tuple[list[dict[str, Any]], str]:
        if not query:
            return [], ""
        prefix, _, digest = query.partition(":")
        hashed = data.hash_prefixes()
        with workspace.read() as con:
            if prefix in hashed and len(digest) >= 6 and all(c in "0123456789abcdef"
                                                             for c in digest.lower()):
                kind = hashed[prefix]
                return (data.accounts_with_hash(con, kind, digest.lower(), SEARCH_RESULTS),
                        f"accounts with this {kind.replace('_', ' ')} (hashed value)")
            kinds = [k for k in data.INDICATOR_EXPRESSIONS
                     if settings.show_pii or k not in PERSONAL_KINDS]
            found = data.accounts_with_value(con, kinds, query, SEARCH_RESULTS)
        if found:
            return found, "accounts with this indicator value"
        ids = state.accounts["account_id"]
        matches = state.accounts.filter(pc.match_substring(ids, query)).slice(0, SEARCH_RESULTS)
        return ([{"account_id": a} for a in matches["account_id"].to_pylist()],
                "account ids containing the text")

    @app.get("/labels")
    def labels_page(request: Request) -> Response:
        caller(request)
        with workspace.read() as con:
            history = label_history(con)[:1000]
        return render(request, "labels.html", page_title="Labels",
                      history=_history_view(history))

    @app.get("/api/labels")
    def labels_json(request: Request) -> Response:
        caller(request)
        with workspace.read() as con:
            rows = label_history(con, latest_only=True)
        for row in rows:
            for key in ("labelled_at", "expires_at"):
                row[key] = row[key].isoformat() if row[key] is not None else None
        return JSONResponse(rows)

    @app.post("/labels")
    def post_label(
        request: Request,
        target_kind: Annotated[str, Form(max_length=20)],
        target_id: Annotated[str, Form(max_length=400)],
        verdict: Annotated[str, Form(max_length=20)],
        note: Annotated[str, Form(max_length=20_000)] = "",
        analyst: Annotated[str, Form(max_length=200)] = "",
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        principal = caller(request)
        if not principal.can_label:
            raise Forbidden("your token is read-only: start the UI with --label-token "
                            "and log in with that token to label")
        if not same_origin(request) or not csrf_ok(principal, csrf):
            raise Forbidden("the form's CSRF token is missing or wrong: reload the page")
        state = scan.current()
        members: list[str] | None = None
        if target_kind == "campaign":
            if target_id not in state.by_id:
                raise StarletteHTTPException(404, "no campaign with that id in this scan")
            members = [str(a) for a in state.by_id[target_id].get("accounts") or []]
            back = f"/campaign?id={urllib.parse.quote(target_id, safe='')}#label"
        elif target_kind == "account":
            if not state.account_rows([target_id]).num_rows:
                raise StarletteHTTPException(404, "no account with that id in this scan")
            back = f"/account?id={urllib.parse.quote(target_id, safe='')}#label"
        else:
            raise ConfigError("target_kind must be campaign or account")
        workspace.record(target_kind=target_kind, target_id=target_id, verdict=verdict,
                         note=note, analyst=analyst.strip() or principal.analyst,
                         allow_days=settings.config.labels.allowlist_days, members=members)
        return RedirectResponse(back, status_code=303)

    return app
