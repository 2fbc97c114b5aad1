"""Backup codes: ten single-use codes, shown once, stored hashed, regenerable."""
