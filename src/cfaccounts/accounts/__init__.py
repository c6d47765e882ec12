"""Accounts: list, create, details, update, delete."""
