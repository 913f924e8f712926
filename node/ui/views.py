"""HTML routes of the review UI. Pages carry no data and need no token: the browser keeps the
officer's token in ``sessionStorage`` and the page's script sends it as a bearer header to the
REST API. A strict Content-Security-Policy allows only this node's own scripts and styles."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from node.anchoring.service import check_sha256

_HERE = Path(__file__).parent
_templates = Jinja2Templates(directory=str(_HERE / "templates"))
_CSP = (
    "default-src 'self'; img-src 'self' blob: data:; script-src 'self'; style-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
router = APIRouter(prefix="/ui", tags=["ui"], include_in_schema=False)


def _page(request: Request, name: str, **context: object) -> HTMLResponse:
    node = request.app.state.node
    response = _templates.TemplateResponse(
        request, name, {"node_id": node.settings.node.id, **context}
    )
    response.headers["Content-Security-Policy"] = _CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/", response_class=HTMLResponse)
async def queue_page(request: Request) -> HTMLResponse:
    """Sign-in (token) and the review queue."""
    return _page(request, "queue.html")


@router.get("/review/{sha256}", response_class=HTMLResponse)
async def review_page(request: Request, sha256: str) -> HTMLResponse:
    """The one-screen review of one document."""
    return _page(request, "review.html", sha256=check_sha256(sha256))


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/ui/static", StaticFiles(directory=str(_HERE / "static")), name="ui-static")

    @app.get("/", include_in_schema=False)
    async def _root() -> RedirectResponse:
        return RedirectResponse("/ui/")
