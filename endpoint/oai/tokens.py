"""Resumption tokens: stateless, signed, and carrying the whole state of a list.

A token holds the request (verb, metadataPrefix, from, set), the snapshot bound ``until`` frozen
at the first page (the time of that request, or the harvester's own ``until`` if earlier), the
last key read (datestamp, record_id), the cursor and the completeListSize counted once at the
first page. Pages are read by keyset over the listing, never by offset, so a token stays right
when records change during a harvest (see docs/oai-pmh.md). The token is signed with a secret
kept in the data directory (created on first use) and timestamped, so that a harvester can
neither forge nor alter one, and an old one expires.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

SECRET_FILE = "oai-token-secret"
SALT = "carrefour-oai-resumption-v2"
#: How long a resumption token is accepted after it was issued (each page issues a fresh one).
TOKEN_LIFETIME = timedelta(hours=24)


class BadTokenError(ValueError):
    """A token that was not made here, was altered, has expired, or does not fit the request."""


@dataclass(frozen=True)
class ListState:
    verb: str
    metadata_prefix: str
    from_: str | None
    until: str | None
    set_spec: str | None
    after: tuple[str, str] | None
    cursor: int
    complete_list_size: int = 0
    #: The harvester's own until, when it gave one (``until`` is the snapshot bound, never later).
    requested_until: str | None = None


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


def expiration_of(issued: datetime, lifetime: timedelta = TOKEN_LIFETIME) -> str:
    """The expirationDate of a token issued at ``issued``: the time after which decode refuses it."""
    return (issued + lifetime).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Signer(TimestampSigner):
    """Tokens are stamped and aged by the provider's clock (``now_utc``), the one of expirationDate."""

    def get_timestamp(self) -> int:
        return int(now_utc().timestamp())


class TokenCodec:
    def __init__(self, secret: bytes, lifetime: timedelta = TOKEN_LIFETIME) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=SALT, signer=_Signer)
        self._lifetime = lifetime

    @property
    def lifetime(self) -> timedelta:
        return self._lifetime

    def expiration(self, issued: datetime) -> str:
        return expiration_of(issued, self._lifetime)

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
                state.complete_list_size,
                state.requested_until,
            ]
        )

    def decode(self, token: str, verb: str) -> ListState:
        try:
            data = self._serializer.loads(token, max_age=self._lifetime.total_seconds())
        except SignatureExpired as exc:
            raise BadTokenError("jeton de reprise expiré ; recommencez la moisson sans jeton") from exc
        except BadData as exc:
            raise BadTokenError("jeton de reprise invalide ou altéré") from exc
        try:
            t_verb, prefix, from_, until, set_spec, after, cursor, size, requested_until = data
            after_key = (str(after[0]), str(after[1])) if after else None
            state = ListState(
                str(t_verb),
                str(prefix),
                None if from_ is None else str(from_),
                None if until is None else str(until),
                None if set_spec is None else str(set_spec),
                after_key,
                int(cursor),
                int(size),
                None if requested_until is None else str(requested_until),
            )
        except (TypeError, ValueError, IndexError) as exc:
            raise BadTokenError("jeton de reprise mal formé") from exc
        if state.verb != verb:
            raise BadTokenError(f"ce jeton de reprise a été donné pour {state.verb}, pas pour {verb}")
        return state


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
