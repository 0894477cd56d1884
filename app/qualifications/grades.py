"""The grades, bands and rule names the catalogue and the grading engine share.

Grades are ordered so that "best" (R-05) and "at least a Pass" (R-04) are well defined. The two unit
grading schemes (P/M/D and achieved/not achieved) are not comparable with each other: comparing across
them is a programming error and raises TypeError rather than silently answering.
"""

from __future__ import annotations

from enum import StrEnum


class Band(StrEnum):
    """The band of a grading criterion: the letter after the dot in `A.P1` (R-01)."""

    P = "P"
    M = "M"
    D = "D"


class UnitGradingScheme(StrEnum):
    pmd = "pmd"  # Pass / Merit / Distinction (and Unclassified)
    achieved = "achieved"  # achieved / not achieved (003 unit 1)


class QualificationGradingScheme(StrEnum):
    pmd = "pmd"
    pmdd_star = "pmdd_star"  # with Distinction* (003)


class UnitType(StrEnum):
    mandatory = "mandatory"
    optional = "optional"


class AssessmentMode(StrEnum):
    internal = "internal"  # set and marked by the centre, verified/moderated by the awarding body
    external = "external"  # set and marked by the awarding body (an exam)


class CriteriaStatus(StrEnum):
    listed = "listed"
    awaiting = "awaiting"  # the source does not list this unit's criteria yet (003): never invent them


# Keyed by the grades' strings: a StrEnum member hashes and compares as its string, and looking it up
# directly avoids Enum's `.value` descriptor on the grading hot path.
_UNIT_RANK = {"U": 0, "P": 1, "M": 2, "D": 3, "not_achieved": 0, "achieved": 1}
_UNIT_SCHEME = {
    "U": UnitGradingScheme.pmd,
    "P": UnitGradingScheme.pmd,
    "M": UnitGradingScheme.pmd,
    "D": UnitGradingScheme.pmd,
    "not_achieved": UnitGradingScheme.achieved,
    "achieved": UnitGradingScheme.achieved,
}


class UnitGrade(StrEnum):
    """A unit result. Ordered within a scheme: U < P < M < D, not_achieved < achieved."""

    U = "U"
    P = "P"
    M = "M"
    D = "D"
    not_achieved = "not_achieved"
    achieved = "achieved"

    @property
    def rank(self) -> int:
        return _UNIT_RANK[self]

    @property
    def scheme(self) -> UnitGradingScheme:
        return _UNIT_SCHEME[self]

    @property
    def is_pass(self) -> bool:
        """At least a Pass (or achieved): what R-04 asks of every mandatory unit."""
        return _UNIT_RANK[self] >= 1

    def _rank_against(self, other: object) -> int:
        if not isinstance(other, UnitGrade):
            return NotImplemented
        if _UNIT_SCHEME[self] is not _UNIT_SCHEME[other]:
            raise TypeError(f"cannot compare unit grades of different schemes: {self} and {other}")
        return _UNIT_RANK[other]

    def __lt__(self, other: object) -> bool:
        theirs = self._rank_against(other)
        return NotImplemented if theirs is NotImplemented else self.rank < theirs

    def __le__(self, other: object) -> bool:
        theirs = self._rank_against(other)
        return NotImplemented if theirs is NotImplemented else self.rank <= theirs

    def __gt__(self, other: object) -> bool:
        theirs = self._rank_against(other)
        return NotImplemented if theirs is NotImplemented else self.rank > theirs

    def __ge__(self, other: object) -> bool:
        theirs = self._rank_against(other)
        return NotImplemented if theirs is NotImplemented else self.rank >= theirs

    @classmethod
    def for_scheme(cls, scheme: UnitGradingScheme) -> tuple[UnitGrade, ...]:
        """The grades of one scheme, lowest first."""
        if scheme is UnitGradingScheme.achieved:
            return (cls.not_achieved, cls.achieved)
        return (cls.U, cls.P, cls.M, cls.D)


# The grade a unit reaches when every criterion of this band and the bands below is achieved.
GRADE_FOR_BAND = {Band.P: UnitGrade.P, Band.M: UnitGrade.M, Band.D: UnitGrade.D}

_QUALIFICATION_RANK = {"U": 0, "P": 1, "M": 2, "D": 3, "D*": 4}


class QualificationGrade(StrEnum):
    """A qualification grade, ordered U < P < M < D < D*."""

    U = "U"
    P = "P"
    M = "M"
    D = "D"
    D_STAR = "D*"

    @property
    def rank(self) -> int:
        return _QUALIFICATION_RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, QualificationGrade):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, QualificationGrade):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, QualificationGrade):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, QualificationGrade):
            return NotImplemented
        return self.rank >= other.rank

    @classmethod
    def for_scheme(cls, scheme: QualificationGradingScheme) -> tuple[QualificationGrade, ...]:
        """The passing grades of a scheme, lowest first (U is always possible and not listed)."""
        if scheme is QualificationGradingScheme.pmdd_star:
            return (cls.P, cls.M, cls.D, cls.D_STAR)
        return (cls.P, cls.M, cls.D)


# A single-unit award's grade is the unit grade (R-04, 000 §2); U stays U ("minimum of a Pass").
QUALIFICATION_GRADE_FOR_UNIT_GRADE = {
    UnitGrade.U: QualificationGrade.U,
    UnitGrade.P: QualificationGrade.P,
    UnitGrade.M: QualificationGrade.M,
    UnitGrade.D: QualificationGrade.D,
    UnitGrade.not_achieved: QualificationGrade.U,
    UnitGrade.achieved: QualificationGrade.P,
}


class GradingRule(StrEnum):
    """Which rule decided a qualification grade: shown to the learner beside the grade (R-04)."""

    single_unit_award = "single_unit_award"
    mandatory_unit_below_pass = "mandatory_unit_below_pass"
    units_missing = "units_missing"
    points_below_minimum = "points_below_minimum"
    grade_table = "grade_table"


class AttemptKind(StrEnum):
    """How a unit result came about (R-05, R-30..R-32)."""

    first = "first"
    resubmission = "resubmission"
    retake = "retake"  # a different assignment on the same outcomes; may be capped at Pass
    resit = "resit"  # an examined unit sat again (003 §7)
