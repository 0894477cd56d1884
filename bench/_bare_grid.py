"""The grid baseline (issue 18 b): a hand-written asyncpg query that builds the cohort grid's JSON in
PostgreSQL (columns, one row per learner with the status of each criterion, unit and qualification
grades), served by a bare endpoint in the baseline app. It does the SQL part of the grid and the shape of
its JSON; its grading is the plain BTEC P/M/D rule over the current versions (all P -> P, + all M -> M,
+ all D -> D; the qualification's grade the lowest unit's), not the engine's (no R-05 best-of attempts,
retakes, exams or R-14 registration), so it is a *harder* baseline than the service's full work.
"""

from __future__ import annotations

GRID_SQL = """
WITH cols AS (
    SELECT DISTINCT (c->>'unit_number')::int AS unit_number, c->>'code' AS code
    FROM assignment_briefs b, jsonb_array_elements(b.criteria) c
    WHERE b.programme_id = $1 AND b.status IN ('issued', 'closed')
), cohort AS (
    SELECT l.id, l.given_name, l.family_name, e.status
    FROM enrolments e JOIN learners l ON l.id = e.learner_id
    WHERE e.programme_id = $1 AND e.status IN ('enrolled', 'registered', 'completed', 'transferred')
), judged AS (
    SELECT d.learner_id, (c->>'unit_number')::int AS unit_number, c->>'code' AS code,
           max(CASE WHEN NOT (c->>'achieved')::bool THEN 2 WHEN d.status = 'released' THEN 4 ELSE 3 END)
               AS rank
    FROM assessment_decisions d
    JOIN assessment_decision_versions v ON v.decision_id = d.id AND v.number = d.current_version
    CROSS JOIN LATERAL jsonb_array_elements(v.criteria) c
    WHERE d.programme_id = $1
    GROUP BY 1, 2, 3
), cells AS (
    SELECT k.id AS learner_id, cols.unit_number, cols.code, coalesce(j.rank, 1) AS rank
    FROM cohort k CROSS JOIN cols
    LEFT JOIN judged j ON j.learner_id = k.id AND j.unit_number = cols.unit_number AND j.code = cols.code
), units AS (
    SELECT learner_id, unit_number,
           CASE WHEN bool_and(rank >= 3) THEN 'D'
                WHEN bool_and(rank >= 3 OR left(code, 1) = 'D') THEN 'M'
                WHEN bool_and(rank >= 3 OR left(code, 1) IN ('M', 'D')) THEN 'P'
                WHEN bool_or(rank >= 2) THEN 'U' END AS grade
    FROM cells GROUP BY 1, 2
)
SELECT json_build_object(
    'programme_id', $1::uuid,
    'columns', (SELECT json_agg(json_build_object('unit_number', unit_number, 'code', code)
                                ORDER BY unit_number, code) FROM cols),
    'rows', coalesce((SELECT json_agg(json_build_object(
        'learner_id', k.id, 'given_name', k.given_name, 'family_name', k.family_name,
        'statuses', (SELECT json_agg(CASE c.rank WHEN 4 THEN 'achieved' WHEN 3 THEN 'achieved_pending_iv'
                                     WHEN 2 THEN 'not_achieved' ELSE 'targeted' END
                                     ORDER BY c.unit_number, c.code)
                     FROM cells c WHERE c.learner_id = k.id),
        'unit_grades', (SELECT json_object_agg(u.unit_number::text, u.grade) FROM units u
                        WHERE u.learner_id = k.id),
        'qualification_grade', (SELECT coalesce(min(CASE u.grade WHEN 'U' THEN 'U' WHEN 'P' THEN 'P'
                                       WHEN 'M' THEN 'M' ELSE 'D' END), 'U') FROM units u
                                WHERE u.learner_id = k.id),
        'enrolment_status', k.status)
        ORDER BY k.family_name, k.given_name, k.id) FROM cohort k), '[]'::json))::text
"""
