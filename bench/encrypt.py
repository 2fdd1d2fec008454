"""How fast a 2 KB complaint body is sealed through the field path, against bare AES-GCM.

The field path is what a save does for one encrypted field: take the plaintext assigned to
the model field, build the associated data (model, field, row, data key), seal it with the
record's (already unwrapped) data key and hand the token to the database layer. The floor is
AES-256-GCM alone on the same bytes with a fresh random nonce, measured in the same run.
Target: ratio >= 0.5.

    .venv/bin/python bench/encrypt.py [--quick]
"""

import os
import random

from _setup import arguments, best_rate, cleanup, django_in_tempdir

TARGET_RATIO = 0.5


def complaint_body(size: int = 2048) -> str:
    """Mongolian Cyrillic prose of exactly `size` UTF-8 bytes."""
    words = ["өргөдөл", "гомдол", "авлига", "хэлтэс", "ажилтан", "мөнгө", "нэхсэн", "үйлчилгээ"]
    rng = random.Random(7)
    text = ""
    while len(text.encode()) < size:
        text += rng.choice(words) + " "
    while len(text.encode()) > size:
        text = text[:-1]
    return text + " " * (size - len(text.encode()))


def main():
    args = arguments(__doc__.splitlines()[0]).parse_args()
    count = 20_000 if args.quick else 200_000
    workdir = django_in_tempdir()
    try:
        run(count)
    finally:
        cleanup(workdir)


def run(count: int):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from vault.crypto import seal
    from vault.fields import EncryptedTextField, SealedRecord
    from vault.models import DataKey

    class BenchComplaint(SealedRecord):
        body = EncryptedTextField()

        class Meta:
            # Only ever used in memory: sealing does not touch the database.
            app_label = "vault"
            managed = False

    body = complaint_body()
    plain_bytes = body.encode()
    record = BenchComplaint(data_key=DataKey.objects.create_fresh())
    field = BenchComplaint._meta.get_field("body")
    record.body = body
    field.pre_save(record, add=True)  # unwraps the data key once, as a request would
    key = record.data_key.unwrap()
    aad = field.aad(record, record.data_key)

    def through_the_field(n):
        pre_save = field.pre_save
        for _ in range(n):
            record.body = body
            pre_save(record, True)

    def bare_aes_gcm(n):
        aes = AESGCM(key)
        for _ in range(n):
            aes.encrypt(os.urandom(12), plain_bytes, None)

    def envelope_seal_only(n):
        for _ in range(n):
            seal(key, plain_bytes, aad)

    def utf8_encoding_only(n):
        for _ in range(n):
            body.encode()

    floor = best_rate(bare_aes_gcm, count)
    measured = best_rate(through_the_field, count)
    sealing = best_rate(envelope_seal_only, count)
    encoding = best_rate(utf8_encoding_only, count)
    ratio = measured / floor
    print(f"body:                 {len(body):,} characters, {len(plain_bytes):,} bytes of UTF-8")
    print(f"operations per run:   {count:,} (best of 5 runs)")
    print(f"bare AES-256-GCM:     {floor:,.0f} ops/s  {1e6 / floor:.2f} us  (floor)")
    print(f"field/envelope path:  {measured:,.0f} ops/s  {1e6 / measured:.2f} us")
    verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
    print(f"ratio:                {ratio:.2f}  ({verdict} the target of >= {TARGET_RATIO})")
    print("where the time goes, per operation:")
    print(f"  vault.crypto.seal on the bytes (AAD, version, nonce): {1e6 / sealing:.2f} us"
          f"  (ratio {sealing / floor:.2f})")
    print(f"  UTF-8 encoding of the text:                          {1e6 / encoding:.2f} us")
    rest = 1e6 / measured - 1e6 / sealing - 1e6 / encoding
    print(f"  the model field (assignment, data key, AAD, token):  {rest:.2f} us")


if __name__ == "__main__":
    main()
