"""Message ids for what the engine and the policy schema tell a user.

The rules package is pure Python: it returns message ids (zh-hans source strings, like the rest of
the portal) with their parameters; the Django layer passes them through ``gettext`` so that another
language can be added with a .po file. ``gettext_noop`` only marks the strings for ``makemessages``.
"""

from __future__ import annotations

from typing import NamedTuple


def gettext_noop(message: str) -> str:
    return message


class Message(NamedTuple):
    """A message id plus its %-parameters; ``render(translate)`` gives the text. (A NamedTuple: the
    engine makes several per visit, and a tuple is the cheapest immutable value to make.)"""

    msgid: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, msgid: str, **params: object) -> Message:
        return cls(msgid, tuple(params.items()))

    def render(self, translate=lambda s: s) -> str:
        text = translate(self.msgid)
        return text % dict(self.params) if self.params else text

    def as_json(self) -> dict:
        return {"key": self.msgid, "params": {k: str(v) for k, v in self.params}}

    @classmethod
    def from_json(cls, data: dict) -> Message:
        return cls(data["key"], tuple((data.get("params") or {}).items()))
