"""Passkeys and security keys (WebAuthn): as a second step, and as passwordless sign-in."""
