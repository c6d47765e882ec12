"""The admin API under ``/_cfaccounts``: health, reset, seed, state. Never expose it
beyond the machine or network you trust: the admin token can wipe everything."""
