"""Policy documents between files, the database and the pure engine.

Reads only: the shipped YAML files in fixtures/policies/ and the stored versions, parsed into the
engine's frozen ``Policy`` (cached per version). Writes live in services.py.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import yaml
from django.conf import settings
from django.utils.translation import gettext as _

from claims.rules import Policy, parse_policy

POLICY_DIR = Path(settings.BASE_DIR) / "fixtures" / "policies"


class PolicyNotFound(LookupError):
    pass


def shipped_codes() -> list[str]:
    return sorted(p.stem for p in POLICY_DIR.glob("*.yaml"))


def read_policy_file(code: str) -> dict:
    path = POLICY_DIR / f"{code}.yaml"
    if "/" in code or not path.is_file():
        raise PolicyNotFound(_("没有编码为 %(code)s 的政策") % {"code": code})
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_yaml_text(text: str) -> dict:
    """YAML (or JSON, a subset) text → document; a syntax error becomes a clear message."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _("第 %(line)s 行") % {"line": mark.line + 1} if mark else ""
        raise ValueError(
            _("政策文件格式错误 %(where)s：%(problem)s")
            % {"where": where, "problem": getattr(exc, "problem", str(exc))}
        ) from exc


def normalise(document: dict) -> dict:
    """The JSON form stored in the database (keys as strings, numbers kept as written)."""
    return json.loads(json.dumps(document, ensure_ascii=False, default=str))


def digest(document: dict) -> str:
    return hashlib.sha256(json.dumps(normalise(document), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


KEY_ORDER = [
    "code",
    "name",
    "scheme",
    "year",
    "partial",
    "region",
    "source",
    "notes",
    "admission_kinds",
    "caps",
    "benefits",
    "inpatient",
    "inpatient_accident",
    "outpatient_general",
    "outpatient_chronic",
    "outpatient_accident",
    "critical_illness",
    "poverty_relief",
    "levels",
    "groups",
    "employment",
    "no_third_party",
    "deductible",
    "type",
    "amount",
    "nth_admission_factors",
    "accumulator",
    "ratio",
    "essential_drug_ratio",
    "disease_groups",
    "diseases",
    "kinds",
    "segments",
    "from",
    "to",
    "cap",
    "continuous_years_bonus",
    "min_years",
    "max_years",
    "above_fund_cap_ratio",
    "floor_ratio",
    "when",
    "level",
    "tier",
    "value",
]
_RANK = {k: i for i, k in enumerate(KEY_ORDER)}


def _ordered(value):
    """Keys in a reader's order (the database's JSON keeps its own); level keys back to numbers."""
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: (_RANK.get(str(kv[0]), len(_RANK)), str(kv[0])))
        return {(int(k) if isinstance(k, str) and k.isdigit() else k): _ordered(v) for k, v in items}
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


def as_yaml(document: dict) -> str:
    return yaml.safe_dump(_ordered(document), allow_unicode=True, sort_keys=False, width=110)


@lru_cache(maxsize=64)
def _parsed(version_id: int, version_digest: str, document_json: str) -> Policy:
    return parse_policy(json.loads(document_json))


def parsed_version(version) -> Policy:
    """The engine's Policy for a stored PolicyVersion (cached by id and digest)."""
    return _parsed(version.pk, version.digest, json.dumps(version.document, ensure_ascii=False))


def current_version(code: str):
    from claims.models import PolicyVersion

    return PolicyVersion.objects.filter(policy__code=code).select_related("policy").order_by("-number").first()


def engine_policy(code: str) -> tuple[Policy, object | None]:
    """The policy the engine applies for ``code``: the current stored version, else the shipped file."""
    version = current_version(code)
    if version is not None:
        return parsed_version(version), version
    return parse_policy(read_policy_file(code)), None
