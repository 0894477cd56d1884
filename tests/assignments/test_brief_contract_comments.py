"""The published contract says what a brief's return accepts: comments that say something."""

from __future__ import annotations

import re

from app.assignments.schemas import BriefReturn


def test_r21_a_return_whose_comments_are_only_blank_is_refused_by_the_contract_itself():
    """Schemathesis found a tab alone accepted by the published pattern and refused as too short once
    stripped: the contract and the API disagreed."""
    schema = BriefReturn.model_json_schema()["properties"]["comments"]
    assert not re.fullmatch(schema["pattern"], "\t")
    assert re.fullmatch(schema["pattern"], "Rework task 2.")
