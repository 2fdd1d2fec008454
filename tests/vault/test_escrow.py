"""Key escrow: the keyring sealed under a passphrase (vault/escrow.py) and `keys escrow-export`
/ `keys escrow-import`, which refuse what would lose or expose a keyring."""

import base64
import io
import json
import stat

import pytest
from django.core.management import CommandError, call_command

from vault import escrow
from vault.keyring import Keyring, load_keyring

PASSPHRASE = "seven tired camels"


@pytest.fixture(autouse=True)
def cheaper_derivation(request, monkeypatch):
    """scrypt at full strength costs half a second a try; the tests but one use the weakest
    cost an escrow file may ask for, which runs the same code four times faster."""
    if "full_strength" not in request.fixturenames:
        monkeypatch.setattr(escrow, "SCRYPT_N", 2**15)


@pytest.fixture
def full_strength():
    """Asks for scrypt at the strength real escrow files are sealed with."""


def run(*args) -> str:
    out = io.StringIO()
    call_command("keys", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def passphrase_file(tmp_path):
    path = tmp_path / "passphrase.txt"
    path.write_text(PASSPHRASE + "\n")
    return path


@pytest.fixture
def new_home(settings, tmp_path):
    """A clean machine: the keyring's place is empty."""
    path = tmp_path / "restored" / "keyring.json"
    settings.KEYRING_PATH = path
    return path


def every_key_form(ring: Keyring) -> list[bytes]:
    found = []
    for purpose, entry in ring.purposes.items():
        for version in entry["keys"]:
            raw = ring.key(purpose, int(version))
            found += [base64.b64encode(raw), raw.hex().encode(), raw]
    return found


def test_a_keyring_comes_back_whole_from_its_escrow_and_the_file_shows_no_key(full_strength):
    ring = load_keyring()
    sealed = escrow.seal(ring, PASSPHRASE)
    assert not [form for form in every_key_form(ring) if form in sealed]
    header = json.loads(sealed)
    assert header["kdf"]["name"] == "scrypt"
    assert (header["kdf"]["n"], header["kdf"]["r"], header["kdf"]["p"]) == (2**17, 8, 1)
    assert header["fingerprint"] == escrow.fingerprint(ring)

    opened = escrow.open_escrow(sealed, PASSPHRASE)
    assert opened.keyring.to_json() == ring.to_json()
    assert opened.fingerprint["id"] == escrow.fingerprint(ring)["id"]


def test_two_escrows_of_one_keyring_differ_but_carry_the_same_fingerprint():
    ring = load_keyring()
    first, second = escrow.seal(ring, PASSPHRASE), escrow.seal(ring, PASSPHRASE)
    assert json.loads(first)["ciphertext"] != json.loads(second)["ciphertext"]
    assert json.loads(first)["kdf"]["salt"] != json.loads(second)["kdf"]["salt"]
    assert json.loads(first)["fingerprint"] == json.loads(second)["fingerprint"]
    assert escrow.fingerprint(Keyring.generate())["id"] != escrow.fingerprint(ring)["id"]


def test_a_wrong_passphrase_opens_nothing():
    sealed = escrow.seal(load_keyring(), PASSPHRASE)
    with pytest.raises(escrow.EscrowError, match="wrong passphrase"):
        escrow.open_escrow(sealed, "seven tired camelz")


@pytest.mark.parametrize("tamper", ["ciphertext", "fingerprint", "created_at", "kdf"])
def test_a_changed_escrow_file_does_not_open(tamper):
    document = json.loads(escrow.seal(load_keyring(), PASSPHRASE))
    if tamper == "ciphertext":
        raw = bytearray(base64.b64decode(document["ciphertext"]))
        raw[10] ^= 1
        document["ciphertext"] = base64.b64encode(bytes(raw)).decode()
    elif tamper == "fingerprint":
        document["fingerprint"]["id"] = "0000-0000-0000-0000-0000"
    elif tamper == "created_at":
        document["created_at"] = "2020-01-01T00:00:00Z"
    else:
        document["kdf"]["n"] = 2**16  # a weaker derivation than the one sealed
    with pytest.raises(escrow.EscrowError, match="wrong passphrase, or the escrow file was"):
        escrow.open_escrow(json.dumps(document).encode(), PASSPHRASE)


def test_an_escrow_asking_for_absurd_derivation_costs_is_refused_before_deriving():
    document = json.loads(escrow.seal(load_keyring(), PASSPHRASE))
    document["kdf"]["n"] = 2**30
    with pytest.raises(escrow.EscrowError, match="out of range"):
        escrow.open_escrow(json.dumps(document).encode(), PASSPHRASE)


def test_something_else_is_not_taken_for_an_escrow_file(tmp_path):
    with pytest.raises(escrow.EscrowError, match="not a Shugel keyring escrow file"):
        escrow.open_escrow(load_keyring().to_json().encode(), PASSPHRASE)


def test_a_passphrase_shorter_than_twelve_characters_is_refused(tmp_path, monkeypatch):
    with pytest.raises(escrow.EscrowError, match="at least 12"):
        escrow.seal(load_keyring(), "elevenchars")
    monkeypatch.setenv("SHUGEL_ESCROW_PASSPHRASE", "elevenchars")
    with pytest.raises(CommandError, match="at least 12 characters"):
        run("escrow-export", "--out", str(tmp_path / "k.escrow"))
    assert not (tmp_path / "k.escrow").exists()


def test_export_then_import_on_a_clean_machine_writes_the_same_keyring_owner_only(
    tmp_path, passphrase_file, settings, keyring_file, new_home
):
    settings.KEYRING_PATH, home = keyring_file, new_home
    original = load_keyring()
    out = tmp_path / "usb" / "shugel-keyring.escrow"
    printed = run("escrow-export", "--out", str(out), "--passphrase-file", str(passphrase_file))
    fingerprint = escrow.fingerprint(original)["id"]
    assert fingerprint in printed
    assert stat.S_IMODE(out.stat().st_mode) == 0o600

    settings.KEYRING_PATH = home
    printed = run("escrow-import", "--in", str(out), "--passphrase-file", str(passphrase_file))
    assert fingerprint in printed
    assert Keyring.from_json(home.read_text()).to_json() == original.to_json()
    assert stat.S_IMODE(home.stat().st_mode) == 0o600


def test_the_passphrase_may_come_from_the_environment(tmp_path, monkeypatch, new_home,
                                                      keyring_file, settings):
    monkeypatch.setenv("SHUGEL_ESCROW_PASSPHRASE", PASSPHRASE)
    settings.KEYRING_PATH = keyring_file
    run("escrow-export", "--out", str(tmp_path / "k.escrow"))
    settings.KEYRING_PATH = new_home
    run("escrow-import", "--in", str(tmp_path / "k.escrow"))
    assert new_home.read_text() == keyring_file.read_text()


def test_asked_twice_on_export_and_two_different_answers_write_nothing(tmp_path, monkeypatch):
    answers = iter([PASSPHRASE, PASSPHRASE + "!"])
    monkeypatch.delenv("SHUGEL_ESCROW_PASSPHRASE", raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="differ"):
        run("escrow-export", "--out", str(tmp_path / "k.escrow"))
    assert not (tmp_path / "k.escrow").exists()


def test_import_with_the_wrong_passphrase_writes_no_keyring(tmp_path, passphrase_file,
                                                            settings, keyring_file, new_home):
    settings.KEYRING_PATH = keyring_file
    run("escrow-export", "--out", str(tmp_path / "k.escrow"), "--passphrase-file",
        str(passphrase_file))
    settings.KEYRING_PATH = new_home
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("seven tired camelz\n")
    with pytest.raises(CommandError, match="wrong passphrase.*Nothing was written"):
        run("escrow-import", "--in", str(tmp_path / "k.escrow"), "--passphrase-file", str(wrong))
    assert not new_home.exists()


def test_import_refuses_to_overwrite_a_keyring_unless_forced_and_keeps_the_old_one(
    tmp_path, passphrase_file, keyring_file, settings
):
    out = tmp_path / "k.escrow"
    other = Keyring.generate()
    out.write_bytes(escrow.seal(other, PASSPHRASE))
    before = keyring_file.read_text()
    with pytest.raises(CommandError, match="refusing to overwrite"):
        run("escrow-import", "--in", str(out), "--passphrase-file", str(passphrase_file))
    assert keyring_file.read_text() == before

    printed = run("escrow-import", "--in", str(out), "--passphrase-file", str(passphrase_file),
                  "--force")
    assert Keyring.from_json(keyring_file.read_text()).to_json() == other.to_json()
    kept = list(keyring_file.parent.glob("keyring.json.replaced-*"))
    assert len(kept) == 1 and kept[0].read_text() == before
    assert str(kept[0]) in printed


def test_export_refuses_to_overwrite_an_escrow_file(tmp_path, passphrase_file):
    out = tmp_path / "k.escrow"
    out.write_text("an older escrow")
    with pytest.raises(CommandError, match="already exists"):
        run("escrow-export", "--out", str(out), "--passphrase-file", str(passphrase_file))
    assert out.read_text() == "an older escrow"


def test_an_inline_keyring_can_be_exported_but_not_imported_into(
    tmp_path, monkeypatch, passphrase_file
):
    inline = Keyring.generate()
    monkeypatch.setenv("SHUGEL_KEYRING_JSON", inline.to_json())
    out = tmp_path / "k.escrow"
    run("escrow-export", "--out", str(out), "--passphrase-file", str(passphrase_file))
    assert escrow.open_escrow(out.read_bytes(), PASSPHRASE).keyring.to_json() == inline.to_json()
    with pytest.raises(CommandError, match="SHUGEL_KEYRING_JSON"):
        run("escrow-import", "--in", str(out), "--passphrase-file", str(passphrase_file),
            "--force")
