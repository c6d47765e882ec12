"""A real cfaccounts server for a test session: uvicorn on a free loopback port, in a
thread of the test process, over its own database, with helpers to reset, seed and
inspect its state and to make SDK clients pointed at it."""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from ..config import Settings
from .demo import DEMO_SEED

if TYPE_CHECKING:
    import cloudflare
    import httpx

    from ..http.app import App

# What a seed may be given as: a seed document (a dict), the path of a seed file (JSON
# or YAML), or a list of these, loaded in order. None means no data at all.
SeedSpec: TypeAlias = (
    Mapping[str, Any] | str | os.PathLike[str] | list[Any] | tuple[Any, ...] | None
)


@dataclass
class SeedReport:
    """What a reset or a seed loaded. ``minted`` lists the tokens the seed declared
    without a value, with the value they were given (shown only here)."""

    users: int = 0
    accounts: int = 0
    members: int = 0
    tokens: int = 0
    minted: list[dict[str, str]] = field(default_factory=list)

    def add(self, other: Any) -> None:
        self.users += other.users
        self.accounts += other.accounts
        self.members += other.members
        self.tokens += other.tokens
        self.minted += other.minted


class _Keep:
    """The default of ``reset``: keep the current seed."""


KEEP = _Keep()

_file_cache: dict[tuple[str, int], dict[str, Any]] = {}


def _read(path: str) -> dict[str, Any]:
    """A seed file parsed once per version of the file (tests reset often)."""
    from ..seeding import read_file

    resolved = str(Path(path).resolve())
    try:
        stamp = os.stat(resolved).st_mtime_ns
    except OSError:
        return read_file(resolved)  # raises SeedError naming the file
    key = (resolved, stamp)
    doc = _file_cache.get(key)
    if doc is None:
        doc = _file_cache[key] = read_file(resolved)
    return doc


def seed_documents(spec: SeedSpec) -> list[dict[str, Any]]:
    """The seed documents a SeedSpec stands for, in order."""
    if spec is None:
        return []
    if isinstance(spec, Mapping):
        return [dict(spec)]
    if isinstance(spec, str | os.PathLike):
        return [_read(os.fspath(spec))]
    if isinstance(spec, list | tuple):
        return [doc for item in spec for doc in seed_documents(item)]
    raise TypeError(
        f"a seed is a dict, a file path, or a list of them; got {type(spec).__name__}"
    )


def credentials_from(
    docs: Iterable[Mapping[str, Any]], minted: Iterable[Mapping[str, str]] = ()
) -> dict[str, str]:
    """SDK keyword arguments for the first credential the seed documents declare with
    its secret: a user's global API key, else a user token's value, else an account
    token's value, else a token minted while loading. Empty when there is none."""
    docs = list(docs)
    for doc in docs:
        for user in doc.get("users") or ():
            if isinstance(user, Mapping) and user.get("api_key") and user.get("email"):
                return {
                    "api_email": str(user["email"]),
                    "api_key": str(user["api_key"]),
                }
    for doc in docs:
        for user in doc.get("users") or ():
            for token in (
                (user.get("tokens") or ()) if isinstance(user, Mapping) else ()
            ):
                if isinstance(token, Mapping) and token.get("value"):
                    return {"api_token": str(token["value"])}
    for doc in docs:
        for account in doc.get("accounts") or ():
            tokens = account.get("tokens") if isinstance(account, Mapping) else None
            for token in tokens or ():
                if isinstance(token, Mapping) and token.get("value"):
                    return {"api_token": str(token["value"])}
    for token in minted:
        return {"api_token": token["value"]}
    return {}


