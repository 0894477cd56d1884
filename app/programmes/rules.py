"""Pure date rules of registration and special consideration: no database, no clock (callers pass
`today`). Working-day counts go through app.core.calendar (DESIGN rule 10)."""

from __future__ import annotations

import calendar as _months
import datetime as dt

from app.core.calendar import CentreCalendar, NoWorkingDays, add_working_days

# the QN escalates a late or early registration to the HoC within 2 working days (004 §3).
ESCALATION_WORKING_DAYS = 2
# special consideration is applied for "at the time of the assessment" (001). The seeds give no
# number; the default here is one working week after the assessment (JCQ asks for applications within
# seven days of the assessment), a policy setting rather than a constant of nature.
SPECIAL_CONSIDERATION_WORKING_DAYS = 5


def one_month_after(d: dt.date) -> dt.date:
    """The same day of the next month, or that month's last day when it is shorter (31 Jan -> 28/29 Feb)."""
    year, month = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
    return dt.date(year, month, min(d.day, _months.monthrange(year, month)[1]))


def end_of_november(academic_year_start: dt.date) -> dt.date:
    """The first 30 November on or after the academic year's start: the November *of* that year."""
    candidate = dt.date(academic_year_start.year, 11, 30)
    return candidate if candidate >= academic_year_start else dt.date(academic_year_start.year + 1, 11, 30)


def registration_deadline(delivery_model: str, academic_year_start: dt.date, enrolled_on: dt.date) -> dt.date:
    """R-11 (004 §3 key dates): by the end of November for programmes that run over an academic year,
    otherwise within one month of enrolment. Calendar dates, not working days: the awarding body's
    deadline does not move for a centre's closures."""
    if delivery_model == "academic_year":
        return end_of_november(academic_year_start)
    return one_month_after(enrolled_on)


def registration_issue(
    *,
    status: str,
    enrolled_on: dt.date,
    registration_deadline: dt.date,
    registered_on: dt.date | None,
    transferred: bool,
    today: dt.date,
    inaccurate: bool = False,
) -> str | None:
    """R-11: late, early (registered before the learner was enrolled) or overdue (not registered and the
    deadline has passed). A transferred-away enrolment carries no issue: its registration moved with the
    learner to the new enrolment, which inherits the deadline. "Early" is not judged on an enrolment
    made by a transfer, whose registration predates it by construction."""
    if status == "transferred":
        return None
    if inaccurate and registered_on is not None:  # the registered identity is not the MIS's
        return "inaccurate"
    if registered_on is not None:
        if registered_on > registration_deadline:
            return "late"
        if registered_on < enrolled_on and not transferred:
            return "early"
        return None
    if status == "enrolled" and today > registration_deadline:
        return "overdue"
    return None


def registration_inaccurate(registered: tuple, mis: tuple) -> bool:
    """R-11: a registration whose name or date of birth differs from the learner's MIS record is
    inaccurate. Only what was registered is compared (a part left out is not judged); names compare
    without regard to case or surrounding spaces."""

    def norm(v: object) -> object:
        return v.strip().casefold() if isinstance(v, str) else v

    return any(r is not None and norm(r) != norm(m) for r, m in zip(registered, mis, strict=True))


def flagged_on(issue: str, registration_deadline: dt.date, registered_on: dt.date | None) -> dt.date:
    """The day an issue arose: the registration itself, or the day after a missed deadline."""
    if issue == "overdue" or registered_on is None:
        return registration_deadline + dt.timedelta(days=1)
    return registered_on


def escalate_by(cal: CentreCalendar, flagged: dt.date) -> dt.date | None:
    """R-11: the last day for the QN to escalate to the HoC, in the centre's working days (R-31's
    definition: term days). None while the centre's calendar has no term days that far ahead."""
    try:
        return add_working_days(cal, flagged, ESCALATION_WORKING_DAYS)
    except NoWorkingDays:
        return None


def special_consideration_last_day(cal: CentreCalendar, assessment_date: dt.date) -> dt.date:
    """R-81: the last day an application for an assessment on `assessment_date` is "at the time", in the
    centre's working days (R-31's definition). Raises NoWorkingDays when the calendar has too few."""
    return add_working_days(cal, assessment_date, SPECIAL_CONSIDERATION_WORKING_DAYS)
