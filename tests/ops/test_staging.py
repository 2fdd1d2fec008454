"""The restore's staging place (ops/staging.py) without a database: files are staged inside
their folder, and go back out of the way when the database cannot be moved into place.
The whole restore, failing and succeeding, is tests/ops/test_restore_staging.py (slow)."""

import pytest

from ops import staging


class Refused(Exception):
    pass


def files_in(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def staged(tmp_path):
    media = tmp_path / "media"
    (media / "vault" / "ab").mkdir(parents=True)  # empty folders a fresh install may have
    source = tmp_path / "backup-file"
    source.write_bytes(b"SHGF ciphertext")
    place = staging.Staging(target=str(tmp_path / "db.sqlite3"))
    staging.stage_file(place, media, ["vault", "ab", "ab01"], source, 0o600)
    staging.stage_file(place, media, ["vault", "cd", "cd02"], source, 0o600)
    return place, media


def test_staged_files_wait_in_a_hidden_folder_inside_their_target(staged):
    place, media = staged
    [(folder, target)] = place.folders
    assert target == media and folder.parent == media and folder.name.startswith(".restoring-")
    assert [f for f in files_in(media) if not f.startswith(".restoring-")] == []
    assert (folder / "vault" / "ab" / "ab01").stat().st_mode & 0o777 == 0o600


def test_the_files_go_back_when_the_database_cannot_be_moved_into_place(staged, monkeypatch):
    place, media = staged

    def refuse(_staging):
        raise Refused

    monkeypatch.setattr(staging, "_promote_sqlite", refuse)
    monkeypatch.setattr(staging, "_promote_postgres", refuse)
    with pytest.raises(Refused):
        staging.promote(place)
    assert [f for f in files_in(media) if not f.startswith(".restoring-")] == []
    staging.discard(place)
    assert files_in(media) == []


def test_moved_into_place_the_files_take_the_empty_folders_place(staged, monkeypatch):
    place, media = staged
    monkeypatch.setattr(staging, "_promote_sqlite", lambda _staging: None)
    monkeypatch.setattr(staging, "_promote_postgres", lambda _staging: None)
    staging.promote(place)
    assert files_in(media) == ["vault/ab/ab01", "vault/cd/cd02"]
    assert not [p for p in media.iterdir() if p.name.startswith(".restoring-")]
