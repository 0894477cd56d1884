"""The retention tests' world (tests/records/test_retention.py), shared with the purge's tests."""

from tests.records.test_retention import certified, world  # noqa: F401
