"""Author pseudonyms: a keyed hash of each name, with a secret (the salt) that never sits beside
the data: VOC_SALT, or a key file (VOC_SALT_FILE, default ~/.config/voc/salt) created once."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from voc.errors import VocError

log = logging.getLogger(__name__)


def pseudonymise(author: str | None, salt: str) -> str | None:
    """A stable keyed hash of an author name: the same author maps to the same pseudonym
    under one salt, but the name cannot be recovered without the salt."""
    if author is None or not author.strip():
        return None
    digest = hmac.new(salt.encode(), author.strip().lower().encode(), hashlib.sha256)
    return "a_" + digest.hexdigest()[:16]


def salt_path() -> Path:
    """The key file used when VOC_SALT is unset: $VOC_SALT_FILE, else ~/.config/voc/salt."""
    from voc.config import Settings

    configured = Settings().salt_file
    if configured:
        return Path(configured).expanduser()
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "voc" / "salt"


def author_salt() -> str:
    """The secret behind author pseudonyms: VOC_SALT, else the key file, created once (mode 0600).

    It is never written into a store, so a store alone cannot be matched against a list of names.

    Raises:
        VocError: the key file cannot be read or created, or is empty.
    """
    from voc.config import Settings

    configured = Settings().salt
    if configured:
        return configured
    path = salt_path()
    salt = _read_salt(path)
    if salt is None:
        salt = _create_salt(path, secrets.token_hex(16))
    return salt


def adopt_legacy_salt(salt: str, store: Path) -> None:
    """Move the salt an older voc kept inside a store to the key file, when there is none yet, so
    the store's pseudonyms stay the same; the caller then removes it from the store."""
    path = salt_path()
    current = _read_salt(path)
    if current is None:
        _create_salt(path, salt, moved_from=store)
    elif current != salt:
        log.warning("removed an old pseudonym salt from %s; the key file %s holds another, so authors crawled "
                    "from now on get pseudonyms that differ from this store's earlier ones", store, path)


def _read_salt(path: Path) -> str | None:
    try:
        value = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise VocError(f"{path}: cannot read the pseudonym salt ({err.strerror}); fix its permissions "
                       "or set VOC_SALT") from None
    if not value:
        raise VocError(f"{path}: the pseudonym salt file is empty; restore it from your backup "
                       "(or delete it to start new pseudonyms for every author)")
    return value


def _create_salt(path: Path, salt: str, moved_from: Path | None = None) -> str:
    # Written to a private temporary file, then linked into place: the key file appears whole or
    # not at all, and a process that lost the race reads the winner's salt, never a half-written one.
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(salt + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            return _read_salt(path) or salt
        finally:
            tmp.unlink()
    except OSError as err:
        raise VocError(f"{path}: cannot create the pseudonym salt ({err.strerror}); set VOC_SALT, "
                       "or VOC_SALT_FILE to a writable path") from None
    what = f"moved the pseudonym salt out of {moved_from} into" if moved_from else "wrote a new pseudonym salt to"
    log.warning("%s %s: keep it secret (with it, authors can be re-identified from a list of names) and back "
                "it up (without it, the same authors get new pseudonyms)", what, path)
    return salt
