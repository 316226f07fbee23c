"""``create_app(settings)`` builds the whole application; nothing happens at import time."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import Response
from starlette.routing import NoMatchFound

from app.config import Settings
from app.db import check_schema_current, make_engine
from app.deps import NotAuthenticated
from app.headers import SECURITY_HEADERS, SecurityHeaders
from app.limits import BodyLimit
from app.jobs import Worker
from app.routes import (
    account, admin, api, api_audit, api_extraction, api_imports, api_prisma, api_screening, api_summaries, audit,
    auth, docs, duplicates, extraction, imports, jobs, prisma, reviews, screening, summaries,
)
from app.security import verify_csrf
from app.templating import is_htmx, render, templates
from screening.review.errors import InvalidInput, NotFound, PermissionDenied, StorageFull, WinnowError

STATIC_DIR = Path(__file__).parent / "static"
ROUTERS = tuple(
    module.router
    for module in (auth, reviews, imports, duplicates, screening, extraction, prisma, summaries, audit, account, admin,
                   jobs, docs, api, api_imports, api_screening, api_extraction, api_prisma, api_summaries, api_audit)
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = make_engine(settings.database_url)
    check_schema_current(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        worker = None
        if settings.run_worker:
            worker = Worker(engine, lease_seconds=settings.job_lease_seconds, max_attempts=settings.job_max_attempts)
            worker.start()
        if settings.warm_up:
            _warm_up(app)
        yield
        if worker is not None:
            worker.stop()
        engine.dispose()

    app = FastAPI(
        title="Winnow",
        summary="Systematic and scoping reviews: import, deduplicate, rank, screen, extract, report.",
        lifespan=lifespan,
        docs_url=None,  # app/routes/docs.py serves Swagger UI from our static folder instead of a CDN
        redoc_url=None,
        dependencies=[Depends(ids_in_range), Depends(verify_csrf)],
    )
    app.state.settings = settings
    app.state.engine = engine
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="winnow_session",
        max_age=int(timedelta(days=settings.session_max_age_days).total_seconds()),
        same_site="lax",
        https_only=settings.https_only,
    )
    app.add_middleware(BodyLimit, max_bytes=settings.max_upload_bytes)
    # Added last, so it wraps the others and every response, a static file or an error, gets the headers.
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in ROUTERS:
        app.include_router(router)
    _add_error_handlers(app)
    return app


def _warm_up(app: FastAPI) -> None:
    """Do at start-up, in each web process, the work FastAPI and Jinja otherwise do at the
    first request of each kind: about 100 ms a router here, paid by whichever reviewer asked
    first (the slowest page opens of the load benchmark)."""
    # FastAPI builds an included router's routes when a request first reaches it; looking up
    # a name no route has walks them all, and so builds them all.
    try:
        app.url_path_for("winnow warm-up: no route has this name")
    except NoMatchFound:
        pass
    for name in templates.env.list_templates(extensions=["html"]):
        templates.get_template(name)  # compiled once, then cached by Jinja


MAX_ID = 2**31 - 1  # ids are INTEGER columns: PostgreSQL's, and so Winnow's, largest


async def ids_in_range(request: Request) -> None:
    """An id in the path beyond any the database can hold names nothing: 404, not a database error."""
    for name, value in request.path_params.items():
        if isinstance(value, str) and value.lstrip("-").isdigit() and abs(int(value)) > MAX_ID:
            raise NotFound(f"No {name.removesuffix('_id').replace('_', ' ')} {value[:30]}: ids go up to {MAX_ID}.")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _add_error_handlers(app: FastAPI) -> None:
    statuses = {NotFound: 404, PermissionDenied: 403, InvalidInput: 422, StorageFull: 507}

    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, error: NotAuthenticated) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": str(error)}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        login = f"/login?next={request.url.path}"
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": login})
        return RedirectResponse(login, status_code=303)

    @app.exception_handler(WinnowError)
    async def domain_error(request: Request, error: WinnowError) -> Response:
        status = next((code for kind, code in statuses.items() if isinstance(error, kind)), 400)
        if isinstance(error, InvalidInput) and _wants_json(request):
            # The same shape as FastAPI's own 422, so a script reads one kind of error.
            location = ["body", error.field] if error.field else ["body"]
            return JSONResponse({"detail": [{"loc": location, "msg": str(error), "type": "invalid"}]}, status_code=422)
        return _error_response(request, status, str(error))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        return _error_response(request, error.status_code, str(error.detail), error.headers)

    @app.exception_handler(sa.exc.DataError)
    @app.exception_handler(OverflowError)
    async def out_of_range(request: Request, error: Exception) -> Response:
        # A number in a request body too large for its column, or a text too long for it.
        detail = str(getattr(error, "orig", error)).splitlines()[0][:200]
        return _error_response(request, 422, f"A value sent is out of range for where it goes ({detail}). "
                                             f"Numbers and ids go up to {MAX_ID}.")

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, error: Exception) -> Response:
        # Starlette answers an unhandled error outside every middleware: the headers are set here.
        message = "Something went wrong on the server. The error is logged; try again, or tell your administrator."
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=500, headers=SECURITY_HEADERS)
        return render(request, "error.html", status_code=500, status=500, message=message, headers=SECURITY_HEADERS)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        if _wants_json(request):
            # jsonable_encoder, as FastAPI's own handler: a validator's ValueError sits in the errors' ctx.
            return JSONResponse({"detail": jsonable_encoder(error.errors())}, status_code=422)
        return _error_response(request, 422, "Some of what was sent is not valid: " + "; ".join(
            f"{'.'.join(str(part) for part in problem['loc'][1:])}: {problem['msg']}" for problem in error.errors()
        ))


def _error_response(request: Request, status: int, message: str, headers: dict | None = None) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    if is_htmx(request):
        return render(request, "_error_message.html", status_code=status, message=message)
    return render(request, "error.html", status_code=status, status=status, message=message)
