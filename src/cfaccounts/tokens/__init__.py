"""API tokens: user tokens and account-owned tokens."""
