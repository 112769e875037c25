"""The stored refresh token, encrypted with Fernet under YOUTUBE_TOKEN_KEY."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from .config import youtube_settings

__all__ = ["InvalidToken", "decrypt", "encrypt"]


def _fernet() -> Fernet:
    return Fernet(youtube_settings().token_key.encode())


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    """The plain text; raises InvalidToken when the key changed (connect the channel again)."""
    return _fernet().decrypt(token.encode()).decode()
