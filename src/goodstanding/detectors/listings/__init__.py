"""Restricted-product screening of marketplace listings (phrases, embeddings, policy decision)."""
