"""Detectors that screen marketplace content (listings, reviews) for policy violations.

Each detector is a pure function of its input plus trained artefacts shipped in the package;
none of them reads the database or makes network calls.
"""
