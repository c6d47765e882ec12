"""Every error the server can answer with, and the exception that carries one.

Cloudflare publishes no catalogue of its error codes; the codes and messages here are
the ones seen on the wire from api.cloudflare.com, and where the real API is unknown, a
code of this project's own (marked so in the README's error table). Handlers raise
``ApiError``; the application turns it into the ``{success, errors, messages, result}``
envelope in one place.

    ApiError
     └── carries one ErrorSpec (code, HTTP status, message template)
         plus an optional error_chain and extra response headers
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    """One entry of the catalogue: a Cloudflare error code, its HTTP status, and a
    message template formatted with the keyword arguments given at raise time."""

    code: int
    status: int
    message: str
    cloudflare: bool = True  # False: a code of this project's own choosing

    def __call__(self, **fmt: Any) -> ApiError:
        return ApiError(self, self.message.format(**fmt) if fmt else self.message)


class ApiError(Exception):
    """An error answered to the client as a Cloudflare envelope."""

    def __init__(
        self,
        spec: ErrorSpec,
        message: str,
        *,
        chain: tuple[ErrorSpec, ...] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.spec = spec
        self.message = message
        self.chain = chain
        self.headers: dict[str, str] = dict(headers or {})
        self.follow: list[dict[str, Any]] = []
        # Why, for logs and the dashboard only; never sent to the client.
        self.reason: str | None = None

    @property
    def status(self) -> int:
        return self.spec.status

    @property
    def code(self) -> int:
        return self.spec.code

    def with_chain(self, *chain: ErrorSpec) -> ApiError:
        self.chain = chain
        return self

    def because(self, reason: str) -> ApiError:
        """Record the reason behind this error, for logs and the dashboard."""
        self.reason = reason
        return self

    def with_headers(self, **headers: str) -> ApiError:
        self.headers.update({k.replace("_", "-"): v for k, v in headers.items()})
        return self

    def then(self, spec: ErrorSpec, **fmt: Any) -> ApiError:
        """Add a second error after this one (7003 is always followed by 7000)."""
        self.follow.append({"code": spec.code, "message": spec.message.format(**fmt)})
        return self

    def errors(self) -> list[dict[str, Any]]:
        first: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.chain:
            first["error_chain"] = [
                {"code": c.code, "message": c.message} for c in self.chain
            ]
        return [first, *self.follow]


# --- authentication -------------------------------------------------------------------
MISSING_CREDENTIALS = ErrorSpec(
    9106, 400, "Missing X-Auth-Key, X-Auth-Email or Authorization headers"
)
INVALID_HEADERS = ErrorSpec(6003, 400, "Invalid request headers")
BAD_EMAIL_HEADER = ErrorSpec(6102, 400, "Invalid format for X-Auth-Email header")
BAD_KEY_HEADER = ErrorSpec(6103, 400, "Invalid format for X-Auth-Key header")
BAD_AUTHORIZATION_HEADER = ErrorSpec(
    6111, 400, "Invalid format for Authorization header"
)
UNKNOWN_KEY = ErrorSpec(9103, 403, "Unknown X-Auth-Key or X-Auth-Email")
INVALID_TOKEN = ErrorSpec(1000, 401, "Invalid API Token")
MISSING_AUTHORIZATION = ErrorSpec(1001, 400, 'Missing "Authorization" header')

# --- authorization --------------------------------------------------------------------
UNAUTHORIZED = ErrorSpec(9109, 403, "Unauthorized to access requested resource")
BAD_LOCATION = ErrorSpec(9109, 403, "Cannot use the access token from location: {ip}")
USER_AUTH_REQUIRED = ErrorSpec(9109, 403, "Valid user-level authentication not found")
ACCOUNT_TOKEN_LIST_ACCOUNTS = ErrorSpec(
    1001, 400, "List accounts endpoint does not support account owned tokens."
)
AUTHENTICATION_ERROR = ErrorSpec(10000, 401, "Authentication error")

# --- routing --------------------------------------------------------------------------
BAD_IDENTIFIER = ErrorSpec(
    7003, 400, "Could not route to {path}, perhaps your object identifier is invalid?"
)
NO_ROUTE = ErrorSpec(7000, 404, "No route for that URI")
METHOD_NOT_ALLOWED = ErrorSpec(
    10405, 405, "Method {method} not allowed for this route", cloudflare=False
)

# --- request bodies and parameters ----------------------------------------------------
MALFORMED_JSON = ErrorSpec(6007, 400, "Malformed JSON in request body")
INVALID_REQUEST = ErrorSpec(1001, 400, "{detail}")
BODY_TOO_LARGE = ErrorSpec(
    10413, 413, "Request body larger than {limit} bytes", cloudflare=False
)
URI_TOO_LONG = ErrorSpec(
    10414, 414, "Request URI longer than {limit} bytes", cloudflare=False
)
HEADERS_TOO_LARGE = ErrorSpec(
    10431,
    431,
    "Request headers too large: at most {count} headers and {limit} bytes",
    cloudflare=False,
)
INVALID_PAGINATION = ErrorSpec(1001, 400, "{detail}")

# --- resources ------------------------------------------------------------------------
# The real API's codes for an unknown id inside a visible account, a conflict and a
# quota are not known from any capture; these three are this project's choice.
NOT_FOUND = ErrorSpec(1003, 404, "{what} not found", cloudflare=False)
CONFLICT = ErrorSpec(1004, 409, "{detail}", cloudflare=False)
INVALID_ROLES = ErrorSpec(1001, 400, "Invalid role assignments found")
QUOTA_EXCEEDED = ErrorSpec(1005, 400, "{detail}", cloudflare=False)
FORBIDDEN_ACTION = ErrorSpec(9109, 403, "{detail}")

# --- rate limits and server state -----------------------------------------------------
RATE_LIMITED = ErrorSpec(
    971, 429, "Please wait and consider throttling your request speed"
)
# The default of an injected fault (admin API /faults); a rule chooses its own
# status, and may choose its own code and message.
INJECTED_FAULT = ErrorSpec(10900, 500, "Injected fault", cloudflare=False)
INTERNAL_ERROR = ErrorSpec(
    10500, 500, "Internal server error (cf-ray {ray})", cloudflare=False
)
DATABASE_UNAVAILABLE = ErrorSpec(
    10503,
    503,
    "Service temporarily unavailable: the database cannot be reached",
    cloudflare=False,
)
DATABASE_BUSY = ErrorSpec(
    10504,
    503,
    "Service temporarily unavailable: the database is busy; retry shortly",
    cloudflare=False,
)


def catalogue() -> list[tuple[str, ErrorSpec]]:
    """Every error the server can send, by its name in this module (for the docs)."""
    return [
        (name, spec) for name, spec in globals().items() if isinstance(spec, ErrorSpec)
    ]
