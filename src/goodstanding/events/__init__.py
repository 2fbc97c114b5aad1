"""Marketplace events: the wire format, its canonical stored form and file readers."""
