"""Telling people: e-mail over SMTP and SMS through a provider, sent from jobs after commit."""
