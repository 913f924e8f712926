"""Typed dependencies: the node, the caller (bearer token -> Principal) and role checks.

Who may do what (``admin`` may do everything):

    read documents, reviews, trace, partners, messages     officer, auditor
    submit scans and declarations                           officer
    submit electronic certificates                          agency (its own country), officer
    decide a review                                         officer
    read the registry                                       officer, agency, auditor
    register / revoke registry records                      agency (its own country)
    put / lift a legal hold on a document                   admin only
    list the documents retention keeps past its period      admin only
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from node.api.tokens import Principal, TokenService
from node.errors import ConfigError, CusdepError, PermissionDenied, Unauthenticated
from node.retention.service import RetentionService
from node.review.service import ReviewService
from node.runtime import Node

_bearer = HTTPBearer(auto_error=False, description="token from `cusdep token issue`")


def get_node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


NodeDep = Annotated[Node, Depends(get_node)]


def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> Principal:
    principal = _authenticated(request, credentials.credentials if credentials else "")
    request.state.principal = principal
    return principal


def _authenticated(request: Request, token: str) -> Principal:
    if not token:
        raise Unauthenticated("missing bearer token (Authorization: Bearer ...)")
    tokens: TokenService = request.app.state.tokens
    return tokens.authenticate(token)


def require(*roles: str) -> Callable[..., Principal]:
    allowed = ("admin", *roles)

    def check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        _check_role(principal, allowed)
        return principal

    check.roles = allowed  # type: ignore[attr-defined]  # read by ``refusal``
    return check


def _check_role(principal: Principal, allowed: tuple[str, ...]) -> None:
    if principal.role not in allowed:
        raise PermissionDenied(
            f"role {principal.role} may not do this (needs {' or '.join(allowed)})"
        )


def refusal(request: Request) -> CusdepError | None:
    """Why the caller may not use the matched route at all (401 or 403), judged from the
    bearer token alone; None when it may, or when the route asks for no token. FastAPI
    reads the body before it solves the dependencies, so a malformed body would otherwise
    answer a caller without a token with 400/422 instead of 401 (``problems``)."""
    roles = _route_roles(getattr(request.scope.get("route"), "dependant", None))
    if roles is None:
        return None
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    try:
        principal = _authenticated(request, token.strip() if scheme.lower() == "bearer" else "")
        if roles:
            _check_role(principal, roles)
    except CusdepError as err:
        return err
    return None


def _route_roles(dependant: Any) -> tuple[str, ...] | None:
    """The roles the route's dependencies require (() for any role), None if no token."""
    if dependant is None:
        return None
    for dep in dependant.dependencies:
        if getattr(dep.call, "roles", None) is not None:
            return tuple(dep.call.roles)
        if dep.call is get_principal:
            return ()
        found = _route_roles(dep)
        if found is not None:
            return found
    return None


Reader = Annotated[Principal, Depends(require("officer", "auditor"))]
Officer = Annotated[Principal, Depends(require("officer"))]
Submitter = Annotated[Principal, Depends(require("officer", "agency"))]
RegistryReader = Annotated[Principal, Depends(require("officer", "agency", "auditor"))]
RegistryWriter = Annotated[Principal, Depends(require("agency"))]
AnyRole = Annotated[Principal, Depends(get_principal)]
Admin = Annotated[Principal, Depends(require())]


def check_country(principal: Principal, country: str, what: str) -> None:
    """An agency writes only for its own country."""
    if principal.role == "agency" and principal.country != country.upper():
        raise PermissionDenied(
            f"agency token for {principal.country} may not write {what} of {country.upper()}"
        )


_T = TypeVar("_T")


def review_service(node: Node) -> ReviewService:
    return _wired(node, "review", ReviewService)


def retention_service(node: Node) -> RetentionService:
    return _wired(node, "retention", RetentionService)


def _wired(node: Node, name: str, kind: type[_T]) -> _T:
    """The service ``build_node`` wired under ``name`` (``node.extras``)."""
    service = node.extras.get(name)
    if service is None:
        raise ConfigError(f"the {name} service is not wired on this node")
    assert isinstance(service, kind)
    return service
