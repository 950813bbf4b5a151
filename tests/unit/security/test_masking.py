"""PII masking: what a role without the unmasked-PII permission sees."""

import pytest

from arrears.domain.security import mask_email, mask_national_id, mask_phone


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("+34612345678", "+34 •••••5678"),  # Spain: 9-digit national number
        ("+8613800138000", "+86 •••••••8000"),  # China: country code 86, 11 digits
        ("+12025550123", "+1 ••••••0123"),  # USA: country code 1
        ("+3531234567", "+353 •••••67"),  # Ireland: 7-digit number keeps 2
        ("+29912345", "+299 •••45"),  # Greenland: 3-digit country code, 5 digits
    ],
)
def test_a_phone_keeps_its_country_code_and_last_digits(number, masked):
    assert mask_phone(number) == masked
    national = number.removeprefix(masked.split()[0])
    assert national not in mask_phone(number)


def test_an_unparseable_phone_is_masked_whole():
    assert mask_phone("not a number") == "••••"
    assert mask_phone("") == "••••"


@pytest.mark.parametrize(
    ("national_id", "masked"),
    [
        ("12345678Z", "••••678Z"),
        ("PEGJ800101HDFRRN09", "••••RN09"),
        ("  X1234567L ", "••••567L"),
        ("1234", "••••"),
        ("12", "••••"),
    ],
)
def test_a_national_id_keeps_only_its_last_four_and_hides_its_length(national_id, masked):
    assert mask_national_id(national_id) == masked


def test_masked_ids_of_different_lengths_look_alike():
    assert len(mask_national_id("123456789")) == len(mask_national_id("12345678901234567"))


def test_email_keeps_first_letter_and_domain():
    assert mask_email("lucia@example.es") == "l••••@example.es"
    assert mask_email("broken") == "••••"
