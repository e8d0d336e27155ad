"""Coded errors (spaCy style): a user can search for the code; messages name the file."""

from __future__ import annotations


class RegwatchError(Exception):
    """Base of every error regwatch raises on purpose."""

    code = "E000"
    exit_code = 1

    def __init__(self, message: str, path: str | None = None) -> None:
        self.path = path
        self.message = message
        prefix = f"{path}: " if path else ""
        super().__init__(f"[{self.code}] {prefix}{message}")

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "path": self.path or ""}


class InputError(RegwatchError):
    """A file that cannot be ingested. CLI exit code 3."""

    code = "E100"
    exit_code = 3


class NotAPDFError(InputError):
    code = "E101"


class CorruptPDFError(InputError):
    code = "E102"


class EncryptedPDFError(InputError):
    code = "E103"


class NoTextLayerError(InputError):
    """Image-only (scanned) PDF: OCR is out of scope."""

    code = "E104"


class EmptyFileError(InputError):
    code = "E105"


class LimitExceededError(InputError):
    """Too many pages, too large, or too slow: limits against hostile files."""

    code = "E106"


class FileNotFoundInputError(InputError):
    code = "E107"


class NotFoundError(RegwatchError):
    """An unknown document, version or record id. CLI exit code 4."""

    code = "E200"
    exit_code = 4


class StoreError(RegwatchError):
    """The corpus store refused or failed a write. CLI exit code 5."""

    code = "E300"
    exit_code = 5


class DatabaseUnreachableError(StoreError):
    """The corpus database (``REGWATCH_DATABASE_URL``) cannot be reached or refused us."""

    code = "E301"


class ConfigError(RegwatchError):
    """Bad configuration (subscriptions file, model name, data dir). CLI exit code 2."""

    code = "E400"
    exit_code = 2


class ExecutorError(ConfigError):
    """The executor asked for cannot run: ``--executor ray`` without ray installed, or a
    Ray cluster (``RAY_ADDRESS``) that cannot be reached. CLI exit code 2."""

    code = "E401"


class IndexError_(RegwatchError):
    """The search index is missing, stale or built with another embedder. CLI exit code 6."""

    code = "E500"
    exit_code = 6
