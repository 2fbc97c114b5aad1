"""goodstanding: account access, recovery and seller good standing for marketplaces."""

__version__ = "0.1.0"
