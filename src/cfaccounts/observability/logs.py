"""Structured logs: the two formats (JSON lines, or readable text with ``key=value``
pairs), the logging set-up of the server process, and the per-request event.

A structured event is an ordinary ``logging`` record whose ``fields`` attribute holds
a dict (pass ``extra={"fields": {...}}``); records without one (from uvicorn, alembic or
a traceback) are formatted the same way with just their message. Nothing is built for a
level that is off: the request hook checks ``isEnabledFor`` before it looks at the
request, and the message is formatted only by the handler that writes it.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

import orjson

from .denials import error_of, explain, route_of

if TYPE_CHECKING:
    from ..http.request import Request
    from ..http.response import Response
    from ..services import Services

LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("debug", "info", "warning", "error")

request_log = logging.getLogger("cfaccounts.request")
auth_log = logging.getLogger("cfaccounts.auth")

# Fields the text format leaves out because its message already says them.
_IN_TEXT_MESSAGE = frozenset({"event", "method", "path", "status", "latency_ms"})


_second: list[Any] = [-1, ""]  # the last whole second formatted, and its text


def _utc(created: float) -> str:
    whole = int(created)
    if whole != _second[0]:
        _second[1] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))
        _second[0] = whole
    return f"{_second[1]}.{int((created - whole) * 1000):03d}Z"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, then the fields."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": _utc(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if fields:
            out.update(fields)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(out, default=str).decode()


_NEEDS_QUOTES = re.compile(r'[\s"=]')


def _text_value(value: Any) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, list | tuple | frozenset | set):
        text = ",".join(str(v) for v in value)
    else:
        text = str(value)
    if not text or _NEEDS_QUOTES.search(text):
        return orjson.dumps(text).decode()
    return text


class TextFormatter(logging.Formatter):
    """``time LEVEL logger message key=value ...``, one line per event (a traceback
    follows on the next lines)."""

    def format(self, record: logging.LogRecord) -> str:
        parts = [
            _utc(record.created),
            record.levelname,
            record.name,
            record.getMessage(),
        ]
        fields = getattr(record, "fields", None)
        if fields:
            parts += [
                f"{k}={_text_value(v)}"
                for k, v in fields.items()
                if k not in _IN_TEXT_MESSAGE and v is not None
            ]
        line = " ".join(parts)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def formatter(fmt: str) -> logging.Formatter:
    """The formatter for ``fmt`` ("json" or "text")."""
    if fmt not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}")
    return JsonFormatter() if fmt == "json" else TextFormatter()


def configure_logging(level: str, fmt: str, stream: IO[str] | None = None) -> None:
    """Send every log record of the process (uvicorn's included) to one handler on
    ``stream`` (stderr by default) in ``fmt``, at ``level`` and above."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(fmt))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # Our request event replaces uvicorn's access line.
    logging.getLogger("uvicorn.access").disabled = True


def request_logger(services: Services) -> Callable[[Request, Response, float], None]:
    """The ``on_request`` hook that logs one event per request (INFO, logger
    ``cfaccounts.request``) and, at DEBUG, why a refused request was refused (logger
    ``cfaccounts.auth``)."""

    def hook(req: Request, resp: Response, elapsed: float) -> None:
        info = request_log.isEnabledFor(logging.INFO)
        debug = resp.status in (401, 403) and auth_log.isEnabledFor(logging.DEBUG)
        if not (info or debug):
            return
        try:
            _log(services, req, resp, elapsed, info, debug)
        except Exception:  # a log line must never take the server down
            request_log.exception("could not log request (cf-ray %s)", req.ray)

    return hook


def _log(
    services: Services,
    req: Request,
    resp: Response,
    elapsed: float,
    info: bool,
    debug: bool,
) -> None:
    path = req.path.split("?", 1)[0]
    route = route_of(req)
    code, message = error_of(resp)
    principal = req.principal
    kind = principal.kind if principal else None
    cred = principal.credential_id if principal else None
    if debug:
        fields = explain(services, req, code, message)
        fields.update(
            method=req.method,
            route=route,
            status=resp.status,
            credential_kind=kind,
            credential_id=cred,
            ray=req.ray,
        )
        auth_log.debug("refused: %s", fields["reason"], extra={"fields": fields})
    if info:
        latency = round(elapsed * 1000, 3)
        # makeRecord + handle is what Logger.info does, less the walk up the stack to
        # find the caller's file and line, which nobody reads for this event.
        record = request_log.makeRecord(
            request_log.name,
            logging.INFO,
            "",
            0,
            "%s %s %s %.1fms",
            (req.method, path, resp.status, latency),
            None,
            extra={
                "fields": {
                    "event": "request",
                    "method": req.method,
                    "path": path,
                    "route": route,
                    "status": resp.status,
                    "code": code,
                    "credential_kind": kind,
                    "credential_id": cred,
                    "latency_ms": latency,
                    "ray": req.ray,
                    "client_ip": req.client_ip,
                }
            },
        )
        request_log.handle(record)
