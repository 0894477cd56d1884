"""The centre calendar: academic years, terms and closures, and the one function every deadline uses
to get the centre's pure CentreCalendar (DESIGN rule 10, R-31)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Select, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app.auth.principal import Principal
from app.calendars import events, schemas
from app.calendars.models import AcademicYear, Closure, Term
from app.centres.models import Centre
from app.core import calendar as cal
from app.core import clock
from app.core.concurrency import IfMatch, check_version
from app.core.errors import (
    Conflict,
    NotFound,
    PreconditionFailed,
    RuleViolation,
    ValidationFailed,
    field_problem,
)
from app.core.ids import uuid7
from app.core.pagination import paginate
from app.core.visibility import get_visible
from app.core.writes import flush_unique
from app.events.write import Change, recorded

YEAR_UNIQUE = {"uq_academic_years_centre_id_label": "body.label"}
CLOSURE_UNIQUE = {"uq_closures_centre_id_date": "body.date"}


async def centre_calendar(session: AsyncSession, centre_id: uuid.UUID) -> cal.CentreCalendar:
    """The centre's working-day calendar: its nation's public holidays, its academic years with their
    terms, its closures. Every working-day deadline of every domain starts here."""
    nation = await session.scalar(select(Centre.nation).where(Centre.id == centre_id))
    if nation is None:
        raise NotFound(f"No centre with id {centre_id}.")
    years = (
        await session.execute(
            select(AcademicYear.id, AcademicYear.label, AcademicYear.start_date, AcademicYear.end_date).where(
                AcademicYear.centre_id == centre_id
            )
        )
    ).all()
    terms: dict[uuid.UUID, list[cal.Term]] = {}
    for t in (
        await session.execute(
            select(Term.academic_year_id, Term.name, Term.start_date, Term.end_date).where(
                Term.centre_id == centre_id
            )
        )
    ).all():
        terms.setdefault(t.academic_year_id, []).append(cal.Term(t.start_date, t.end_date, t.name))
    closures = (await session.scalars(select(Closure.date).where(Closure.centre_id == centre_id))).all()
    return cal.CentreCalendar(
        nation=cal.Nation(nation),
        academic_years=tuple(
            cal.AcademicYear(y.label, y.start_date, y.end_date, tuple(terms.get(y.id, ()))) for y in years
        ),
        closures=frozenset(closures),
    )


# ---- academic years -----------------------------------------------------------------------------------


def _years(p: Principal) -> Select[AcademicYear]:
    return select(AcademicYear).where(AcademicYear.centre_id == p.centre_id)


async def _terms_of(session: AsyncSession, year_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[schemas.Term]]:
    found: dict[uuid.UUID, list[schemas.Term]] = {y: [] for y in year_ids}
    if year_ids:
        rows = await session.execute(
            select(Term).where(Term.academic_year_id.in_(year_ids)).order_by(Term.start_date)
        )
        for term in rows.scalars():
            found[term.academic_year_id].append(schemas.Term.model_validate(term))
    return found


def _out(year: AcademicYear, terms: list[schemas.Term]) -> schemas.AcademicYear:
    return schemas.AcademicYear(
        id=year.id,
        centre_id=year.centre_id,
        label=year.label,
        start_date=year.start_date,
        end_date=year.end_date,
        terms=terms,
        created_at=year.created_at,
        updated_at=year.updated_at,
        version=year.version,
    )


async def list_academic_years(
    session: AsyncSession, p: Principal, limit: int, cursor: str | None
) -> tuple[list[schemas.AcademicYear], str | None]:
    rows, next_cursor = await paginate(session, _years(p), AcademicYear.id, limit, cursor)
    terms = await _terms_of(session, [r.id for r in rows])
    return [_out(r, terms[r.id]) for r in rows], next_cursor


async def _get_row(session: AsyncSession, p: Principal, year_id: uuid.UUID) -> AcademicYear:
    return await get_visible(session, _years(p), AcademicYear, year_id, "academic year")


async def get_academic_year(session: AsyncSession, p: Principal, year_id: uuid.UUID) -> schemas.AcademicYear:
    year = await _get_row(session, p, year_id)
    return _out(year, (await _terms_of(session, [year.id]))[year.id])


async def _check_year(
    session: AsyncSession,
    p: Principal,
    label: str,
    start: dt.date,
    end: dt.date,
    terms: list[schemas.TermInput],
    year_id: uuid.UUID | None,
) -> None:
    """The pure calendar types are the rule: a year's terms inside it and apart, years apart (R-31)."""
    problems, pure_terms = [], []
    for i, t in enumerate(terms):
        try:
            pure_terms.append(cal.Term(t.start_date, t.end_date, t.name))
        except ValueError as exc:
            problems.append(field_problem(f"body.terms.{i}", "invalid_term", str(exc)))
    if problems:
        raise ValidationFailed("Some terms are not valid.", errors=problems)
    try:
        year = cal.AcademicYear(label, start, end, tuple(pure_terms))
    except ValueError as exc:
        field = "body.end_date" if start > end else "body.terms"
        raise ValidationFailed(
            str(exc), errors=[field_problem(field, "invalid_academic_year", str(exc))]
        ) from exc
    others = (
        await session.execute(
            select(AcademicYear.label, AcademicYear.start_date, AcademicYear.end_date).where(
                AcademicYear.centre_id == p.centre_id, AcademicYear.id != (year_id or uuid.UUID(int=0))
            )
        )
    ).all()
    try:
        cal.CentreCalendar(
            cal.Nation.england_wales,
            (
                year,
                *(cal.AcademicYear(o.label, o.start_date, o.end_date) for o in others if o.label != label),
            ),
        )
    except ValueError as exc:
        # A clash with another of the centre's records: 409, like a duplicate label.
        raise Conflict(
            str(exc), errors=[field_problem("body.start_date", "overlapping_academic_year", str(exc))]
        ) from exc


