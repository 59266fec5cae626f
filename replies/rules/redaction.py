"""Redaction of the published copy: the record keeps everything."""

from __future__ import annotations

import re
from dataclasses import dataclass

MASK = "■■■"

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "id_number",
        re.compile(
            r"(?<![0-9])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9])"
        ),
    ),
    ("mobile", re.compile(r"(?<![0-9])1[3-9]\d{9}(?![0-9])")),
    ("email", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")),
)


@dataclass(frozen=True)
class Redacted:
    text: str
    count: int


def redact(text: str, *, terms: tuple[str, ...] = (), keep: tuple[str, ...] = ()) -> Redacted:
    """Mask ID numbers, mobile numbers, e-mail addresses and the given ``terms`` (addresses,
    negotiated prices, names asked to be kept confidential). ``keep`` lists strings never masked
    (the bureau's own published contact number)."""
    placeholders = {}
    for i, k in enumerate(s for s in keep if s):
        ph = f"\x00{i}\x00"
        placeholders[ph] = k
        text = text.replace(k, ph)
    count = 0
    for term in sorted((t for t in terms if t.strip()), key=len, reverse=True):
        n = text.count(term)
        if n:
            text, count = text.replace(term, MASK), count + n
    for _name, pattern in PATTERNS:
        text, n = pattern.subn(MASK, text)
        count += n
    for ph, k in placeholders.items():
        text = text.replace(ph, k)
    return Redacted(text, count)
