"""Qualification catalogue and grading engine.

specification.py loads and validates qualification files (docs/qualification-files.md) into the frozen
structure of structure.py; grading.py turns learners' results into unit and qualification grades
(R-02..R-05). Both are pure: no database, no I/O beyond reading a specification file.
"""
