"""Keyed similarity signatures: whether two complaints are probably the same matter, without
keeping their words.

A complaint's text (in memory only) is normalised (casefolded, Cyrillic spelt in the loose
Latin of intake.recusal, so that Mongolian typed either way compares alike, punctuation
gone) and cut into overlapping character shingles. Each shingle is hashed ONCE with keyed
BLAKE2b under a sub-key derived from the keyring's blind-index key (vault.blind.subkey);
MinHash then takes, for each of SIGNATURE_SIZE cheap permutations (a·x + b mod 2⁶¹−1, whose
a and b come from the same sub-key), the least value over the shingles. Two texts agree on
one position of their signatures with a probability equal to the Jaccard similarity of
their shingle sets.

What is stored is not the signature but its bands: BANDS groups of ROWS positions, each
group hashed again under the sub-key into one 64-bit bucket value (LSH). Two complaints
meet in a bucket when a whole band agrees, which is likely for similar texts and rare for
others. A reader of the database without the key learns which complaints share a bucket
and nothing of what they say: the values are keyed hashes of keyed hashes, and a guessed
text cannot be checked without the key.

The sub-key carries the blind key's version, and every bucket row keeps it: after `keys
rotate --purpose blind` new complaints are signed under the new version and older ones are
signed again in batches (intake.signing.likeness_catch_up), as blind indexes are
re-indexed (vault/reindex.py). Until then an old and a new complaint do not meet.

The figures (shingle size, bands, rows, threshold) were tuned on a synthetic set,
bench/matter_links.py.
"""

import hashlib
import hmac
import re
from functools import lru_cache

from intake.recusal import latin
from vault.blind import subkey
from vault.keyring import keyring, refresh_keyring

SHINGLE = 5  # characters per shingle
BANDS = 20
ROWS = 3
SIGNATURE_SIZE = BANDS * ROWS
# A suggestion needs at least this many bands in common, and this estimated similarity.
MIN_BANDS = 2
MIN_SIMILARITY = 0.35
# The sub-key's label: a new way of signing gets a new label, never the same key.
LABEL = "likeness/minhash/1"

_PRIME = (1 << 61) - 1
_WORD = re.compile(r"[^\W_]+")
_INT64 = 1 << 63


def normal(texts) -> str:
    """The text that is shingled: every text of the complaint, casefolded, in the loose
    Latin spelling, as words separated by one space."""
    return " ".join(word for text in texts if text for word in _WORD.findall(latin(text)))


def shingles(text: str) -> set[str]:
    """Every SHINGLE-character piece of `text`; a text shorter than that is one shingle."""
    if len(text) <= SHINGLE:
        return {text} if text else set()
    return {text[i:i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}


@lru_cache(maxsize=8)
def _permutations(key: bytes) -> tuple[tuple[int, int], ...]:
    """SIGNATURE_SIZE pairs (a, b), drawn from the sub-key so that the signatures of one key
    version compare and nobody without it can compute them."""
    found = []
    for i in range(SIGNATURE_SIZE):
        stream = hmac.new(key, f"perm:{i}".encode(), hashlib.sha256).digest()
        a = int.from_bytes(stream[:8], "big") % (_PRIME - 1) + 1
        b = int.from_bytes(stream[8:16], "big") % _PRIME
        found.append((a, b))
    return tuple(found)


def signature(texts, key: bytes) -> list[int] | None:
    """The MinHash signature of `texts` under `key`; None when there is nothing to sign."""
    pieces = shingles(normal(texts))
    if not pieces:
        return None
    hashed = [int.from_bytes(hashlib.blake2b(piece.encode(), key=key, digest_size=8).digest(),
                             "big") for piece in pieces]
    return [min((a * x + b) % _PRIME for x in hashed) for a, b in _permutations(key)]


def bands(sig: list[int], key: bytes) -> list[int]:
    """One bucket value per band, as a signed 64-bit integer (the column's type). The band's
    number is hashed in, so equal rows in different bands never meet."""
    found = []
    for band in range(BANDS):
        rows = sig[band * ROWS:(band + 1) * ROWS]
        data = band.to_bytes(2, "big") + b"".join(x.to_bytes(8, "big") for x in rows)
        value = int.from_bytes(hashlib.blake2b(data, key=key, digest_size=8).digest(), "big")
        found.append(value - _INT64 if value >= _INT64 else value)
    return found


def active_version() -> int:
    refresh_keyring()
    return keyring.active_version("blind")


def buckets(texts, version: int) -> list[int]:
    """The bucket values of `texts` under blind key `version` (empty when there is no text
    to sign)."""
    key = subkey(LABEL, version)
    sig = signature(texts, key)
    return [] if sig is None else bands(sig, key)


def similarity(shared_bands: int) -> float:
    """The Jaccard similarity that makes `shared_bands` of BANDS agree, on average: each
    band agrees with probability s^ROWS."""
    share = min(max(shared_bands, 0), BANDS) / BANDS
    return share ** (1 / ROWS)
