"""The user: details, edits, and the legacy organizations view of memberships."""
