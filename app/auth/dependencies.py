"""FastAPI dependencies: who is calling, and may they attempt this operation (house rule 4)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth.principal import Principal
from app.auth.scopes import Role, Scope
from app.core.errors import Forbidden, Unauthenticated

_bearer = HTTPBearer(auto_error=False, description="A JWT from the centre's identity provider.")


async def authenticate(request: Request, token: str | None) -> Principal:
    """A verified token whose centre exists (else 401: a signed token for no centre acts for nobody)."""
    if not token:
        raise Unauthenticated()
    # a standards verifier's Verity token, or a token of the awarding body's configured issuer,
    # acts through a live grant (registered by create_app: app/standards_verification/access.py).
    grants = getattr(request.app.state, "grant_authenticator", None)
    if grants is not None:
        verifier = await grants.authenticate(request.app.state.sessionmaker, token)
        if verifier is not None:
            return verifier
    principal = await request.app.state.token_verifier.verify(token)
    if grants is not None and Role.standards_verifier in principal.roles:
        # A verifier in the centre's own identity provider reads through the grants of its subject.
        principal = await grants.with_grants(request.app.state.sessionmaker, principal)
    await request.app.state.centre_directory.require_known(
        request.app.state.sessionmaker, principal.centre_id
    )
    return principal


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated()
    return await authenticate(request, credentials.credentials)


def authorize(principal: Principal, *scopes: Scope) -> Principal:
    """Allowed when the principal holds any one of `scopes`; the granting role is what gets audited."""
    for scope in scopes:
        if principal.has(scope):
            return principal.acting_as(scope)
    wanted = " or ".join(s.value for s in scopes)
    raise Forbidden(f"This operation needs the scope {wanted}, which none of your roles grants.")


def require(*scopes: Scope) -> Callable[[Principal], Awaitable[Principal]]:
    async def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        return authorize(principal, *scopes)

    return dependency


CentreRead = Annotated[Principal, Depends(require(Scope.centre_read))]
CentreWrite = Annotated[Principal, Depends(require(Scope.centre_write))]
StaffRead = Annotated[Principal, Depends(require(Scope.staff_read))]
StaffWrite = Annotated[Principal, Depends(require(Scope.staff_write))]
LearnersRead = Annotated[Principal, Depends(require(Scope.learners_read, Scope.learner_self))]
LearnersWrite = Annotated[Principal, Depends(require(Scope.learners_write))]
AuditRead = Annotated[Principal, Depends(require(Scope.audit_read))]
QualificationsRead = Annotated[Principal, Depends(require(Scope.qualifications_read))]
QualificationsManage = Annotated[Principal, Depends(require(Scope.qualifications_manage))]