class CfaccountsServer:
    """A cfaccounts server running in a thread of the test process.

    ``url`` is the server's root, ``base_url`` the API base URL to give the SDK
    (``.../client/v4``). ``reset()``, ``seed()`` and ``state()`` act on the database
    directly (no HTTP round trip); ``admin()`` calls the admin API for anything else.
    """

    def __init__(
        self,
        database_url: str,
        *,
        seed: SeedSpec = DEMO_SEED,
        prefix: str = "/client/v4",
    ) -> None:
        from ..server import bind, build_app

        self.admin_token = secrets.token_hex(24)
        self.settings = Settings.from_env(
            env={},
            database_url=database_url,
            admin_token=self.admin_token,
            prefix=prefix,
            log_level="warning",
        )
        self.app: App = build_app(self.settings, seed=False)
        self.default_seed: SeedSpec = seed
        self.credentials: dict[str, str] = {}
        self.last_report = SeedReport()
        self._sock = bind("127.0.0.1", 0)
        self.port: int = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.base_url = self.url + self.settings.prefix
        self._server: Any = None
        self._thread: threading.Thread | None = None

    # -- life cycle --------------------------------------------------------------------
    def start(self) -> CfaccountsServer:
        """Serve in a daemon thread; returns once the server accepts connections."""
        import uvicorn

        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            server_header=False,
            lifespan="on",
            log_config=None,
            proxy_headers=False,  # the peer address decides IP conditions
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._sock]},
            name="cfaccounts-server",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the cfaccounts test server did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        """Stop serving and close the database."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(15)
        self._sock.close()
        self.app.services.db.dispose()

    # -- state -------------------------------------------------------------------------
    def reset(self, seed: SeedSpec | _Keep = KEEP) -> SeedReport:
        """Empty the database and load ``seed`` (by default the seed this test
        started with). The default credentials follow the new data."""
        from ..storage.state import wipe

        if not isinstance(seed, _Keep):
            self.default_seed = seed
        docs = seed_documents(self.default_seed)
        wipe(self.app.services.db)
        report = self._load(docs)
        self.credentials = credentials_from(docs, report.minted)
        self.last_report = report
        return report

    def seed(self, seed: SeedSpec) -> SeedReport:
        """Load more data on top of what is there (an upsert by id)."""
        return self._load(seed_documents(seed))

    def _load(self, docs: list[dict[str, Any]]) -> SeedReport:
        from ..seeding import load_document

        services = self.app.services
        report = SeedReport()
        for doc in docs:
            report.add(
                load_document(services.db, services.hasher, services.catalogue, doc)
            )
        return report

    def state(self) -> dict[str, Any]:
        """The whole state as a seed document (secrets only as their hashes)."""
        from ..seeding import export_state

        with self.app.services.db.read() as conn:
            return export_state(conn)

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A request to the admin API (``path`` below ``/_cfaccounts``) with the admin
        token."""
        import httpx

        headers = {"Authorization": f"Bearer {self.admin_token}"}
        headers.update(kwargs.pop("headers", None) or {})
        return httpx.request(
            method, f"{self.url}/_cfaccounts{path}", headers=headers, **kwargs
        )

    # -- clients -----------------------------------------------------------------------
    def client(self, **options: Any) -> cloudflare.Cloudflare:
        """The official SDK pointed at this server, with the default credentials
        unless ``options`` give some (``api_token=...``, or ``api_email`` and
        ``api_key``); other options go to the client as they are."""
        import cloudflare

        return cloudflare.Cloudflare(**self._client_options(options))

    def async_client(self, **options: Any) -> cloudflare.AsyncCloudflare:
        """The async SDK pointed at this server (see ``client``). Its connections
        are not kept alive, so it can be dropped without being closed, from any event
        loop."""
        import cloudflare

        options = self._client_options(options)
        if "http_client" not in options:
            import httpx

            options["http_client"] = cloudflare.DefaultAsyncHttpxClient(
                limits=httpx.Limits(max_keepalive_connections=0)
            )
        return cloudflare.AsyncCloudflare(**options)

    def _client_options(self, options: dict[str, Any]) -> dict[str, Any]:
        given = {"api_token", "api_key", "api_email", "user_service_key"} & set(options)
        out = {} if given else dict(self.credentials)
        out["base_url"] = self.base_url
        out.update(options)
        return out

    def env(self, **credentials: str) -> dict[str, str]:
        """The ``CLOUDFLARE_*`` environment variables that point code which builds its
        own ``Cloudflare()`` client at this server, with the default credentials
        unless given."""
        creds = credentials or self.credentials
        out = {"CLOUDFLARE_BASE_URL": self.base_url}
        if "api_token" in creds:
            out["CLOUDFLARE_API_TOKEN"] = creds["api_token"]
        if "api_key" in creds:
            out["CLOUDFLARE_API_KEY"] = creds["api_key"]
        if "api_email" in creds:
            out["CLOUDFLARE_EMAIL"] = creds["api_email"]
        return out
