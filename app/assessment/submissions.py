"""Submissions and evidence (R-22, R-23) and agreed extensions.

A submission is open while evidence is added and handed in with the learner's signed and dated
declaration; from then on nothing in it is added, changed or removed (R-22) — refused here, and by
the triggers of migration 0005 should anything else try. Late work is recorded as late and never
capped (R-23): lateness is stored, and nothing in grading reads it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterable, AsyncIterator

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app.assessment import authenticity, declaration, events, schemas
from app.assessment import repository as repo
from app.assessment.evidence_files import HEAD_BYTES, content_matches, normalised_filename
from app.assessment.models import EvidenceItem, Extension, ResubmissionAuthorisation, Submission
from app.assessment.retakes import check_retake
from app.assessment.storage import EvidenceStore, FileTooLarge, receive
from app.assignments import service as briefs
from app.assignments.models import AssignmentBrief
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core import clock
from app.core.config import Settings
from app.core.errors import (
    Conflict,
    FieldProblem,
    Forbidden,
    NotFound,
    PreconditionFailed,
    RuleViolation,
    ValidationFailed,
    field_problem,
)
from app.core.ids import uuid7
from app.core.pagination import paginate
from app.core.visibility import get_visible
from app.events.write import Change, recorded
from app.programmes.access import programme_access, require_on_programme
from app.programmes.enrolments import learner_in_centre
from app.programmes.errors import InvalidTransition
from app.programmes.models import Enrolment
from app.programmes.service import get_row as programme_row

STAFF_ON_PROGRAMME = ("assessor", "programme_leader", "lead_internal_verifier")


def out(submission: Submission) -> schemas.Submission:
    return schemas.Submission.model_validate(submission)


async def _on_programme(session: AsyncSession, learner_id: uuid.UUID, programme_id: uuid.UUID) -> bool:
    return bool(
        await session.scalar(
            select(func.count())
            .select_from(Enrolment)
            .where(
                Enrolment.learner_id == learner_id,
                Enrolment.programme_id == programme_id,
                Enrolment.status.in_(("enrolled", "registered", "completed")),
            )
        )
    )


async def _staff_on_brief(
    session: AsyncSession, p: Principal, brief: AssignmentBrief, what: str
) -> uuid.UUID:
    programme = await programme_row(session, p, brief.programme_id)
    return require_on_programme(await programme_access(session, p, programme), *STAFF_ON_PROGRAMME, what=what)


# ---- extensions ---------------------------------------------------------------------------------------


async def latest_extension(
    session: AsyncSession, brief_id: uuid.UUID, learner_id: uuid.UUID
) -> Extension | None:
    return await session.scalar(
        select(Extension)
        .where(Extension.brief_id == brief_id, Extension.learner_id == learner_id)
        .order_by(Extension.created_at.desc(), Extension.id.desc())
        .limit(1)
    )


async def create_extension(session: AsyncSession, p: Principal, data: schemas.ExtensionCreate) -> Extension:
    """An agreed extension (R-23, R-30: work handed in by it is not late), with its reason and approver."""
    brief = await briefs.get_brief(session, p, data.brief_id)
    if not p.has(Scope.special_consideration_authorise):  # the HoC agrees extensions on any programme
        await _staff_on_brief(session, p, brief, "agree extensions for its learners")
    await learner_in_centre(session, p, data.learner_id, "body.learner_id")
    if data.new_deadline < brief.completion_date:
        raise ValidationFailed(
            "An extension moves the deadline later.",
            errors=[
                field_problem(
                    "body.new_deadline",
                    "before_deadline",
                    f"must not be before the brief's deadline {brief.completion_date}",
                )
            ],
        )
    ext = Extension(
        id=uuid7(),
        centre_id=p.centre_id,
        brief_id=brief.id,
        learner_id=data.learner_id,
        new_deadline=data.new_deadline,
        reason=data.reason,
        approved_by=p.subject,
        approved_role=p.audit_role,
    )
    session.add(ext)
    await session.flush()
    await recorded(session, p, Change.created(events.ExtensionCreated.of(ext), "deadline_extension", ext.id))
    return ext


# ---- submissions --------------------------------------------------------------------------------------


async def get_submission(session: AsyncSession, p: Principal, submission_id: uuid.UUID) -> Submission:
    return await get_visible(session, repo.submissions(p), Submission, submission_id, "submission")


async def list_submissions(
    session: AsyncSession,
    p: Principal,
    limit: int,
    cursor: str | None,
    *,
    brief_id: uuid.UUID | None = None,
    learner_id: uuid.UUID | None = None,
) -> tuple[list[Submission], str | None]:
    stmt = repo.submissions(p)
    if brief_id:
        stmt = stmt.where(Submission.brief_id == brief_id)
    if learner_id:
        stmt = stmt.where(Submission.learner_id == learner_id)
    return await paginate(session, stmt, Submission.id, limit, cursor)


async def _acting_learner(
    session: AsyncSession, p: Principal, brief: AssignmentBrief, learner_id: uuid.UUID | None
) -> uuid.UUID:
    """Staff name the learner (and must be on the programme); a learner submits only their own work."""
    if p.has(Scope.submissions_write):
        if learner_id is None:
            raise ValidationFailed(
                "Name the learner whose work this is.",
                errors=[
                    field_problem(
                        "body.learner_id", "required_for_staff", "required when staff record a submission"
                    )
                ],
            )
        await learner_in_centre(session, p, learner_id, "body.learner_id")
        await _staff_on_brief(session, p, brief, "record submissions for its learners")
        return learner_id
    mine = await session.scalar(repo.own_learner_ids(p))
    if mine is None or (learner_id is not None and learner_id != mine):
        raise Forbidden("A learner submits only their own work.")
    return mine


async def _attempt(
    session: AsyncSession, brief: AssignmentBrief, learner_id: uuid.UUID
) -> tuple[str, dt.date, uuid.UUID | None]:
    """Which attempt this is and its deadline: the first (brief or extension), an authorised
    resubmission (R-30/R-31) or a retake on a retake brief (R-32)."""
    if brief.retake_of_id is not None:
        await check_retake(session, brief, learner_id)
        ext = await latest_extension(session, brief.id, learner_id)
        return "retake", ext.new_deadline if ext else brief.completion_date, ext.id if ext else None
    first = await session.scalar(
        select(Submission.id).where(
            Submission.brief_id == brief.id,
            Submission.learner_id == learner_id,
            Submission.attempt_kind == "first",
        )
    )
    if first is None:
        ext = await latest_extension(session, brief.id, learner_id)
        return "first", ext.new_deadline if ext else brief.completion_date, ext.id if ext else None
    auth = await session.scalar(
        select(ResubmissionAuthorisation)
        .where(
            ResubmissionAuthorisation.brief_id == brief.id, ResubmissionAuthorisation.learner_id == learner_id
        )
        .order_by(ResubmissionAuthorisation.number.desc())
        .limit(1)
    )
    if auth is None:
        raise Conflict(
            "The learner has already submitted for this assignment; a further submission needs a "
            "resubmission authorised under R-30.",
            errors=[field_problem("body.brief_id", "R-30", "no resubmission has been authorised")],
        )
    return "resubmission", auth.deadline, None


async def create_submission(
    session: AsyncSession, p: Principal, data: schemas.SubmissionCreate
) -> Submission:
    brief = await briefs.get_brief(session, p, data.brief_id)
    if brief.status != "issued":
        raise InvalidTransition(
            "R-21",
            f"Work is submitted only for an issued brief; this one is {brief.status}.",
            field="body.brief_id",
        )
    learner_id = await _acting_learner(session, p, brief, data.learner_id)
    if not await _on_programme(session, learner_id, brief.programme_id):
        raise RuleViolation(
            "The learner is not on this brief's programme.",
            errors=[
                field_problem(
                    "body.learner_id",
                    "not_on_programme",
                    "the learner has no enrolment on the brief's programme",
                )
            ],
        )
    kind, deadline, extension_id = await _attempt(session, brief, learner_id)
    submission = Submission(
        id=uuid7(),
        centre_id=p.centre_id,
        brief_id=brief.id,
        learner_id=learner_id,
        attempt_kind=kind,
        status="open",
        deadline=deadline,
        extension_id=extension_id,
        created_by=p.subject,
    )
    session.add(submission)
    try:
        await session.flush()
    except Exception as exc:  # the unique key: a concurrent request made the same attempt
        from sqlalchemy.exc import IntegrityError

        if isinstance(exc, IntegrityError):
            raise Conflict("This attempt has already been started.") from exc
        raise
    created = events.SubmissionCreated.of(submission)
    await recorded(session, p, Change.created(created, "submission", submission.id))
    return submission


async def _open_submission(session: AsyncSession, p: Principal, submission_id: uuid.UUID) -> Submission:
    submission = await get_submission(session, p, submission_id)
    if p.has(Scope.submissions_write):
        brief = await session.get_one(AssignmentBrief, submission.brief_id)
        await _staff_on_brief(session, p, brief, "change its submissions")
    elif not p.has(Scope.submissions_self):
        raise Forbidden("Only the learner or the programme's staff add evidence.")
    if submission.status != "open":
        raise RuleViolation(
            "R-22: nothing may be added, changed or removed after submission.",
            errors=[field_problem("status", "R-22", "the submission has been handed in")],
        )
    return submission


async def add_evidence_reference(
    session: AsyncSession, p: Principal, submission_id: uuid.UUID, data: schemas.EvidenceReferenceCreate
) -> EvidenceItem:
    submission = await _open_submission(session, p, submission_id)
    item = EvidenceItem(
        id=uuid7(),
        centre_id=p.centre_id,
        submission_id=submission.id,
        kind=data.kind.value,
        description=data.description,
        reference=data.reference,
        added_by=p.subject,
    )
    return await _add_item(session, p, item)


async def add_evidence_file(
    session: AsyncSession,
    p: Principal,
    settings: Settings,
    store: EvidenceStore,
    submission_id: uuid.UUID,
    filename: str,
    media_type: str,
    content: bytes | AsyncIterable[bytes],
    description: str | None = None,
    kind: schemas.FileEvidenceKind = schemas.FileEvidenceKind.file,
) -> EvidenceItem:
    """An uploaded file, streamed to the store's spool with its size capped as bytes arrive (never held
    in memory); its name, declared type and actual content checked before it is kept; SHA-256 recorded.

    Everything that can be refused without the body is refused before a byte of it is read."""
    submission = await _open_submission(session, p, submission_id)
    media_type = media_type.split(";")[0].strip().lower()
    name = normalised_filename(filename)
    problems = []
    if name is None:
        problems.append(
            field_problem(
                "query.filename",
                "invalid_filename",
                "a file name of at most 255 characters, without path separators, control or bidi characters",
            )
        )
    if media_type not in settings.evidence_media_types:
        problems.append(
            field_problem(
                "header.content-type",
                "media_type_not_allowed",
                f"allowed: {', '.join(settings.evidence_media_types)}",
            )
        )
    if isinstance(content, bytes) and len(content) > settings.evidence_max_bytes:
        problems.append(_too_large(settings))
    if problems:
        raise ValidationFailed("The file cannot be accepted as evidence.", errors=problems)
    try:
        received = await receive(_chunks(content), store.spool, settings.evidence_max_bytes, HEAD_BYTES)
    except FileTooLarge:
        raise ValidationFailed(
            "The file cannot be accepted as evidence.", errors=[_too_large(settings)]
        ) from None
    try:
        if received.size == 0:
            problems.append(field_problem("body", "empty_file", "the file is empty"))
        elif not await asyncio.to_thread(content_matches, media_type, received.head, received.path):
            problems.append(
                field_problem(
                    "body",
                    "content_type_mismatch",
                    f"the file's content is not {media_type} (its Content-Type)",
                )
            )
        if problems:
            raise ValidationFailed("The file cannot be accepted as evidence.", errors=problems)
        key = f"{p.centre_id}/{received.sha256}"
        await store.put_file(key, received, media_type)
    finally:
        received.discard()
    item = EvidenceItem(
        id=uuid7(),
        centre_id=p.centre_id,
        submission_id=submission.id,
        kind=kind.value,  # the work itself, or a copy of an AI interaction
        description=description or name,
        filename=name,
        media_type=media_type,
        size_bytes=received.size,
        sha256=received.sha256,
        storage_key=key,
        added_by=p.subject,
    )
    return await _add_item(session, p, item)


def _too_large(settings: Settings) -> FieldProblem:
    return field_problem("body", "file_too_large", f"at most {settings.evidence_max_bytes} bytes")


async def _chunks(content: bytes | AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    if isinstance(content, bytes):
        yield content
    else:
        async for chunk in content:
            yield chunk


async def _add_item(session: AsyncSession, p: Principal, item: EvidenceItem) -> EvidenceItem:
    session.add(item)
    await session.flush()
    await recorded(session, p, Change.created(events.EvidenceAdded.of(item), "evidence_item", item.id))
    return item


async def list_evidence(session: AsyncSession, p: Principal, submission_id: uuid.UUID) -> list[EvidenceItem]:
    await get_submission(session, p, submission_id)
    return list(
        (
            await session.scalars(
                select(EvidenceItem)
                .where(EvidenceItem.submission_id == submission_id)
                .order_by(EvidenceItem.id)
            )
        ).all()
    )


async def remove_evidence(
    session: AsyncSession, p: Principal, submission_id: uuid.UUID, item_id: uuid.UUID
) -> None:
    submission = await _open_submission(session, p, submission_id)
    item = await session.scalar(
        select(EvidenceItem).where(EvidenceItem.id == item_id, EvidenceItem.submission_id == submission.id)
    )
    if item is None:
        raise NotFound(f"No evidence item {item_id} in this submission.")
    removed = events.EvidenceRemoved.of(item)
    await session.execute(delete(EvidenceItem).where(EvidenceItem.id == item.id))
    session.expunge(item)
    await recorded(session, p, Change.removed(removed, "evidence_item", item_id))


async def hand_in(
    session: AsyncSession, p: Principal, submission_id: uuid.UUID, data: schemas.HandIn
) -> Submission:
    """R-22: with the learner's signed and dated declaration, saying whether AI tools were used (which,
    how, with copies of the interactions); work handed in on paper is recorded by staff with the date it
    was received and why. R-23: late when the centre's date of receipt is after the deadline in force
    (an extension agreed before hand-in counts), recorded and never capped."""
    submission = await _open_submission(session, p, submission_id)
    declaration.check_paper_role(p, data)
    problems = []
    if not data.declaration_signed:
        problems.append(
            field_problem(
                "body.declaration_signed", "R-22", "the learner's declaration of authenticity must be signed"
            )
        )
    now, today = clock.now(), clock.today()
    if data.declaration_signed_on > today:
        problems.append(
            field_problem("body.declaration_signed_on", "date_in_future", "must not be after today")
        )
    counts = dict(
        (
            await session.execute(
                select(EvidenceItem.kind, func.count())
                .where(EvidenceItem.submission_id == submission.id)
                .group_by(EvidenceItem.kind)
            )
        ).all()
    )
    if not sum(counts.values()):
        problems.append(
            field_problem("evidence", "no_evidence", "a submission carries at least one evidence item")
        )
    problems += declaration.ai_use_problems(data, counts.get(schemas.EvidenceKind.ai_interaction, 0))
    problems += declaration.paper_problems(data, today)
    if problems:
        raise RuleViolation("The submission cannot be handed in.", errors=problems)
    deadline, extension_id = submission.deadline, submission.extension_id
    if submission.attempt_kind != "resubmission":
        ext = await latest_extension(session, submission.brief_id, submission.learner_id)
        if ext is not None:
            deadline, extension_id = ext.new_deadline, ext.id
    before = out(submission).model_dump(mode="json")
    submission.status, submission.submitted_at = schemas.SubmissionStatus.submitted, now
    submission.deadline, submission.extension_id = deadline, extension_id
    # the centre's date of receipt (Europe/London), not UTC's: at 23:30 UTC in summer it is
    # already the next day in London.
    submission.late = declaration.receipt_date(data, today) > deadline
    submission.declaration_signed_on, submission.declaration_text = (
        data.declaration_signed_on,
        data.declaration_text,
    )
    submission.ai_used, submission.ai_tools, submission.ai_use = data.ai_used, data.ai_tools, data.ai_use
    if declaration.is_paper(data):
        submission.paper_received_on, submission.paper_reason = data.paper_received_on, data.paper_reason
        submission.paper_recorded_by = p.subject
    submission.handed_in_by = p.subject
    try:
        await session.flush()
    except StaleDataError as exc:
        raise PreconditionFailed(
            "The submission changed while it was being handed in; read it again."
        ) from exc
    after = out(submission).model_dump(mode="json")
    handed_in = events.SubmissionHandedIn.model_validate({"before": before, "after": after})
    await recorded(session, p, Change.changed(handed_in, "submission", submission.id))
    # AI use the brief does not allow opens a draft malpractice case, in this transaction.
    await authenticity.on_hand_in(session, p, submission)
    return submission
