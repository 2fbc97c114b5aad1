"""Accounts: sign-up, sign-in, browser sessions, recovery of a forgotten password or username."""
