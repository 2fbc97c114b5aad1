"""Linked seller accounts: exact links kept current per event, fuzzy links found in a batch pass.

- `identifiers`: canonical forms of emails, phones, IPs, devices, bank-account hashes, tax ids.
- `graph`: the incremental linker (union-find over identifier edges, caps, reviewer splits).
- `rebuild`: the same clusters from a whole edge table, and the DuckDB baseline.
- `fuzzy`: Splink over names and addresses, on DuckDB or Spark.
- `evidence`: the cluster graph a reviewer sees.
- `policy_input`: which accounts raise the multiple-accounts policy.
"""
