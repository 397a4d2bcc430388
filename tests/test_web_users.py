"""Accounts in the catalog (webapp/users.py): roles, names, passwords, tokens, audit."""

from __future__ import annotations

import pytest

from archive.catalog import Catalog
from archive.errors import UsageError
from webapp import users


def test_roles_are_ordered(catalog: Catalog) -> None:
    reader = users.add_user(catalog, "doc", "reader", "mat-khau-dai-1")
    editor = users.add_user(catalog, "bientap", "editor", "mat-khau-dai-1")
    admin = users.add_user(catalog, "quantri", "admin", "mat-khau-dai-1")
    assert users.has_role(reader, "reader") and not users.has_role(reader, "editor")
    assert users.has_role(editor, "editor") and not users.has_role(editor, "admin")
    assert all(users.has_role(admin, r) for r in users.ROLES)
    assert not users.has_role(None, "reader")
    users.set_disabled(catalog, "quantri")
    assert not users.has_role(users.get_user(catalog, "quantri"), "reader")


def test_names_and_passwords_are_checked(catalog: Catalog) -> None:
    assert users.add_user(catalog, "  Lan.Nguyen ", "reader", "mat-khau-dai-1").name == "lan.nguyen"
    for bad in ("a", "có dấu", "x" * 41, "-dash", "a/b"):
        with pytest.raises(UsageError):
            users.add_user(catalog, bad, "reader", "mat-khau-dai-1")
    with pytest.raises(UsageError, match="quá ngắn"):
        users.add_user(catalog, "ngan", "reader", "1234567")
    with pytest.raises(UsageError, match="vai trò .* không có"):
        users.add_user(catalog, "vai", "root", "mat-khau-dai-1")
    row = catalog.one("SELECT password_hash FROM account WHERE name = 'lan.nguyen'")
    assert "mat-khau-dai-1" not in row["password_hash"] and row["password_hash"].startswith("scrypt")


def test_authenticate_records_attempts(catalog: Catalog) -> None:
    import unicodedata

    users.add_user(catalog, "doc", "reader", "Mật-khẩu-dài")
    typed = unicodedata.normalize("NFD", "Mật-khẩu-dài")  # as some keyboards send it
    assert users.authenticate(catalog, "DOC", typed, "1.2.3.4").user is not None
    assert users.authenticate(catalog, "doc", "sai", "1.2.3.4").user is None
    assert users.authenticate(catalog, "khong-co", "sai", "1.2.3.4").user is None
    assert users.failures(catalog, "doc", "1.2.3.4") == (1, 2)
    actions = [r["action"] for r in users.audit_rows(catalog)]
    assert actions[:3] == ["login-failed", "login-failed", "login"]


def test_tokens_are_revocable(catalog: Catalog) -> None:
    users.add_user(catalog, "doc", "reader", "mat-khau-dai-1")
    token = users.create_token(catalog, "doc", "script")
    assert users.user_for_token(catalog, token).name == "doc"
    assert users.user_for_token(catalog, token + "x") is None
    assert users.user_for_token(catalog, "not-a-token") is None
    assert users.revoke_tokens(catalog, "doc") == 1
    assert users.user_for_token(catalog, token) is None


@pytest.mark.parametrize("weak, reason", [
    ("password", "quá ngắn"), ("12345678", "quá ngắn"), ("aaaaaaaa", "quá ngắn"),
    ("aaaaaaaaaaaa", "khác nhau"), ("password12345", "phổ biến"), ("1234567890", "phổ biến"),
    ("Qwertyuiop!", "phổ biến"), ("matkhau123", "phổ biến"), ("lan.nguyen", "trùng"),
    ("Lan.Nguyen2024!", "trùng"),
])
def test_password_policy_refuses_weak_passwords(catalog: Catalog, weak: str, reason: str) -> None:
    with pytest.raises(UsageError, match=reason):
        users.add_user(catalog, "lan.nguyen", "reader", weak)
    users.add_user(catalog, "lan.nguyen", "reader", "mat-khau-dai-1")
    with pytest.raises(UsageError, match=reason):
        users.set_password(catalog, "lan.nguyen", weak)


def test_password_policy_accepts_long_passwords_and_passphrases(catalog: Catalog) -> None:
    from webapp import passwords

    assert len(passwords.common_passwords()) > 3000  # the bundled list is read
    for good in ("mat-khau-dai-1", "trâu ăn cỏ non", "chi bộ họp tháng tư", "x7#Kq9!mZ2"):
        assert passwords.check_password(good, "lan") == good
    assert passwords.is_passphrase("trâu ăn cỏ non") and not passwords.is_passphrase("trâu ăn cỏ")
