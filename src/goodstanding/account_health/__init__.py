"""The seller's Account Health: standing, rating, metrics, violations, and the way back."""
