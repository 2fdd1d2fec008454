"""The promoted triage model, read from its sealed file once per process and read again when
another model is promoted (checked at most every MODEL_TTL_SECONDS), like the lexicon's
cache in routing.triage.

A model file that does not open or whose bytes do not match the row's SHA-256 is logged (by
version only) and triage goes on with the lexicon alone, as before any model was trained.
"""

import hashlib
import logging
import time

from routing.learned import LearnedModel
from routing.triage_model import TriageModel
from vault.errors import VaultError
from vault.files import open_verified

MODEL_TTL_SECONDS = 10.0
logger = logging.getLogger(__name__)

_cache: dict = {"version": None, "model": None, "checked": float("-inf")}


def model_read(row: TriageModel) -> LearnedModel:
    """The model of `row` from its sealed file; ValueError when it is not the file the row
    names (another SHA-256) or not a model."""
    data = b"".join(open_verified(row.file_name, data_key=row.data_key, context=row.context))
    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise ValueError("the model file is not the one trained")
    return LearnedModel(data, version=row.version)


def current_model() -> LearnedModel | None:
    """The newest promoted model, or None when there is none (or it cannot be read)."""
    now = time.monotonic()
    if now - _cache["checked"] < MODEL_TTL_SECONDS:
        return _cache["model"]
    row = TriageModel.objects.current()
    version = row.version if row else None
    if version != _cache["version"]:
        model = None
        if row is not None:
            try:
                model = model_read(row)
            except (VaultError, ValueError, KeyError):
                logger.warning("the triage model cannot be read; suggesting with the "
                               "lexicon alone", extra={"model_version": version})
        _cache.update(version=version, model=model)
    _cache["checked"] = now
    return _cache["model"]


def forget_model() -> None:
    """Drop the cached model, so the next suggestion reads the database again."""
    _cache.update(version=None, model=None, checked=float("-inf"))
