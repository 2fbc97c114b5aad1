"""The marketplace's systems: API keys (hashed, scoped, revocable) for integrations."""
