"""Seller performance metrics: definitions as data, order state, reference and batch engines."""
