"""Keyed similarity signatures: whether two complaints are probably the same matter, without
keeping their words.

A complaint's text (in memory only) is normalised (casefolded, Cyrillic spelt in the loose
Latin of intake.recusal, so that Mongolian typed either way compares alike, punctuation
gone) and cut into overlapping 5-byte shingles. Each shingle is hashed ONCE, with keyed
BLAKE2b under a sub-key of the keyring's blind-index key (vault.blind.subkey). The
signature is one-permutation MinHash: the hash's top bits choose one of SIGNATURE_SIZE bins
and the least remaining value is kept per bin (an empty bin borrows from the next one to
its right, so short texts compare too). Two texts agree on a bin with a probability close
to the Jaccard similarity of their shingle sets, so the share of bins that agree estimates
it. One hash per shingle, then integer comparisons: well under a millisecond for a page.

Two things are stored, neither of which says anything without the key:
- the bands: BANDS groups of ROWS bins, each group hashed again under the sub-key into one
  64-bit bucket value (LSH). Two complaints meet in a bucket when a whole band agrees,
  likely for similar texts and rare for others; the lookup finds candidates by these.
- the signature itself, sealed with the complaint's own data key like its text, to
  estimate the similarity of a candidate; shredding the complaint destroys it.

The sub-key carries the blind key's version, and every row keeps it: after `keys rotate
--purpose blind` new complaints are signed under the new version and older ones are signed
again in batches (intake.signing.likeness_catch_up), as blind indexes are re-indexed
(vault/reindex.py). Until then an old and a new complaint do not meet.

The figures (shingle size, bins, bands, rows, threshold) were tuned on a synthetic set,
bench/matter_links.py.
"""

import base64
import hashlib
import re

from intake.recusal import latin
from vault.blind import subkey
from vault.keyring import keyring, refresh_keyring

SHINGLE = 5  # bytes per shingle
# Only this much of the normalised text is signed: it bounds the time one signing takes,
# and a matter told twice shows in its first pages.
SIGNED_CHARACTERS = 1500
SIGNATURE_SIZE = 128  # bins; a power of two
# The first BANDS × ROWS bins make the buckets. Pairs of bins find candidates generously;
# the threshold on the whole signature is what keeps false suggestions down.
BANDS = 16
ROWS = 2
# A suggestion needs this estimated similarity (the share of bins that agree).
MIN_SIMILARITY = 0.45
# The sub-key's label: a new way of signing gets a new label, never the same key.
LABEL = "likeness/oph-minhash/1"

_WORD = re.compile(r"[^\W_]+")
_BIN_BITS = SIGNATURE_SIZE.bit_length() - 1
_VALUE_BITS = 64 - _BIN_BITS
_VALUE_MASK = (1 << _VALUE_BITS) - 1
_INT64 = 1 << 63


def normal(texts) -> str:
    """The text that is shingled: the complaint's texts, casefolded, in the loose Latin
    spelling, as words separated by one space, at most SIGNED_CHARACTERS of it (the texts
    are cut before they are spelt again, which never shortens them)."""
    joined = " ".join(text for text in texts if text)[:SIGNED_CHARACTERS]
    return " ".join(_WORD.findall(latin(joined)))[:SIGNED_CHARACTERS]


def shingles(text: str) -> set[bytes]:
    """Every SHINGLE-byte piece of `text` in UTF-8 (the loose Latin spelling is ASCII but
    for letters of other scripts); a text shorter than that is one shingle."""
    data = text.encode()
    if len(data) <= SHINGLE:
        return {data} if data else set()
    return {data[i:i + SHINGLE] for i in range(len(data) - SHINGLE + 1)}


def signature(texts, key: bytes) -> list[int] | None:
    """The one-permutation MinHash signature of `texts` under `key` (SIGNATURE_SIZE values
    below 2**32); None when there is nothing to sign."""
    pieces = shingles(normal(texts))
    if not pieces:
        return None
    least: list[int | None] = [None] * SIGNATURE_SIZE
    keyed = hashlib.blake2b(key=key, digest_size=8)  # copied: the key is absorbed once
    for piece in pieces:
        one = keyed.copy()
        one.update(piece)
        hashed = int.from_bytes(one.digest(), "big")
        slot, value = hashed >> _VALUE_BITS, hashed & _VALUE_MASK
        if least[slot] is None or value < least[slot]:
            least[slot] = value
    # Densify: an empty bin takes the value of the first full bin to its right, marked by
    # how far it went, so that two texts agree on it only when they agree on that bin.
    full = [i for i, value in enumerate(least) if value is not None]
    found = []
    for i, value in enumerate(least):
        if value is None:
            donor = next((j for j in full if j > i), full[0])
            distance = (donor - i) % SIGNATURE_SIZE
            value = least[donor] ^ (distance * 0x9E3779B97F4A7C15 & _VALUE_MASK)
        found.append(value >> (_VALUE_BITS - 32))
    return found


def bands(sig: list[int], key: bytes) -> list[int]:
    """One bucket value per band, as a signed 64-bit integer (the column's type). The band's
    number is hashed in, so equal rows in different bands never meet."""
    found = []
    for band in range(BANDS):
        rows = sig[band * ROWS:(band + 1) * ROWS]
        data = band.to_bytes(2, "big") + b"".join(x.to_bytes(4, "big") for x in rows)
        value = int.from_bytes(hashlib.blake2b(data, key=key, digest_size=8).digest(), "big")
        found.append(value - _INT64 if value >= _INT64 else value)
    return found


def active_version() -> int:
    refresh_keyring()
    return keyring.active_version("blind")


def signed(texts, version: int) -> tuple[list[int], list[int]] | None:
    """The signature of `texts` under blind key `version` and its bucket values; None when
    there is no text to sign."""
    key = subkey(LABEL, version)
    sig = signature(texts, key)
    return None if sig is None else (sig, bands(sig, key))


def packed(sig: list[int]) -> str:
    """A signature as text, to be sealed."""
    return base64.b64encode(b"".join(x.to_bytes(4, "big") for x in sig)).decode()


def unpacked(text: str) -> list[int]:
    raw = base64.b64decode(text)
    return [int.from_bytes(raw[i:i + 4], "big") for i in range(0, len(raw), 4)]


def similarity(first: list[int], second: list[int]) -> float:
    """The estimated Jaccard similarity: the share of bins on which they agree."""
    if len(first) != len(second) or not first:
        return 0.0
    return sum(a == b for a, b in zip(first, second, strict=True)) / len(first)
