"""The password policy, shared by `bantin user add` and the admin page.

A password is accepted when it is long enough (:data:`MIN_LENGTH` characters) or is a
passphrase (:data:`MIN_WORDS` words or more, spaces or dashes between them), and it is not
the user name, a common password (``common_passwords.txt`` next to this module: Openwall's
public-domain list plus Vietnamese patterns), or one character repeated. Length matters
more than symbols (NIST SP 800-63B): no rules about capitals or digits.

Messages are in Vietnamese: they reach editors on the admin page and operators at the CLI.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from archive.errors import UsageError
from archive.vntext import nfc

MIN_LENGTH = 10  # characters
MIN_WORDS = 4  # words of a passphrase (each at least MIN_WORD_LENGTH characters)
MIN_WORD_LENGTH = 2
MIN_DISTINCT = 4  # different characters
COMMON_FILE = Path(__file__).with_name("common_passwords.txt")
_WORD_SPLIT = re.compile(r"[\s\-_.,;:]+")
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(nfc(line).strip() for line in lines if line.strip() and not line.startswith("#"))


def is_passphrase(password: str) -> bool:
    words = [w for w in _WORD_SPLIT.split(password) if w]
    return len(words) >= MIN_WORDS and all(len(w) >= MIN_WORD_LENGTH for w in words)


def check_password(password: str, name: str = "") -> str:
    """The password (NFC) when the policy accepts it; UsageError saying why not otherwise."""
    password = nfc(password)
    folded = password.strip().lower()
    if len(password) < MIN_LENGTH and not is_passphrase(password):
        raise UsageError(f"mật khẩu quá ngắn: cần ít nhất {MIN_LENGTH} ký tự, hoặc một cụm "
                         f"ít nhất {MIN_WORDS} từ cách nhau bằng dấu cách")
    core = _EDGES.sub("", folded)  # "Doc2024!" → "doc"
    plain_name = _EDGES.sub("", nfc(name).strip().lower())
    if plain_name and (folded == plain_name or core == plain_name
                       or folded.replace(" ", "") == plain_name):
        raise UsageError("mật khẩu không được trùng với tên đăng nhập")
    common = common_passwords()
    if folded in common or core in common or folded.replace(" ", "") in common:
        raise UsageError("mật khẩu này quá phổ biến, dễ bị đoán: hãy chọn mật khẩu khác "
                         "(ví dụ một cụm vài từ dễ nhớ với bạn)")
    if len(set(folded)) < MIN_DISTINCT:
        raise UsageError(f"mật khẩu cần ít nhất {MIN_DISTINCT} ký tự khác nhau")
    return password
