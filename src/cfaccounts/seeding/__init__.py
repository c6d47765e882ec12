"""Seed documents: declare users, accounts, members, roles and tokens in JSON or YAML,
load them into a database (an upsert by id, users also by email), export a database as
one."""

from .export import export_state
from .load import SeedError, load_document, load_files, read_file

__all__ = ["SeedError", "export_state", "load_document", "load_files", "read_file"]
