"""Field encryption for personal data at rest: one MultiFernet over settings.FIELD_ENCRYPTION_KEYS.

`encrypt_text` uses the first key; `decrypt_text` tries every listed key, so rows written before a
rotation stay readable; `rotate_text` re-encrypts a value under the first key (for a re-encryption pass,
after which the old key can leave the list)."""

from __future__ import annotations

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.FIELD_ENCRYPTION_KEYS])


def encrypt_text(text: str) -> str:
    return fernet().encrypt(text.encode()).decode()


def decrypt_text(token: str) -> str:
    return fernet().decrypt(token.encode()).decode()


def rotate_text(token: str) -> str:
    return fernet().rotate(token.encode()).decode()
