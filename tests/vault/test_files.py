"""Encrypted attachments: streamed in chunks, bound to their record, and every cut, swap or
changed byte fails loudly."""

import hashlib
import io
import secrets
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from vault.errors import DecryptionError, ShreddedError, VaultError
from vault.files import (
    CHUNK_BYTES,
    HEADER,
    delete_encrypted,
    encrypted_download_response,
    open_encrypted,
    open_verified,
    safe_filename,
    save_encrypted,
)
from vault.models import DataKey

pytestmark = pytest.mark.django_db
CONTEXT = "sealed_app.attachment:0f1e"


@pytest.fixture
def data_key():
    return DataKey.objects.create_fresh()


def stored_path(settings, name) -> Path:
    return Path(settings.MEDIA_ROOT) / "vault" / name[:2] / name


def read_back(name, data_key, context=CONTEXT) -> bytes:
    return b"".join(open_encrypted(name, data_key=data_key, context=context))


class RecordingReader(io.BytesIO):
    """Remembers the largest read, to show the file is never read whole."""

    largest = 0

    def read(self, size=-1):
        self.largest = max(self.largest, size if size >= 0 else len(self.getvalue()))
        return super().read(size)


@pytest.mark.parametrize(
    "size", [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES + 17]
)
def test_a_file_of_any_size_comes_back_whole(data_key, size):
    content = secrets.token_bytes(size)
    stored = save_encrypted(io.BytesIO(content), data_key=data_key, context=CONTEXT)
    assert stored.size == size
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert read_back(stored.name, data_key) == content


def test_a_large_file_is_streamed_in_chunks_both_ways(data_key):
    content = secrets.token_bytes(5 * CHUNK_BYTES + 3)
    source = RecordingReader(content)
    stored = save_encrypted(source, data_key=data_key, context=CONTEXT)
    assert source.largest == CHUNK_BYTES
    chunks = list(open_encrypted(stored.name, data_key=data_key, context=CONTEXT))
    assert len(chunks) == 6 and max(map(len, chunks)) == CHUNK_BYTES


def test_an_uploaded_file_is_stored_under_a_random_name_without_its_content(data_key, settings):
    content = "Гэрчийн мэдүүлэг: 100 000 төгрөг".encode() * 50
    upload = SimpleUploadedFile("мэдүүлэг.txt", content, content_type="text/plain")
    stored = save_encrypted(upload, data_key=data_key, context=CONTEXT)
    path = stored_path(settings, stored.name)
    on_disk = path.read_bytes()
    assert on_disk.startswith(HEADER)
    assert content[:40] not in on_disk
    assert "мэдүүлэг".encode() not in path.as_posix().encode()
    assert path.stat().st_mode & 0o077 == 0
    assert not list(path.parent.glob(".incoming-*"))


def test_text_mode_files_are_refused(data_key, settings):
    with pytest.raises(TypeError, match="binary"):
        save_encrypted(io.StringIO("text"), data_key=data_key, context=CONTEXT)
    assert not list((Path(settings.MEDIA_ROOT) / "vault").glob("*/*"))


def test_another_records_context_does_not_open_the_file(data_key):
    stored = save_encrypted(io.BytesIO(b"evidence"), data_key=data_key, context=CONTEXT)
    with pytest.raises(DecryptionError):
        read_back(stored.name, data_key, context="sealed_app.attachment:other")


def test_another_data_key_does_not_open_the_file(data_key):
    stored = save_encrypted(io.BytesIO(b"evidence"), data_key=data_key, context=CONTEXT)
    with pytest.raises(DecryptionError):
        read_back(stored.name, DataKey.objects.create_fresh())


def test_a_file_copied_over_another_does_not_open(data_key, settings):
    first = save_encrypted(io.BytesIO(b"first"), data_key=data_key, context=CONTEXT)
    second = save_encrypted(io.BytesIO(b"second"), data_key=data_key, context=CONTEXT)
    stored_path(settings, second.name).write_bytes(stored_path(settings, first.name).read_bytes())
    with pytest.raises(DecryptionError):
        read_back(second.name, data_key)


def damage(settings, name, change):
    path = stored_path(settings, name)
    path.write_bytes(change(path.read_bytes()))


def record_offsets(data: bytes) -> list[int]:
    offsets, at = [], len(HEADER)
    while at < len(data):
        offsets.append(at)
        at += 5 + int.from_bytes(data[at + 1 : at + 5], "big")
    return offsets


