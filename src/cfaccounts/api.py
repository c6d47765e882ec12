"""The route tables of every resource family, in one list."""

from __future__ import annotations

from .accounts.routes import routes as accounts
from .admin.routes import routes as admin
from .audit.routes import routes as audit
from .faults.routes import routes as faults_admin
from .http.routing import Route
from .iam.routes import routes as iam
from .members.routes import routes as members
from .memberships.routes import routes as memberships
from .roles.routes import routes as roles
from .tokens.routes import routes as tokens
from .users.routes import routes as users


def api_routes() -> list[Route]:
    """Every ``/client/v4`` route."""
    return [
        *accounts.routes,
        *members.routes,
        *roles.routes,
        *iam.routes,
        *users.routes,
        *memberships.routes,
        *tokens.routes,
        *audit.routes,
    ]


def admin_routes() -> list[Route]:
    """Every ``/_cfaccounts`` route."""
    return [*admin.routes, *faults_admin.routes]
