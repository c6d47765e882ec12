"""The audit log: every write is recorded, and readable per account."""
