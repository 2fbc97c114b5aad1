"""Cases: work for staff about an account, in queues, claimed, decided, with a timeline.

This is the shared core; each kind of case (identity recovery, appeal, ...) keeps its own
``payload`` and its own flow in its domain, and uses this package for status, claims, decisions
and the timeline.
"""
