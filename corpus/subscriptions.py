"""Subscriptions: who wants which alerts, and where they go (a TOML file).

```toml
[[subscription]]
name = "rare-earth-thresholds"
events = ["new_version"]                 # default: both new_document and new_version
issuers = ["商务部", "MOFCOM"]            # any issuer matches (simplified/Japanese forms alike)
kinds = ["announcement", "measures"]     # DocumentIdentity.kind
languages = ["zh", "ja"]
changed = ["threshold", "item_list"]     # only when one of these record kinds changed
item_code_prefixes = ["1E9", "1C"]       # an item code of the document starts with one
effective_within_days = 90               # an effective date within 90 days of today (±)
title_contains = ["稀土", "レアアース"]
since = "2025-01-01"                     # ignore alerts raised before this date
targets = ["stdout", "jsonl:alerts.jsonl", "atom:feed.xml", "https://hooks.example/x"]
webhook_retries = 3                      # retries after the first attempt, per run
webhook_backoff_s = 0.5                  # doubled after every failed attempt
webhook_timeout_s = 10
```

Filters combine with AND; the values of one filter with OR.  An empty filter passes all.
Relative file targets are resolved against the TOML file's folder.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from corpus.versions import fold, issuers_overlap
from models.corpus import Alert, AlertEvent
from models.errors import ConfigError

TargetKind = Literal["stdout", "jsonl", "atom", "webhook"]

# Subscription ``changed`` values → FieldChange/record kinds they stand for.
CHANGED_ALIASES: dict[str, set[str]] = {
    "threshold": {"threshold"},
    "thresholds": {"threshold"},
    "date": {"date"},
    "dates": {"date"},
    "item_list": {"item", "code", "item_list"},
    "item": {"item", "code", "item_list"},
    "items": {"item", "code", "item_list"},
    "code": {"code", "item", "item_list"},
    "definition": {"definition"},
    "article": {"article", "wording"},
    "wording": {"wording"},
}


@dataclass(frozen=True)
class Target:
    """One delivery target: ``kind`` and where (a path or URL; empty for stdout)."""

    kind: TargetKind
    location: str = ""

    @property
    def key(self) -> str:
        """The name stored in the deliveries table."""
        return self.kind if self.kind == "stdout" else f"{self.kind}:{self.location}"

    @staticmethod
    def parse(text: object, base: Path | None = None) -> Target:
        if not isinstance(text, str):
            raise ValueError(f"a target is a string, not {text!r}")
        spec = text.strip()
        if spec == "stdout":
            return Target("stdout")
        if spec.startswith(("http://", "https://")):
            return Target("webhook", spec)
        kind, sep, rest = spec.partition(":")
        if not sep or not rest:
            raise ValueError(f"unknown target {text!r}: stdout, jsonl:PATH, atom:PATH or a URL")
        if kind == "webhook":
            if not rest.startswith(("http://", "https://")):
                raise ValueError(f"webhook target needs an http(s) URL: {text!r}")
            return Target("webhook", rest)
        if kind not in ("jsonl", "atom"):
            raise ValueError(f"unknown target kind {kind!r} in {text!r}")
        path = Path(rest).expanduser()
        if base is not None and not path.is_absolute():
            path = base / path
        return Target(kind, str(path))  # type: ignore[arg-type]


class Subscription(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    events: list[AlertEvent] = Field(default_factory=lambda: ["new_document", "new_version"])
    issuers: list[str] = Field(default_factory=list)
    kinds: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    changed: list[str] = Field(default_factory=list)
    item_code_prefixes: list[str] = Field(default_factory=list)
    effective_within_days: int | None = Field(default=None, ge=0)
    title_contains: list[str] = Field(default_factory=list)
    since: date | None = None
    targets: list[Target] = Field(min_length=1)
    webhook_retries: int = Field(default=3, ge=0, le=10)
    webhook_backoff_s: float = Field(default=0.5, ge=0)
    webhook_timeout_s: float = Field(default=10.0, gt=0)

    @field_validator("targets", mode="before")
    @classmethod
    def _parse_targets(cls, value: object) -> object:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            return [Target.parse(v) if isinstance(v, str) else v for v in value]
        return value

    @field_validator("changed")
    @classmethod
    def _known_changes(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in CHANGED_ALIASES]
        if unknown:
            raise ValueError(f"unknown record kinds {unknown}: use {sorted(CHANGED_ALIASES)}")
        return value

    def matches(self, alert: Alert, today: date | None = None) -> bool:
        """Does this subscription want ``alert``?"""
        payload, identity = alert.payload, alert.payload.identity
        if alert.event not in self.events:
            return False
        if self.since and alert.created[:10] < self.since.isoformat():
            return False
        if self.issuers and not issuers_overlap(self.issuers, identity.issuers):
            return False
        if self.kinds and identity.kind not in self.kinds:
            return False
        languages = {identity.language, payload.language} - {"und"}
        if self.languages and not languages & set(self.languages):
            return False
        if self.changed:
            wanted = set().union(*(CHANGED_ALIASES[c] for c in self.changed))
            if not wanted & set(payload.changed_kinds):
                return False
        if self.item_code_prefixes and not any(
            _code_key(code).startswith(_code_key(prefix))
            for code in payload.item_codes
            for prefix in self.item_code_prefixes
        ):
            return False
        if self.title_contains:
            titles = fold(" ".join(t for t in (alert.title, identity.title_original) if t))
            if not any(fold(word) in titles for word in self.title_contains):
                return False
        if self.effective_within_days is not None:
            return _effective_within(
                payload.effective_dates, self.effective_within_days, today or date.today()
            )
        return True


def _code_key(code: str) -> str:
    # 1E902.a, 1e902a and "1E902 a" are one code for prefix matching.
    return "".join(ch for ch in fold(code) if ch.isalnum())


def _effective_within(isos: list[str], days: int, today: date) -> bool:
    window = timedelta(days=days)
    for iso in isos:
        try:
            when = date.fromisoformat(iso if len(iso) > 7 else f"{iso}-01")
        except ValueError:
            continue
        if today - window <= when <= today + window:
            return True
    return False


def load_subscriptions(path: Path | str) -> list[Subscription]:
    """Read ``[[subscription]]`` tables from a TOML file; raises ConfigError naming the file."""
    file = Path(path).expanduser()
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"cannot read subscriptions: {e.strerror or e}", str(file)) from e
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"not valid TOML: {e}", str(file)) from e
    tables = data.get("subscription", data.get("subscriptions", []))
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ConfigError("expected [[subscription]] tables", str(file))
    out: list[Subscription] = []
    for i, table in enumerate(tables, 1):
        raw_targets = table.get("targets", [])
        if isinstance(raw_targets, str):
            raw_targets = [raw_targets]
        try:
            targets = [Target.parse(t, file.parent) for t in raw_targets]
            out.append(Subscription.model_validate({**table, "targets": targets}))
        except (ValueError, ValidationError, TypeError) as e:
            name = table.get("name", f"#{i}")
            raise ConfigError(f"subscription {name}: {e}", str(file)) from e
    names = [s.name for s in out]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"duplicate subscription names {duplicates}", str(file))
    return out