async def _replace_terms(session: AsyncSession, year: AcademicYear, terms: list[schemas.TermInput]) -> None:
    await session.execute(delete(Term).where(Term.academic_year_id == year.id))
    if terms:
        await session.execute(
            insert(Term),
            [
                {
                    "id": uuid7(),
                    "centre_id": year.centre_id,
                    "academic_year_id": year.id,
                    "name": t.name,
                    "start_date": t.start_date,
                    "end_date": t.end_date,
                }
                for t in terms
            ],
        )


def _sorted_terms(terms: list[schemas.TermInput]) -> list[schemas.Term]:
    return sorted(
        (schemas.Term(name=t.name, start_date=t.start_date, end_date=t.end_date) for t in terms),
        key=lambda t: t.start_date,
    )


async def create_academic_year(
    session: AsyncSession, p: Principal, data: schemas.AcademicYearCreate
) -> schemas.AcademicYear:
    await _check_year(session, p, data.label, data.start_date, data.end_date, data.terms, None)
    year = AcademicYear(
        centre_id=p.centre_id, label=data.label, start_date=data.start_date, end_date=data.end_date
    )
    session.add(year)
    await flush_unique(session, YEAR_UNIQUE)
    await _replace_terms(session, year, data.terms)
    out = _out(year, _sorted_terms(data.terms))
    await recorded(session, p, Change.created(events.AcademicYearCreated.of(out), "academic_year", year.id))
    return out


async def update_academic_year(
    session: AsyncSession,
    p: Principal,
    year_id: uuid.UUID,
    data: schemas.AcademicYearUpdate,
    expected_version: int | IfMatch,
) -> schemas.AcademicYear:
    year = await _get_row(session, p, year_id)
    check_version(year.version, expected_version)
    before = _out(year, (await _terms_of(session, [year.id]))[year.id])
    changes = data.model_dump(exclude_unset=True)
    terms = (
        data.terms  # present means not null: the schema refuses null
        if data.terms is not None
        else [schemas.TermInput(**t.model_dump()) for t in before.terms]
    )
    label, start, end = (
        changes.get("label", year.label),
        changes.get("start_date", year.start_date),
        changes.get("end_date", year.end_date),
    )
    new_terms = _sorted_terms(terms)
    if (label, start, end, new_terms) == (year.label, year.start_date, year.end_date, before.terms):
        return before  # nothing changed: no new version, no audit row, no event
    await _check_year(session, p, label, start, end, terms, year.id)
    year.label, year.start_date, year.end_date = label, start, end
    year.updated_at = clock.now()  # a change of terms alone is still a new version of the year
    try:
        await flush_unique(session, YEAR_UNIQUE)
    except StaleDataError as exc:
        raise PreconditionFailed(
            "The academic year changed while you were updating it; read it again."
        ) from exc
    await _replace_terms(session, year, terms)
    out = _out(year, new_terms)
    event = events.AcademicYearUpdated(before=before, after=out)
    await recorded(session, p, Change.changed(event, "academic_year", year.id))
    return out


# ---- closures -----------------------------------------------------------------------------------------


def _closures(p: Principal) -> Select[Closure]:
    return select(Closure).where(Closure.centre_id == p.centre_id)


async def list_closures(
    session: AsyncSession,
    p: Principal,
    limit: int,
    cursor: str | None,
    from_date: dt.date | None = None,
    to_date: dt.date | None = None,
) -> tuple[list[Closure], str | None]:
    stmt = _closures(p)
    if from_date:
        stmt = stmt.where(Closure.date >= from_date)
    if to_date:
        stmt = stmt.where(Closure.date <= to_date)
    return await paginate(session, stmt, Closure.id, limit, cursor)


async def create_closure(session: AsyncSession, p: Principal, data: schemas.ClosureCreate) -> Closure:
    closure = Closure(centre_id=p.centre_id, date=data.date, reason=data.reason)
    session.add(closure)
    await flush_unique(session, CLOSURE_UNIQUE)
    await recorded(session, p, Change.created(events.ClosureCreated.of(closure), "closure", closure.id))
    return closure


async def delete_closure(session: AsyncSession, p: Principal, closure_id: uuid.UUID) -> Closure:
    """A closure entered by mistake is removed; the audit keeps what it was."""
    closure = await get_visible(session, _closures(p), Closure, closure_id, "closure")
    removed = events.ClosureDeleted.of(closure)
    await session.execute(delete(Closure).where(Closure.id == closure.id))
    await recorded(session, p, Change.removed(removed, "closure", closure.id))
    return closure


async def working_days(
    session: AsyncSession, p: Principal, start: dt.date, days: int, location: str = "query"
) -> schemas.WorkingDays:
    """`days` working days after `start` by the one definition every deadline uses (R-31): weekdays in
    the centre's terms, not public holidays of its nation, not its closures. `location` prefixes the
    field a refusal names (`query` for REST, `args` for GraphQL)."""
    calendar = await centre_calendar(session, p.centre_id)
    try:
        due = cal.add_working_days(calendar, start, days)
    except cal.NoWorkingDays as exc:
        raise RuleViolation(
            "R-31: working days are the centre's term days, and its calendar does not have enough of "
            f"them {'after' if days >= 0 else 'before'} {start}.",
            errors=[field_problem(f"{location}.days", "R-31", str(exc))],
        ) from exc
    year = cal.academic_year_of(calendar, due)
    return schemas.WorkingDays(
        start=start,
        days=days,
        date=due,
        in_term_time=cal.in_term_time(calendar, due),
        academic_year=year.label if year else None,
    )
