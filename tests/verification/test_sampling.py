"""R-42: the pure sampler's guarantees, as hypothesis properties (no database)."""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from app.verification.sampling import (
    GRADES,
    METHODS,
    SUPPORT_NEEDS,
    AssessorRisk,
    Candidate,
    SamplingPolicy,
    draw,
    grade_of,
    inputs_digest,
)
from tests.conftest import examples

ASSESSORS = [f"a{i}" for i in range(6)]
SITES = ["main", "annexe", "online", None]
rates = st.fractions(min_value=0, max_value=1, max_denominator=100)


@st.composite
def populations(draw_, min_size=1, max_size=80):
    n = draw_(st.integers(min_size, max_size))
    return [
        Candidate(
            id=f"d{i}",
            assessor=draw_(st.sampled_from(ASSESSORS)),
            grade=draw_(st.sampled_from(GRADES)),
            site=draw_(st.sampled_from(SITES)),
            methods=draw_(st.frozensets(st.sampled_from(METHODS), max_size=3)),
            support_needs=draw_(st.frozensets(st.sampled_from(SUPPORT_NEEDS), max_size=2)),
        )
        for i in range(n)
    ]


@st.composite
def policies(draw_):
    overrides = draw_(st.dictionaries(st.sampled_from(ASSESSORS), rates, max_size=3))
    return SamplingPolicy(
        default_rate=draw_(rates),
        new_assessor_rate=draw_(rates),
        disagreement_rate=draw_(rates),
        new_qualification_rate=draw_(rates),
        assessor_rates=overrides,
    )


risk_maps = st.dictionaries(
    st.sampled_from(ASSESSORS),
    st.builds(AssessorRisk, new=st.booleans(), recent_disagreements=st.integers(0, 3)),
    max_size=4,
)


def strata(cands, name):
    return {v for c in cands for v in c.strata(name)}


@settings(max_examples=examples(60, 300), deadline=None)
@given(populations(), policies(), risk_maps, st.booleans(), st.integers(0, 2**32))
def test_every_stratum_present_in_the_population_is_in_the_sample(pop, policy, risks, new_q, seed):
    sample = draw(pop, policy, risks=risks, new_qualification=new_q, seed=seed)
    picked = [i.candidate for i in sample.items]
    # R-42 with CAMERA: every method and every support need present is covered too.
    for name in ("assessor", "grade", "site", "methods", "support_needs"):
        assert strata(picked, name) == strata(pop, name), name
    assert all(i.rationale for i in sample.items)
    assert set(sample.ids) <= {c.id for c in pop}


@settings(max_examples=examples(60, 300), deadline=None)
@given(populations(), policies(), risk_maps, st.booleans(), st.integers(0, 2**32))
def test_rate_respected_per_assessor_with_ceil(pop, policy, risks, new_q, seed):
    sample = draw(pop, policy, risks=risks, new_qualification=new_q, seed=seed)
    for assessor in strata(pop, "assessor"):
        n = sum(1 for c in pop if c.assessor == assessor)
        rate, _, need, population = sample.rates[assessor]
        assert population == n and need == max(1, math.ceil(rate * n))
        got = sum(1 for i in sample.items if i.candidate.assessor == assessor)
        assert got >= need
        # Beyond the quota only the coverage picks (at most one per grade, site, method and support
        # need, plus the assessor's).
        assert got <= max(need, 1 + len(GRADES) + len(SITES) + len(METHODS) + len(SUPPORT_NEEDS))
        # Risk weighting: the rate is never below any rate that applies to this assessor.
        risk = risks.get(assessor, AssessorRisk())
        floor = Fraction(policy.assessor_rates.get(assessor, policy.default_rate))
        if risk.new:
            floor = max(floor, policy.new_assessor_rate)
        if risk.recent_disagreements:
            floor = max(floor, policy.disagreement_rate)
        if new_q:
            floor = max(floor, policy.new_qualification_rate)
        assert rate == min(floor, 1)


@settings(max_examples=examples(40, 200), deadline=None)
@given(populations(), policies(), risk_maps, st.integers(0, 2**32), st.randoms(use_true_random=False))
def test_deterministic_and_independent_of_input_order(pop, policy, risks, seed, rnd):
    a = draw(pop, policy, risks=risks, seed=seed)
    shuffled = list(pop)
    rnd.shuffle(shuffled)
    b = draw(shuffled, policy, risks=risks, seed=seed)
    assert a == b
    assert a.inputs_digest == inputs_digest(shuffled, policy, risks, False)


