"""Typed dependencies: the node, the caller (bearer token -> Principal) and role checks.

Who may do what (``admin`` may do everything):

    read documents, reviews, trace, partners, messages     officer, auditor
    submit scans and declarations                           officer
    submit electronic certificates                          agency (its own country), officer
    decide a review                                         officer
    read the registry                                       officer, agency, auditor
    register / revoke registry records                      agency (its own country)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from node.api.tokens import Principal, TokenService
from node.errors import ConfigError, PermissionDenied, Unauthenticated
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
    if credentials is None:
        raise Unauthenticated("missing bearer token (Authorization: Bearer ...)")
    tokens: TokenService = request.app.state.tokens
    principal = tokens.authenticate(credentials.credentials)
    request.state.principal = principal
    return principal


def require(*roles: str) -> Callable[..., Principal]:
    allowed = ("admin", *roles)

    def check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if principal.role not in allowed:
            raise PermissionDenied(
                f"role {principal.role} may not do this (needs {' or '.join(allowed)})"
            )
        return principal

    return check


Reader = Annotated[Principal, Depends(require("officer", "auditor"))]
Officer = Annotated[Principal, Depends(require("officer"))]
Submitter = Annotated[Principal, Depends(require("officer", "agency"))]
RegistryReader = Annotated[Principal, Depends(require("officer", "agency", "auditor"))]
RegistryWriter = Annotated[Principal, Depends(require("agency"))]
AnyRole = Annotated[Principal, Depends(get_principal)]


def check_country(principal: Principal, country: str, what: str) -> None:
    """An agency writes only for its own country."""
    if principal.role == "agency" and principal.country != country.upper():
        raise PermissionDenied(
            f"agency token for {principal.country} may not write {what} of {country.upper()}"
        )


def review_service(node: Node) -> ReviewService:
    service = node.extras.get("review")
    if service is None:
        raise ConfigError("the review service is not wired on this node")
    assert isinstance(service, ReviewService)
    return service
