"""Resumption tokens: the last key read (datestamp, record_id) and the request, signed.

Lists are paged by keyset over the listing, never by offset, so a token stays right when records
change during a harvest. The token is signed with a secret kept in the data directory (created on
first use), so that a harvester cannot forge or alter one.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadData, URLSafeSerializer

SECRET_FILE = "oai-token-secret"
SALT = "carrefour-oai-resumption-v1"


class BadTokenError(ValueError):
    """A token that was not made here, was altered, or does not fit the request."""


@dataclass(frozen=True)
class ListState:
    verb: str
    metadata_prefix: str
    from_: str | None
    until: str | None
    set_spec: str | None
    after: tuple[str, str] | None
    cursor: int


def load_secret(data_dir: Path) -> bytes:
    path = data_dir / SECRET_FILE
    try:
        secret = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        secret = ""
    if len(secret) < 32:
        secret = secrets.token_hex(32)
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secret)
        os.replace(tmp, path)
    return secret.encode("ascii")


class TokenCodec:
    def __init__(self, secret: bytes) -> None:
        self._serializer = URLSafeSerializer(secret, salt=SALT)

    def encode(self, state: ListState) -> str:
        return self._serializer.dumps(
            [
                state.verb,
                state.metadata_prefix,
                state.from_,
                state.until,
                state.set_spec,
                list(state.after) if state.after else None,
                state.cursor,
            ]
        )

    def decode(self, token: str, verb: str) -> ListState:
        try:
            data = self._serializer.loads(token)
        except BadData as exc:
            raise BadTokenError("jeton de reprise invalide ou altéré") from exc
        try:
            t_verb, prefix, from_, until, set_spec, after, cursor = data
            after_key = (str(after[0]), str(after[1])) if after else None
            state = ListState(str(t_verb), str(prefix), from_, until, set_spec, after_key, int(cursor))
        except (TypeError, ValueError, IndexError) as exc:
            raise BadTokenError("jeton de reprise mal formé") from exc
        if state.verb != verb:
            raise BadTokenError(f"ce jeton de reprise a été donné pour {state.verb}, pas pour {verb}")
        return state
