"""Outgoing webhooks to the marketplace, signed per the Standard Webhooks specification."""
