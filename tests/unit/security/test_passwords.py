"""The password policy: length, variety, no common choices, not the user name."""

from arrears.domain.security import PasswordPolicy, password_problems


def test_a_long_varied_passphrase_is_accepted():
    assert password_problems("correct horse battery staple", username="ana") == []


def test_short_repetitive_common_and_name_containing_passwords_are_refused():
    assert password_problems("short1!") == ["must have at least 12 characters"]
    assert password_problems("aaaaaaaaaaaaaaaa") == ["must use at least 5 different characters"]
    assert "is a commonly used password" in password_problems("Password123!")
    assert password_problems("mariagarcia-2026!", username="MariaGarcia") == [
        "must not contain the user name"
    ]


def test_the_policy_is_configurable():
    assert password_problems("abcdefgh", policy=PasswordPolicy(min_length=8)) == []
