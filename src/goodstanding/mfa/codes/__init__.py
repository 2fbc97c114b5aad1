"""A code by text message or e-mail as a fallback second factor, through accounts' code service."""
