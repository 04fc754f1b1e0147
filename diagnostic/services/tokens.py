"""The one-time tokens of links and codes (invitations, respondent links, network join codes): 32
random bytes, of which only the SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 32 random bytes


def token_hash(token: str) -> str:
    """What is stored and looked up; spaces around a pasted token do not count."""
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()
