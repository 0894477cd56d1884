"""Who is calling: the verified token's subject, centre and roles."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace

from app.auth.scopes import Role, Scope, scopes_for


@dataclass(frozen=True)
class Principal:
    subject: str
    centre_id: uuid.UUID
    roles: frozenset[Role]
    scopes: frozenset[Scope] = field(default=frozenset())
    # The role under which the current operation was allowed; recorded in the audit log.
    acting_role: str | None = None
    # a standards verifier's live grants, as (sample id, grant id): all they may read.
    grants: frozenset[tuple[uuid.UUID, uuid.UUID]] = field(default=frozenset())

    @classmethod
    def of(cls, subject: str, centre_id: uuid.UUID, roles: frozenset[Role]) -> Principal:
        return cls(subject=subject, centre_id=centre_id, roles=roles, scopes=scopes_for(roles))

    def has(self, scope: Scope) -> bool:
        return scope in self.scopes

    def role_granting(self, scope: Scope) -> str | None:
        from app.auth.scopes import ROLE_SCOPES

        for role in sorted(self.roles):
            if scope in ROLE_SCOPES[role]:
                return role.value
        return None

    def acting_as(self, scope: Scope) -> Principal:
        return replace(self, acting_role=self.role_granting(scope))

    @property
    def audit_role(self) -> str:
        return self.acting_role or ",".join(sorted(self.roles))
