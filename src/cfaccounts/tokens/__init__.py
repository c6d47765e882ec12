"""API tokens: user tokens and account-owned tokens.

``routes`` (the HTTP handlers of both families), ``service`` (the rules: quotas,
validity windows, minting and rolling secrets), ``grants`` (what a token may be
granted), ``body`` (request bodies), ``policies`` (policies and conditions in canonical
form, shared with seeding), ``groups`` (the permission-group listings), ``store``
(SQL), ``wire`` (rows as the API shows them) and ``usage`` (``last_used_on``, written
behind the request).
"""
