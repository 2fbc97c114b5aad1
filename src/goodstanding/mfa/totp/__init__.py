"""Authenticator apps (TOTP, RFC 6238): SHA-1, 6 digits, 30-second steps, ±1 step of drift."""
