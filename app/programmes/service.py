"""Programmes: a qualification version delivered by the centre for an academic year, at its sites,
by named staff (DOMAIN "People and roles"; R-40 the subject area's LIV; R-42 sites and assessors)."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app.auth.principal import Principal
from app.auth.scopes import Role, Scope
from app.calendars.models import AcademicYear
from app.centres.models import Site, StaffMember
from app.core import clock
from app.core.concurrency import IfMatch, check_version
from app.core.errors import Forbidden, NotFound, PreconditionFailed, ValidationFailed, field_problem
from app.core.pagination import paginate
from app.core.visibility import get_visible
from app.core.writes import flush_unique
from app.events.write import Change, recorded
from app.programmes import events, schemas
from app.programmes import repository as repo
from app.programmes.access import ProgrammeAccess, programme_access
from app.programmes.models import Programme, ProgrammeSite, ProgrammeStaff
from app.qualifications import service as qualifications
from app.qualifications.models import QualificationVersion

PROGRAMME_UNIQUE = {"uq_programmes_centre_id_academic_year_id_name": "body.name"}
# Which centre-wide role each named member of staff must hold.
STAFF_ROLES = {
    "programme_leader_id": "programme_leader",
    "lead_internal_verifier_id": "liv",
    "assessor_ids": "assessor",
    "internal_verifier_ids": "iv",
}
LINK_ROLES = {"assessor_ids": "assessor", "internal_verifier_ids": "internal_verifier"}

# Who may change each field of a programme (docs/access.md): the roles that may change it on any of the
# centre's programmes, and the relation to *this* programme (with the token role that carries it) that
# lets another role change it on their own programme only. Who leads, assesses and verifies is QA
# management, not delivery: nobody staffs a programme by holding programmes:write.
OWN = {"programme_leader": Role.programme_leader, "lead_internal_verifier": Role.liv}
FIELD_POLICY: dict[str, tuple[frozenset[Role], str | None]] = {
    # Registration: the awarding body's programme code learners are registered under (004 §3).
    "code": (frozenset({Role.hoc, Role.exams_officer}), None),
    # Delivery: what the programme is called and where it is taught; its own leader runs it.
    "name": (frozenset({Role.hoc, Role.exams_officer}), "programme_leader"),
    "site_ids": (frozenset({Role.hoc, Role.exams_officer}), "programme_leader"),
    # Leadership: the subject area decides whose LIV the programme falls under.
    "subject_area": (frozenset({Role.hoc, Role.qn}), None),
    "programme_leader_id": (frozenset({Role.hoc, Role.qn}), None),
    "lead_internal_verifier_id": (frozenset({Role.hoc, Role.qn}), None),
    # The team: the HoC/QN, and the programme's own LIV, who oversees its IV.
    "assessor_ids": (frozenset({Role.hoc, Role.qn}), "lead_internal_verifier"),
    "internal_verifier_ids": (frozenset({Role.hoc, Role.qn}), "lead_internal_verifier"),
}


def _may_change(p: Principal, access: ProgrammeAccess, name: str) -> bool:
    centre_roles, own = FIELD_POLICY[name]
    if p.roles & centre_roles:
        return True
    return own is not None and OWN[own] in p.roles and access.has(own)


async def _check_field_policy(
    session: AsyncSession, p: Principal, programme: Programme, changing: set[str]
) -> None:
    """R-98: each changed field must be the caller's to change (FIELD_POLICY); 403 naming each one.
    The programme itself is visible to all staff, so a 403 here reveals nothing a read would not."""
    access = await programme_access(session, p, programme)
    refused = sorted(n for n in changing if not _may_change(p, access, n))
    if refused:
        raise Forbidden(
            "Some of these fields are not yours to change on this programme.",
            errors=[
                field_problem(f"body.{n}", "field_not_permitted", _refusal(n, FIELD_POLICY[n]))
                for n in refused
            ],
        )


def _refusal(name: str, policy: tuple[frozenset[Role], str | None]) -> str:
    centre_roles, own = policy
    who = " or ".join(sorted(r.value for r in centre_roles))
    if own:
        who += f", or the programme's own {own.replace('_', ' ')}"
    return f"only the {who} may change {name}"


async def visible_qualification(
    session: AsyncSession, p: Principal, qualification_id: uuid.UUID, field: str
) -> QualificationVersion:
    """The centre's own qualification versions and the platform catalogue (the qualifications rule).
    A reference in a body that names nothing in the centre answers 404 with `errors` naming the field,
    as every unknown reference does across the API."""
    try:
        return await qualifications.get_row(session, p, qualification_id)
    except NotFound as exc:
        raise NotFound(
            exc.detail,
            errors=[field_problem(field, "not_found", "no such qualification in the centre's catalogue")],
        ) from exc


async def _academic_year(session: AsyncSession, p: Principal, year_id: uuid.UUID) -> AcademicYear:
    year = await session.scalar(
        select(AcademicYear).where(AcademicYear.centre_id == p.centre_id, AcademicYear.id == year_id)
    )
    if year is None:
        raise NotFound(
            f"No academic year with id {year_id}.",
            errors=[
                field_problem("body.academic_year_id", "not_found", "no such academic year in the centre")
            ],
        )
    return year


async def _check_sites(session: AsyncSession, p: Principal, site_ids: list[uuid.UUID]) -> None:
    found = set(
        (
            await session.scalars(select(Site.id).where(Site.centre_id == p.centre_id, Site.id.in_(site_ids)))
        ).all()
    )
    missing = [
        field_problem(f"body.site_ids.{i}", "not_found", "no such site in the centre")
        for i, s in enumerate(site_ids)
        if s not in found
    ]
    if missing:
        raise NotFound("Some sites do not exist in the centre.", errors=missing)


async def _check_staff(
    session: AsyncSession, p: Principal, named: dict[str, uuid.UUID | list[uuid.UUID]]
) -> None:
    """Each named member of staff exists in the centre, is active and holds the role the programme gives
    them: an assessor who is not one cannot be made one by a programme."""
    refs = [
        (f"body.{name}" if isinstance(v, uuid.UUID) else f"body.{name}.{i}", name, sid)
        for name, v in named.items()
        for i, sid in enumerate([v] if isinstance(v, uuid.UUID) else v)
    ]
    staff = {
        m.id: m
        for m in (
            await session.scalars(
                select(StaffMember).where(
                    StaffMember.centre_id == p.centre_id, StaffMember.id.in_({sid for _, _, sid in refs})
                )
            )
        ).all()
    }
    missing = [
        field_problem(f, "not_found", "no such member of staff in the centre")
        for f, _, sid in refs
        if sid not in staff
    ]
    if missing:
        raise NotFound("Some members of staff do not exist in the centre.", errors=missing)
    problems = []
    for field, name, sid in refs:
        member, role = staff[sid], STAFF_ROLES[name]
        if not member.active:
            problems.append(field_problem(field, "staff_inactive", "this member of staff is not active"))
        elif role not in member.roles:
            problems.append(
                field_problem(
                    field, "staff_role_missing", f"this member of staff does not hold the {role} role"
                )
            )
    if problems:
        raise ValidationFailed(
            "Some members of staff do not hold the role the programme gives them.", errors=problems
        )


def _unique(ids: list[uuid.UUID]) -> list[uuid.UUID]:
    return list(dict.fromkeys(ids))


async def _links(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, list[uuid.UUID]]]:
    links: dict[uuid.UUID, dict[str, list[uuid.UUID]]] = defaultdict(
        lambda: {"site_ids": [], "assessor_ids": [], "internal_verifier_ids": []}
    )
    if ids:
        for row in await session.execute(
            select(ProgrammeSite.programme_id, ProgrammeSite.site_id)
            .where(ProgrammeSite.programme_id.in_(ids))
            .order_by(ProgrammeSite.site_id)
        ):
            links[row.programme_id]["site_ids"].append(row.site_id)
        field = {role: name for name, role in LINK_ROLES.items()}
        for staff in await session.execute(
            select(ProgrammeStaff.programme_id, ProgrammeStaff.role, ProgrammeStaff.staff_id)
            .where(ProgrammeStaff.programme_id.in_(ids))
            .order_by(ProgrammeStaff.staff_id)
        ):
            links[staff.programme_id][field[staff.role]].append(staff.staff_id)
    return links


def _out(programme: Programme, links: dict[str, list[uuid.UUID]]) -> schemas.Programme:
    return schemas.Programme(
        id=programme.id,
        centre_id=programme.centre_id,
        name=programme.name,
        code=programme.code,
        qualification_id=programme.qualification_id,
        academic_year_id=programme.academic_year_id,
        delivery_model=programme.delivery_model,
        subject_area=programme.subject_area,
        programme_leader_id=programme.programme_leader_id,
        lead_internal_verifier_id=programme.lead_internal_verifier_id,
        site_ids=sorted(links["site_ids"]),
        assessor_ids=sorted(links["assessor_ids"]),
        internal_verifier_ids=sorted(links["internal_verifier_ids"]),
        created_at=programme.created_at,
        updated_at=programme.updated_at,
        version=programme.version,
    )


async def _write_links(
    session: AsyncSession, programme: Programme, links: dict[str, list[uuid.UUID]], replace: set[str]
) -> None:
    if "site_ids" in replace:
        await session.execute(delete(ProgrammeSite).where(ProgrammeSite.programme_id == programme.id))
        await session.execute(
            insert(ProgrammeSite),
            [
                {"programme_id": programme.id, "site_id": s, "centre_id": programme.centre_id}
                for s in links["site_ids"]
            ],
        )
    for name, role in LINK_ROLES.items():
        if name not in replace:
            continue
        await session.execute(
            delete(ProgrammeStaff).where(
                ProgrammeStaff.programme_id == programme.id, ProgrammeStaff.role == role
            )
        )
        if links[name]:
            await session.execute(
                insert(ProgrammeStaff),
                [
                    {
                        "programme_id": programme.id,
                        "role": role,
                        "staff_id": s,
                        "centre_id": programme.centre_id,
                    }
                    for s in links[name]
                ],
            )


async def create_programme(
    session: AsyncSession, p: Principal, data: schemas.ProgrammeCreate
) -> schemas.Programme:
    """Creating a programme names its leader and LIV: the HoC's or QN's call (FIELD_POLICY)."""
    if not p.has(Scope.programme_leads_assign):
        raise Forbidden("Only the Head of Centre or Quality Nominee creates programmes (who leads them).")
    await visible_qualification(session, p, data.qualification_id, "body.qualification_id")
    await _academic_year(session, p, data.academic_year_id)
    links = {
        "site_ids": _unique(data.site_ids),
        "assessor_ids": _unique(data.assessor_ids),
        "internal_verifier_ids": _unique(data.internal_verifier_ids),
    }
    await _check_sites(session, p, links["site_ids"])
    await _check_staff(session, p, {name: getattr(data, name) for name in STAFF_ROLES})
    programme = Programme(
        centre_id=p.centre_id,
        **data.model_dump(exclude={"site_ids", "assessor_ids", "internal_verifier_ids"}),
    )
    session.add(programme)
    await flush_unique(session, PROGRAMME_UNIQUE)
    await _write_links(session, programme, links, set(links))
    out = _out(programme, links)
    await recorded(session, p, Change.created(events.ProgrammeCreated.of(out), "programme", programme.id))
    return out


async def get_row(session: AsyncSession, p: Principal, programme_id: uuid.UUID) -> Programme:
    return await get_visible(session, repo.programmes(p), Programme, programme_id, "programme")


async def get_programme(session: AsyncSession, p: Principal, programme_id: uuid.UUID) -> schemas.Programme:
    programme = await get_row(session, p, programme_id)
    return _out(programme, (await _links(session, [programme.id]))[programme.id])


async def list_programmes(
    session: AsyncSession,
    p: Principal,
    limit: int,
    cursor: str | None,
    *,
    academic_year_id: uuid.UUID | None = None,
    qualification_id: uuid.UUID | None = None,
) -> tuple[list[schemas.Programme], str | None]:
    stmt = repo.programmes(p)
    if academic_year_id:
        stmt = stmt.where(Programme.academic_year_id == academic_year_id)
    if qualification_id:
        stmt = stmt.where(Programme.qualification_id == qualification_id)
    rows, next_cursor = await paginate(session, stmt, Programme.id, limit, cursor)
    links = await _links(session, [r.id for r in rows])
    return [_out(r, links[r.id]) for r in rows], next_cursor


async def update_programme(
    session: AsyncSession,
    p: Principal,
    programme_id: uuid.UUID,
    data: schemas.ProgrammeUpdate,
    expected_version: int | IfMatch,
) -> schemas.Programme:
    programme = await get_row(session, p, programme_id)
    check_version(programme.version, expected_version)
    links = (await _links(session, [programme.id]))[programme.id]
    before = _out(programme, links)
    changes = data.model_dump(exclude_unset=True)
    new_links = {name: _unique(changes.pop(name)) for name in list(changes) if name in links}
    replace = {name for name, ids in new_links.items() if sorted(ids) != sorted(links[name])}
    columns = {name: v for name, v in changes.items() if getattr(programme, name) != v}
    if not replace and not columns:
        return before  # nothing changed: no new version, no audit row, no event
    await _check_field_policy(session, p, programme, set(columns) | replace)
    if "site_ids" in replace:
        await _check_sites(session, p, new_links["site_ids"])
    named = {
        n: v
        for n, v in {**columns, **new_links}.items()
        if n in STAFF_ROLES and (n in columns or n in replace)
    }
    if named:
        await _check_staff(session, p, named)
    for name, value in columns.items():
        setattr(programme, name, value)
    programme.updated_at = clock.now()  # new sites or staff alone are still a new version of the programme
    try:
        await flush_unique(session, PROGRAMME_UNIQUE)
    except StaleDataError as exc:
        raise PreconditionFailed("The programme changed while you were updating it; read it again.") from exc
    links = {**links, **{n: new_links[n] for n in replace}}
    await _write_links(session, programme, links, replace)
    out = _out(programme, links)
    event = events.ProgrammeUpdated(before=before, after=out)
    await recorded(session, p, Change.changed(event, "programme", programme.id))
    return out
