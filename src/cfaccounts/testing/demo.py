"""The demo data's ids and credentials, as constants a test can use."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

# The seed file of the demo data; a seed list may name it beside the user's own seeds.
DEMO_SEED = str(resources.files("cfaccounts").joinpath("demo", "demo.yaml"))


@dataclass(frozen=True)
class Demo:
    """What the demo seed holds (values from Cloudflare's documentation examples)."""

    account_id: str = "023e105f4ecef8ad9ca31a8372d0c353"
    account_name: str = "Demo Account"
    user_id: str = "7c5dae5552338874e5053f2534d2767a"
    email: str = "user@example.com"
    api_key: str = "144c9defac04969c7bfad8efaa8ea194"
    # Account Settings Read on the demo account, usable from 127.0.0.1 and ::1.
    user_token: str = "vLkX0nq2PfbM8Zc3T5rWy7Hs1Gd4Jk6Ne9Qa0Ubo"
    user_token_id: str = "ed17574386854bf78a67040be0a770b0"
    # An account-owned token with Account Settings Read on the demo account.
    account_token: str = "cfat_Wq8Lr2Zx5Cv7Bn1Mk4Jh6Gf9Ds3Ap0Oi2Uy5Te8R"
    account_token_id: str = "9a7806061c88ada191ed06f989cc3dac"
    # A second member, with a custom read-only role.
    viewer_email: str = "viewer@example.com"
    viewer_api_key: str = "2c1ebd0d8f3a4b5c9e7f6a5b4c3d2e1f0a9b8"


DEMO = Demo()
