import threading
import time

import pytest

from intake import receipts
from intake.receipts import (
    CODE_DIGITS,
    MEMORY_COST_KIB,
    TIME_COST,
    clean_code,
    format_code,
    new_code,
    receipt_candidates,
    receipt_hash,
)


def test_codes_are_sixteen_random_digits():
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == CODE_DIGITS and c.isdigit() for c in codes)


def test_the_stored_form_reveals_nothing_of_the_code_and_is_found_again():
    code = new_code()
    stored = receipt_hash(code)
    assert code not in stored
    assert stored in receipt_candidates(code)
    assert receipt_hash(new_code()) != stored


def test_the_hash_is_never_weaker_than_owasps_minimum():
    assert MEMORY_COST_KIB >= 19 * 1024 and TIME_COST >= 2


def test_people_may_type_spaces_and_dashes_but_nothing_else():
    code = "1234567890123456"
    assert clean_code("1234 5678 9012 3456") == code
    assert clean_code("1234-5678-9012-3456") == code
    assert clean_code(format_code(code)) == code
    for bad in ["", "123", "1234567890123456789", "12345678901234ab", "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦", None]:
        assert clean_code(bad) is None


def test_a_malformed_code_costs_the_same_work_but_matches_nothing():
    assert receipt_candidates(None) == []


@pytest.mark.parametrize("at_once", [1, 2])
def test_no_more_hashes_run_at_once_than_the_setting_allows(settings, monkeypatch, at_once):
    """Each Argon2id hash fills 19 MiB: eight requests hashing at once in a process hold only
    settings.RECEIPT_HASHES_AT_ONCE of them, the rest wait for a slot."""
    settings.RECEIPT_HASHES_AT_ONCE = at_once
    inside = most = 0
    lock = threading.Lock()

    def slow_hash(**kwargs):
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        time.sleep(0.03)
        with lock:
            inside -= 1
        return bytes(32)

    monkeypatch.setattr(receipts, "hash_secret_raw", slow_hash)
    threads = [threading.Thread(target=receipt_hash, args=(new_code(),)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == at_once
