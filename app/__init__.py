"""Verity: system of record for vocational assessment and quality assurance."""
