"""The OpenAPI document the server serves (generated from its routes) and the
coverage report of the reference operations."""

from .generate import build_document

__all__ = ["build_document"]