def test_one_flipped_byte_anywhere_fails_loudly(data_key, settings):
    content = secrets.token_bytes(2 * CHUNK_BYTES + 5)
    stored = save_encrypted(io.BytesIO(content), data_key=data_key, context=CONTEXT)
    raw = stored_path(settings, stored.name).read_bytes()
    second_record = record_offsets(raw)[1]
    positions = [0, len(HEADER) - 1, len(HEADER), len(HEADER) + 7, second_record + 2,
                 len(raw) // 2, len(raw) - 1]
    for position in positions:
        damaged = bytearray(raw)
        damaged[position] ^= 0x20
        stored_path(settings, stored.name).write_bytes(bytes(damaged))
        with pytest.raises(DecryptionError):
            read_back(stored.name, data_key)


def test_a_file_cut_after_a_whole_chunk_fails_loudly(data_key, settings):
    stored = save_encrypted(
        io.BytesIO(secrets.token_bytes(2 * CHUNK_BYTES + 5)), data_key=data_key, context=CONTEXT
    )
    damage(settings, stored.name, lambda data: data[: record_offsets(data)[-1]])
    with pytest.raises(DecryptionError, match="cut off"):
        read_back(stored.name, data_key)


def test_chunks_in_another_order_fail_loudly(data_key, settings):
    stored = save_encrypted(
        io.BytesIO(secrets.token_bytes(3 * CHUNK_BYTES)), data_key=data_key, context=CONTEXT
    )

    def swap_first_two(data):
        a, b, c = record_offsets(data)
        return data[:a] + data[b:c] + data[a:b] + data[c:]

    damage(settings, stored.name, swap_first_two)
    with pytest.raises(DecryptionError):
        read_back(stored.name, data_key)


def test_data_after_the_last_chunk_fails_loudly(data_key, settings):
    stored = save_encrypted(io.BytesIO(b"evidence"), data_key=data_key, context=CONTEXT)
    damage(settings, stored.name, lambda data: data + data[len(HEADER) :])
    with pytest.raises(DecryptionError, match="after its last chunk"):
        read_back(stored.name, data_key)


def test_a_shredded_key_leaves_the_file_unreadable(data_key):
    stored = save_encrypted(io.BytesIO(b"evidence"), data_key=data_key, context=CONTEXT)
    data_key.shred()
    with pytest.raises(ShreddedError):
        read_back(stored.name, DataKey.objects.get(pk=data_key.pk))


@pytest.mark.parametrize("name", ["../../etc/passwd", "AB" * 16, "", "0" * 31, None])
def test_only_names_the_vault_made_are_opened(data_key, name):
    with pytest.raises(VaultError):
        open_encrypted(name, data_key=data_key, context=CONTEXT)


def test_a_missing_file_is_a_vault_error_and_deleting_it_again_is_not(data_key):
    stored = save_encrypted(io.BytesIO(b"evidence"), data_key=data_key, context=CONTEXT)
    delete_encrypted(stored.name)
    with pytest.raises(VaultError, match="missing"):
        open_encrypted(stored.name, data_key=data_key, context=CONTEXT)
    delete_encrypted(stored.name)


def test_the_download_response_streams_an_attachment_never_shown_inline(data_key):
    content = secrets.token_bytes(CHUNK_BYTES + 10)
    stored = save_encrypted(io.BytesIO(content), data_key=data_key, context=CONTEXT)
    response = encrypted_download_response(
        stored.name, data_key=data_key, context=CONTEXT, filename="../Гомдол №1.pdf",
        content_type="application/pdf", size=stored.size,
    )
    assert response.streaming
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%D0%93%D0%BE%D0%BC%D0%B4%D0%BE%D0%BB%20%E2%84%961.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Length"] == str(len(content))
    assert "sandbox" in response["Content-Security-Policy"]


def test_the_download_response_fails_before_it_starts_when_the_key_is_wrong(data_key):
    stored = save_encrypted(io.BytesIO(b"evidence"), data_key=data_key, context=CONTEXT)
    with pytest.raises(DecryptionError):
        encrypted_download_response(
            stored.name, data_key=DataKey.objects.create_fresh(), context=CONTEXT,
            filename="x.txt", content_type="text/plain",
        )


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("report.pdf", "report.pdf"),
        ("C:\\Users\\bat\\гомдол.docx", "гомдол.docx"),
        ("../../.env", "env"),
        ('a"b\r\nSet-Cookie: x.txt', 'a"b Set-Cookie: x.txt'),
        ("\x00\x1f", "attachment"),
        ("", "attachment"),
    ],
)
def test_download_names_lose_folders_and_control_characters(given, safe):
    assert safe_filename(given) == safe


def test_a_download_of_a_file_damaged_after_its_first_chunk_fails_before_it_starts(
    data_key, settings
):
    content = secrets.token_bytes(3 * CHUNK_BYTES)
    stored = save_encrypted(io.BytesIO(content), data_key=data_key, context=CONTEXT)
    last_record = record_offsets(stored_path(settings, stored.name).read_bytes())[-1]
    damage(settings, stored.name,
           lambda data: data[: last_record + 9] + bytes([data[last_record + 9] ^ 1])
           + data[last_record + 10 :])
    with pytest.raises(DecryptionError, match="chunk 2"):
        encrypted_download_response(stored.name, data_key=data_key, context=CONTEXT,
                                    filename="x.pdf", content_type="application/pdf")
    # Reading it as a stream still yields the chunks before the damage, then fails.
    chunks = open_encrypted(stored.name, data_key=data_key, context=CONTEXT)
    assert next(chunks) == content[:CHUNK_BYTES]


def test_a_verified_file_is_read_from_the_handle_it_was_checked_through(data_key, settings):
    first = save_encrypted(io.BytesIO(b"checked"), data_key=data_key, context=CONTEXT)
    other = save_encrypted(io.BytesIO(b"swapped"), data_key=data_key, context=CONTEXT)
    chunks = open_verified(first.name, data_key=data_key, context=CONTEXT)
    # Replacing the file by name once it was checked does not change what is delivered.
    stored_path(settings, other.name).replace(stored_path(settings, first.name))
    assert b"".join(chunks) == b"checked"
