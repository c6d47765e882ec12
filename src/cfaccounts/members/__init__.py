"""Account members: list, add (or invite), details, update, remove."""
