"""R-42: the IV sample, as a pure function of its inputs (no database, no clock, no global random).

How the sample is drawn, and why each step guarantees what R-42 asks:

1. Each candidate (an assessed decision) gets a rank: SHA-256 of (seed, candidate id). The rank is the
   only randomness, so the same candidates, policy and seed give the same sample on any machine
   ("reproducible"), and a different seed gives another, equally stratified sample.
2. Coverage first (stratified): for every stratum present in the population -- each assessor, each
   grade (U/P/M/D), each site, each assessment method (CAMERA's Methods: observation, questioning,
   witness, product, RPL) and each support need (CAMERA's Candidates: a reasonable adjustment, special
   consideration) -- the lowest-ranked candidate of that stratum is taken. A decision may show several
   methods and needs: it then counts for each. These picks do
   not depend on the rates, so raising a rate never removes one (monotonic).
3. Then the rate (weighted to risk): each assessor's rate is the largest that applies to them -- the
   plan's default (e.g. 20%), their own rate in the IV plan, the new-assessor rate (100%), the rate for
   an assessor with recent disagreements, the new-qualification rate -- and their candidates are taken
   in rank order until at least ceil(rate x their decisions) of theirs are in the sample. A higher rate
   takes a longer prefix of the same order, so the sample only grows (monotonic).
4. Before both: every candidate flagged for review (an upheld appeal questioning the assessor's other
   results, R-62; a malpractice case about the assessor, R-73) is taken, whatever the rates. It then
   also counts towards coverage and its assessor's quota, so flags never push another pick out.

Every sampled item carries its rationale: which stratum it covers and/or which rate took it.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

GRADES = ("U", "P", "M", "D")
STRATA = ("assessor", "grade", "site")
# Strata of which a candidate may be in several (or none): CAMERA's Methods and Candidates' needs.
MULTI_STRATA = ("methods", "support_needs")
METHODS = ("observation", "questioning", "witness", "product", "rpl")
SUPPORT_NEEDS = ("reasonable_adjustment", "special_consideration")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One assessed decision as the sampler sees it. `site` is None where the site is not known;
    `methods` are the assessment methods its evidence shows, `support_needs` the learner's."""

    id: str
    assessor: str
    grade: str
    site: str | None = None
    methods: frozenset[str] = frozenset()
    support_needs: frozenset[str] = frozenset()

    def strata(self, name: str) -> tuple[str, ...]:
        """The values of stratum `name` this candidate is in (none, one, or for the multi strata more)."""
        if name in MULTI_STRATA:
            return tuple(sorted(getattr(self, name)))
        value = getattr(self, name)
        return () if value is None else (value,)


@dataclass(frozen=True, slots=True)
class AssessorRisk:
    """CAMERA's "Assessors": new to assessing this qualification, or disagreed with recently."""

    new: bool = False
    recent_disagreements: int = 0


@dataclass(frozen=True)
class SamplingPolicy:
    """The written strategy's rates (R-42), as fractions in [0, 1]. Per-assessor rates of the IV plan
    override the default for that assessor; risk rates apply on top (the largest applicable wins)."""

    default_rate: Fraction = Fraction(1, 5)
    new_assessor_rate: Fraction = Fraction(1)
    disagreement_rate: Fraction = Fraction(1, 2)
    new_qualification_rate: Fraction = Fraction(1)
    assessor_rates: Mapping[str, Fraction] = field(default_factory=dict)

    def rate_for(self, assessor: str, risk: AssessorRisk, new_qualification: bool) -> tuple[Fraction, str]:
        """The assessor's rate and why: the largest of the rates that apply."""
        options = [
            (Fraction(self.assessor_rates[assessor]), "the IV plan's rate for this assessor")
            if assessor in self.assessor_rates
            else (Fraction(self.default_rate), "the IV plan's default rate")
        ]
        if risk.new:
            options.append((Fraction(self.new_assessor_rate), "new assessor"))
        if risk.recent_disagreements:
            options.append(
                (
                    Fraction(self.disagreement_rate),
                    f"{risk.recent_disagreements} recent disagreement(s) with this assessor",
                )
            )
        if new_qualification:
            options.append((Fraction(self.new_qualification_rate), "new qualification or specification"))
        rate, why = max(options, key=lambda o: o[0])
        return min(max(rate, Fraction(0)), Fraction(1)), why

    def as_json(self) -> dict:
        return {
            "default_rate": str(self.default_rate),
            "new_assessor_rate": str(self.new_assessor_rate),
            "disagreement_rate": str(self.disagreement_rate),
            "new_qualification_rate": str(self.new_qualification_rate),
            "assessor_rates": {k: str(Fraction(v)) for k, v in sorted(self.assessor_rates.items())},
        }


@dataclass(frozen=True, slots=True)
class SampledItem:
    candidate: Candidate
    rationale: tuple[str, ...]


@dataclass(frozen=True)
class Sample:
    seed: int
    inputs_digest: str
    items: tuple[SampledItem, ...]
    # assessor -> (rate, why, quota, population)
    rates: Mapping[str, tuple[Fraction, str, int, int]]

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(i.candidate.id for i in self.items)


