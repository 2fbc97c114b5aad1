"""Shared building blocks that every domain uses: database, errors, i18n, logging, clock, jobs."""