@settings(max_examples=examples(60, 300), deadline=None)
@given(populations(), rates, rates, st.integers(0, 2**32))
def test_monotonic_in_rate(pop, r1, r2, seed):
    low, high = sorted((r1, r2))
    small = draw(pop, SamplingPolicy(default_rate=low), seed=seed)
    large = draw(pop, SamplingPolicy(default_rate=high), seed=seed)
    assert small.ids <= large.ids


@given(populations(min_size=1, max_size=30), st.integers(0, 2**32))
def test_new_assessor_is_sampled_in_full(pop, seed):
    newcomer = pop[0].assessor
    sample = draw(pop, SamplingPolicy(), risks={newcomer: AssessorRisk(new=True)}, seed=seed)
    assert {c.id for c in pop if c.assessor == newcomer} <= sample.ids


def test_the_digest_changes_with_the_inputs_and_the_seed_changes_the_draw():
    pop = [Candidate(f"d{i}", "a", "P", "main") for i in range(50)]
    s1, s2 = draw(pop, seed=1), draw(pop, seed=2)
    assert s1.inputs_digest == s2.inputs_digest and s1.ids != s2.ids
    assert len(s1.ids) == 10  # 20% of 50
    other = draw(pop[:-1], seed=1)
    assert other.inputs_digest != s1.inputs_digest


def test_grade_of_a_decision():
    c = lambda code, ok: {"code": code, "achieved": ok}  # noqa: E731
    assert grade_of([c("A.P1", True), c("A.M1", True), c("AB.D1", True)]) == "D"
    assert grade_of([c("A.P1", True), c("A.M1", True), c("AB.D1", False)]) == "M"
    assert grade_of([c("A.P1", True), c("A.M1", False), c("AB.D1", True)]) == "P"
    assert grade_of([c("A.P1", False), c("A.M1", True)]) == "U"
    assert grade_of([], {"3": "Merit"}) == "M"


@settings(max_examples=examples(60, 300), deadline=None)
@given(populations(), st.integers(0, 2**32))
def test_r42_each_method_and_support_need_is_covered_by_a_candidate_in_it_with_its_reason(pop, seed):
    sample = draw(pop, SamplingPolicy(default_rate=Fraction(0)), seed=seed)
    for name, label in (("methods", "method"), ("support_needs", "support need")):
        for value in strata(pop, name):
            covering = [i for i in sample.items if f"covers {label} {value}" in i.rationale]
            assert len(covering) == 1 and value in covering[0].candidate.strata(name)


def test_r42_a_lone_method_or_need_is_sampled_even_at_a_low_rate():
    pop = [Candidate(f"d{i}", "a", "P", "main", frozenset({"product"})) for i in range(40)]
    pop += [
        Candidate("obs", "a", "P", "main", frozenset({"observation"})),
        Candidate("ra", "a", "P", "main", frozenset({"product"}), frozenset({"reasonable_adjustment"})),
    ]
    for seed in range(20):
        assert {"obs", "ra"} <= draw(pop, SamplingPolicy(default_rate=Fraction(1, 20)), seed=seed).ids


@settings(max_examples=examples(30, 150), deadline=None)
@given(populations(), policies(), risk_maps, st.integers(0, 2**32), st.data())
def test_r62_r73_every_flagged_decision_is_sampled_and_coverage_still_holds(pop, policy, risks, seed, data):
    flagged_ids = data.draw(st.sets(st.sampled_from([c.id for c in pop])))
    flagged = {i: "an upheld appeal questions this assessor's results" for i in flagged_ids}
    sample = draw(pop, policy, risks=risks, seed=seed, flagged=flagged)
    taken = {i.candidate.id: i.rationale for i in sample.items}
    for i in flagged_ids:
        assert f"flagged for review: {flagged[i]}" in taken[i]
    picked = [i.candidate for i in sample.items]
    for name in ("assessor", "grade", "site", "methods", "support_needs"):
        assert strata(picked, name) == strata(pop, name), name
    # No flags: the same draw and digest as a sampler that never heard of flags.
    plain = draw(pop, policy, risks=risks, seed=seed)
    assert draw(pop, policy, risks=risks, seed=seed, flagged={}) == plain
    assert (sample.inputs_digest == plain.inputs_digest) == (not flagged_ids)
