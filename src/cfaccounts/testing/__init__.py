"""Testing your own Cloudflare code against cfaccounts.

Installing cfaccounts registers a pytest plugin (``cfaccounts.testing.plugin``) with the
fixtures ``cfaccounts_server``, ``cloudflare_client``, ``async_cloudflare_client`` and
``cfaccounts_env``; see docs/testing.md. This package also names the demo data's values
(``DEMO``) and its seed file (``DEMO_SEED``), so a test can refer to them.

Importing it is cheap: the server, the SDK and uvicorn are imported only when a fixture
needs them.
"""

from __future__ import annotations

from .demo import DEMO, DEMO_SEED, Demo
from .harness import CfaccountsServer, SeedReport, SeedSpec

__all__ = ["DEMO", "DEMO_SEED", "CfaccountsServer", "Demo", "SeedReport", "SeedSpec"]