def rank(seed: int, candidate_id: str) -> bytes:
    """A candidate's place in the draw with `seed`: the lowest rank is taken first."""
    return hashlib.sha256(f"{seed}:{candidate_id}".encode()).digest()


def inputs_digest(
    candidates: Iterable[Candidate],
    policy: SamplingPolicy,
    risks: Mapping[str, AssessorRisk],
    new_qualification: bool,
    flagged: Mapping[str, str] | None = None,
) -> str:
    """SHA-256 of the canonical inputs (order-free): stored with the sample so a later redraw can show it
    saw the same population and strategy. Flags enter only when there are any, so the digest of a draw
    without them is what it was before flags existed."""
    body: dict[str, Any] = {
        "candidates": sorted(
            [c.id, c.assessor, c.grade, c.site, sorted(c.methods), sorted(c.support_needs)]
            for c in candidates
        ),
        "policy": policy.as_json(),
        "new_qualification": new_qualification,
        "risks": {k: [v.new, v.recent_disagreements] for k, v in sorted(risks.items())},
    }
    if flagged:
        body["flagged"] = sorted(flagged)
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def quota(rate: Fraction, population: int) -> int:
    """At least one decision of every assessor; otherwise ceil(rate x population)."""
    return max(1, math.ceil(Fraction(rate) * population)) if population else 0


def draw(
    candidates: Sequence[Candidate],
    policy: SamplingPolicy = SamplingPolicy(),
    *,
    risks: Mapping[str, AssessorRisk] | None = None,
    new_qualification: bool = False,
    seed: int = 0,
    flagged: Mapping[str, str] | None = None,
) -> Sample:
    """The IV sample of `candidates` (see the module docstring for the guarantees). `flagged` maps a
    candidate flagged for review (R-62, R-73) to why: it is always taken."""
    risks = risks or {}
    flagged = flagged or {}
    seen: set[str] = set()
    for c in candidates:
        if c.id in seen:
            raise ValueError(f"candidate {c.id} given twice")
        seen.add(c.id)
    ordered = sorted(candidates, key=lambda c: (rank(seed, c.id), c.id))
    reasons: dict[str, list[str]] = {}

    def take(c: Candidate, why: str) -> None:
        reasons.setdefault(c.id, []).append(why)

    # 1. every decision flagged for review (an appeal's outcome, a staff malpractice case)
    for c in ordered:
        if c.id in flagged:
            take(c, f"flagged for review: {flagged[c.id]}")
    # 2. coverage of every stratum present
    for name in STRATA + MULTI_STRATA:
        label = _LABELS.get(name, name)
        covered: set[str] = set()
        for c in ordered:
            for value in c.strata(name):
                if value not in covered:
                    covered.add(value)
                    take(c, f"covers {label} {value}")
    # 3. each assessor's rate, weighted to risk
    by_assessor: dict[str, list[Candidate]] = {}
    for c in ordered:
        by_assessor.setdefault(c.assessor, []).append(c)
    rates = {}
    for assessor, theirs in sorted(by_assessor.items()):
        rate, why = policy.rate_for(assessor, risks.get(assessor, AssessorRisk()), new_qualification)
        need = quota(rate, len(theirs))
        rates[assessor] = (rate, why, need, len(theirs))
        have = sum(1 for c in theirs if c.id in reasons)
        for c in theirs:
            if have >= need:
                break
            if c.id not in reasons:
                have += 1
                take(c, f"assessor rate {_pct(rate)} ({why}): {need} of {len(theirs)}")
    items = tuple(SampledItem(c, tuple(reasons[c.id])) for c in ordered if c.id in reasons)
    digest = inputs_digest(candidates, policy, risks, new_qualification, flagged)
    return Sample(seed, digest, items, rates)


_LABELS = {"methods": "method", "support_needs": "support need"}


def _pct(rate: Fraction) -> str:
    value = float(rate) * 100
    return f"{value:.0f}%" if value == int(value) else f"{value:.1f}%"


def grade_of(criteria: Sequence[Mapping], unit_grades: Mapping[str, str] | None = None) -> str:
    """The grade band a decision reached (for the grade stratum): the highest band b such that every
    targeted criterion of band b and below is achieved and at least one of band b is targeted; U when
    a targeted pass criterion is missed. A unit graded by a recorded grade (no criteria) uses that
    grade's initial (Pass/Merit/Distinction/U...)."""
    if not criteria and unit_grades:
        initials = [str(g)[:1].upper() for g in unit_grades.values()]
        best = max((GRADES.index(i) for i in initials if i in GRADES), default=0)
        return GRADES[best]
    bands: dict[str, list[bool]] = {"P": [], "M": [], "D": []}
    for c in criteria:
        code = str(c["code"])
        band = code.split(".", 1)[1][:1] if "." in code else code[:1]
        if band in bands:
            bands[band].append(bool(c["achieved"]))
    grade = "U"
    for band in ("P", "M", "D"):
        if not bands[band]:
            if band == "P":
                continue
            break
        if not all(bands[band]):
            break
        grade = band
    return grade
