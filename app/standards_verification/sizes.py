"""R-50: the required sample size, a pure function of the centre's reference table, the measure and the
number of learners on the programme (no database, no clock)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from app.standards_verification.schemas import Measure


@dataclass(frozen=True)
class SizeTable:
    """The reference figures (public Pearson guidance for international centres, 2025) are the defaults:
    5 or fewer learners: all; up to 25: 6 (Enhanced 9); 26-100: 9 (12); 101-200: 12 (15); above 200:
    +12 (+15) for each further 100 or part of 100."""

    all_up_to: int = 5
    band_limits: Sequence[int] = (25, 100, 200)
    standard_sizes: Sequence[int] = (6, 9, 12)
    enhanced_sizes: Sequence[int] = (9, 12, 15)
    further_standard: int = 12
    further_enhanced: int = 15

    def required(self, measure: Measure, learners: int) -> int:
        if learners <= self.all_up_to:
            return learners
        sizes = self.enhanced_sizes if measure is Measure.enhanced else self.standard_sizes
        further = self.further_enhanced if measure is Measure.enhanced else self.further_standard
        for limit, size in zip(self.band_limits, sizes, strict=False):
            if learners <= limit:
                return size
        last = min(len(self.band_limits), len(sizes)) - 1
        beyond = learners - self.band_limits[last]
        return sizes[last] + math.ceil(beyond / 100) * further


def units_required(measure: Measure) -> int:
    """R-50: Enhanced asks for two units."""
    return 2 if measure is Measure.enhanced else 1
