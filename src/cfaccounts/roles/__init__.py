"""Account roles: the built-in roles of the catalogue and each account's custom roles,
read-only over the API."""
