"""Memberships: the user's side of account members (invitations, leaving)."""
