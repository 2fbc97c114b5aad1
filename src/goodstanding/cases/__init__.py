"""Cases: work for staff about an account, in queues, claimed, decided, with a timeline.

This is the shared core; each kind of case (identity recovery, appeal, ...) keeps its own
``payload`` and its own flow in its domain, and uses this package for status, claims, decisions
and the timeline.

Importing the package registers the audit trail's flush hook (``audit.py``): every writer of case
events or standing changes (the case core, the policy engine, their jobs) imports this package,
so no transaction, web request or worker, can write one without its audit entry.
"""

from goodstanding.cases import audit as audit
