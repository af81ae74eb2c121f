"""Poplar's token rules, in one place: how a bearer token is read, which tokens open an account,
and the stable account id and masked form each token gets.

Documented: a missing token is 401, a test token (``test...``) is 403 on the Orders API. Any
other non-empty token is a production token with its own account, unless the mock was started
with ``--tokens`` and the token is not among them (401).
"""

from __future__ import annotations

import uuid
from functools import lru_cache

from mocks.core.errors import ApiError

__all__ = [
    "ACCOUNTS_NAMESPACE",
    "TEST_TOKEN_PREFIX",
    "account_id_for",
    "bearer_token",
    "mask_token",
    "token_problem",
]

TEST_TOKEN_PREFIX = "test"
ACCOUNTS_NAMESPACE = uuid.UUID("6f1c2d3e-4b5a-4c6d-8e7f-90a1b2c3d4e5")  # for account ids


def bearer_token(authorization: str | None) -> str | None:
    """The token of a well-formed ``Bearer <token>`` header, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token


def token_problem(token: str | None, allowed: frozenset[str] | None = None) -> ApiError | None:
    """What is wrong with ``token``, or None if it opens an account (``allowed``: --tokens)."""
    if not token:
        return ApiError(
            "unauthorized",
            "Send your production access token as 'Authorization: Bearer <token>'.",
        )
    if token.startswith(TEST_TOKEN_PREFIX):
        return ApiError(
            "forbidden",
            "Test tokens only work with the Mailing API; use a "
            "production access token for the Orders API.",
        )
    if allowed is not None and token not in allowed:
        return ApiError(
            "unauthorized",
            "Unknown access token: this mock only accepts the "
            "tokens it was started with (--tokens).",
        )
    return None


@lru_cache(maxsize=4096)  # every request asks (uuid5 was ~5 % of a POST /v1/order)
def account_id_for(token: str) -> str:
    """A stable account id per token, so ``GET /v1/me`` answers the same id on every run."""
    return str(uuid.uuid5(ACCOUNTS_NAMESPACE, token))


def mask_token(token: str) -> str:
    """Enough of a token to recognise it, never the whole of it."""
    if len(token) <= 8:
        return token[:2] + "…"
    return f"{token[:4]}…{token[-4:]}"
