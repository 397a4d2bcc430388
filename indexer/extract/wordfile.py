"""Word files read exactly: ``.docx`` (OOXML) run by run, ``.doc``/``.rtf``/``.odt`` first
converted to ``.docx`` by LibreOffice (:mod:`indexer.extract.office`). Stage: extract.

Why run by run: editorial offices typed the bulletins in ``.VnTime``/``.VnTimeH`` (TCVN3) or
``VNI-Times`` for years, often with several encodings in one file (headings in one font, the
body in another, Unicode in a pasted table, Wingdings bullets). A run's characters mean
what its font says, so each run is decoded by its own font, resolved the way Word does:
the run's properties, else its character style, else its paragraph style (each with its
``basedOn`` chain), else the document defaults; ``w:rFonts`` ``hAnsi`` (the font of the
high-ANSI codes that carry the legacy letters), else ``ascii``, else ``cs``.

Traps handled (each has a test in tests/test_wordfile.py):
- TCVN3 ``ư`` is code 0xAD, the soft hyphen: OOXML writes it as ``<w:softHyphen/>``, not a
  character, so concatenating ``w:t`` loses every ``ư``; in a Unicode run it is dropped.
- ``.VnTimeH`` capitals fonts hold lower-case codes: decoded then upper-cased (so is ``w:caps``).
- ``w:sym`` (a character given by font and code), ``w:noBreakHyphen``, tabs and breaks.
- fields: the result is kept, the instruction (``PAGE``, ``HYPERLINK ...``) never.
- hidden text (``w:vanish``) dropped; tracked changes in accepted state (``w:ins`` and
  ``w:moveTo`` kept, ``w:del`` and ``w:moveFrom`` dropped).
- tables cell by cell in reading order (rows, then cells); text boxes after the paragraph that
  anchors them, once (``mc:Fallback`` copies skipped); headers and footers kept apart (running
  lines); footnotes and endnotes kept apart.
- symbol fonts: Symbol mapped to Unicode for the few characters that are text (±, ≤, →...),
  Wingdings and other dingbats (bullets, ornaments) dropped.
Output is NFC.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from archive.errors import BadInput
from indexer.extract import office
from indexer.extract.wordruns import Block, Styles, W, WordReader

_W = f"{{{W}}}"

VERSION = "1"  # bump when the text read from the same file may change
WORD_EXTENSIONS = (".doc", ".docx", ".rtf", ".odt")
_MAX_XML = 200 * 1024 * 1024  # a larger part is refused (zip bomb)


@dataclass(frozen=True)
class WordDocument:
    body: tuple[Block, ...]
    headers: tuple[str, ...] = ()  # distinct running heads, in document order
    footers: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # footnotes, then endnotes, in id order
    encodings: tuple[str, ...] = ()  # sorted: among "tcvn3", "vni", "unicode", "symbol"
    macros: bool = False  # the file carries macros (never run)

    def text(self) -> str:
        """The body in reading order, one paragraph (or table cell) per line, stripped, then
        the notes; NFC."""
        lines = [b.text.strip() for b in self.body if b.text.strip()]
        lines += [n.strip() for n in self.notes if n.strip()]
        return "\n".join(lines)


# --- reading a file ------------------------------------------------------------------------

def read_word_file(path: Path, *, work_dir: Path, timeout: float = office.DEFAULT_TIMEOUT,
                   name: str | None = None) -> WordDocument:
    """The decoded document of a ``.doc``, ``.docx``, ``.rtf`` or ``.odt`` file. ``work_dir``
    holds LibreOffice's profile and its converted copy (a temporary folder inside it,
    removed after). Raises BadInput naming the file (``name``, default its path) for a
    password-protected, damaged or unconvertible file."""
    label = name or str(path)
    check_file(path, label)
    if path.suffix.lower() == ".docx":
        return read_docx(path, name=label)
    work_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="convert-", dir=work_dir))
    try:
        converted = office.convert(path, "docx", tmp, profile_root=work_dir, timeout=timeout,
                                   name=label)
        document = read_docx(converted, name=label)
        if not document.macros and _has_legacy_macros(path):
            document = WordDocument(document.body, document.headers, document.footers,
                                    document.notes, document.encodings, True)
        return document
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_file(path: Path, label: str) -> None:
    """BadInput for what can be told without LibreOffice: empty, encrypted, not the format
    its extension says."""
    size = path.stat().st_size
    if size == 0:
        raise BadInput(label, "file is empty (0 bytes)", "copy the file again")
    with path.open("rb") as f:
        head = f.read(8)
    suffix = path.suffix.lower()
    if head == _OLE and suffix in (".docx", ".odt"):
        data = path.read_bytes()
        if "EncryptedPackage".encode("utf-16-le") in data or b"EncryptionInfo" in data or \
                "EncryptionInfo".encode("utf-16-le") in data:
            raise BadInput(label, "document is protected with a password",
                           "open it with the password and save an unprotected copy in scans/")
    if suffix in (".docx", ".odt") and not zipfile.is_zipfile(path) and head != _OLE:
        raise BadInput(label, f"not a {suffix} document (not a ZIP package)",
                       "copy it again from the original, or check its extension")
    # LibreOffice would import anything else as plain text (garbage in, garbage out)
    if suffix == ".doc" and not head.startswith(b"{\\rtf") and (
            head != _OLE or "WordDocument".encode("utf-16-le") not in path.read_bytes()):
        raise BadInput(label, "not a Word document (no WordDocument stream)",
                       "copy it again from the original, or check its extension")
    if suffix == ".rtf" and not head.startswith(b"{\\rtf"):
        if head == _OLE:
            return  # a .doc saved as .rtf: LibreOffice reads it by content
        raise BadInput(label, "not an RTF document (no {\\rtf header)",
                       "copy it again from the original, or check its extension")


def _has_legacy_macros(path: Path) -> bool:
    """Whether a binary .doc carries a VBA project (its storage names appear in the file)."""
    try:
        with path.open("rb") as f:
            data = f.read(8 << 20)
    except OSError:
        return False
    return data[:8] == _OLE and ("_VBA_PROJECT".encode("utf-16-le") in data or
                                 "Macros".encode("utf-16-le") in data)


def read_docx(path: Path, *, name: str | None = None) -> WordDocument:
    """Decode an OOXML ``.docx`` (see the module docstring)."""
    label = name or str(path)
    try:
        with zipfile.ZipFile(path) as z:
            parts = {i.filename: i for i in z.infolist()}
            if "word/document.xml" not in parts:
                raise BadInput(label, "not a Word document (no word/document.xml inside)",
                               "copy it again from the original")
            macros = any(n.lower().endswith("vbaproject.bin") for n in parts)

            def load(part: str) -> etree._Element | None:
                info = parts.get(part)
                if info is None:
                    return None
                if info.file_size > _MAX_XML:
                    raise BadInput(label, f"{part} is too large to read safely "
                                   f"({info.file_size} bytes)", "save a smaller copy")
                parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
                return etree.fromstring(z.read(part), parser)

            document = load("word/document.xml")
            styles = Styles(load("word/styles.xml"))
            reader = WordReader(styles)
            assert document is not None
            body = document.find(f"{_W}body")
            blocks = list(reader.blocks(body)) if body is not None else []
            rels = _relations(load("word/_rels/document.xml.rels"))
            headers: list[str] = []
            footers: list[str] = []
            for kind, target in rels:
                if kind not in ("header", "footer"):
                    continue
                root = load("word/" + target.lstrip("/").removeprefix("word/"))
                if root is None:
                    continue
                text = " ".join(b.text.strip() for b in reader.blocks(root) if b.text.strip())
                bucket = headers if kind == "header" else footers
                if text and text not in bucket:
                    bucket.append(text)
            notes: list[str] = []
            for part, tag in (("word/footnotes.xml", "footnote"), ("word/endnotes.xml", "endnote")):
                root = load(part)
                if root is None:
                    continue
                for note in root.iter(f"{_W}{tag}"):
                    if note.get(f"{_W}type") in ("separator", "continuationSeparator",
                                                  "continuationNotice"):
                        continue
                    text = " ".join(b.text.strip() for b in reader.blocks(note) if b.text.strip())
                    if text:
                        notes.append(text)
    except (zipfile.BadZipFile, etree.XMLSyntaxError, KeyError, EOFError) as e:
        raise BadInput(label, f"document is damaged ({type(e).__name__}: {e})",
                       "copy it again from the original, or open and save it again in Word") from e
    return WordDocument(tuple(blocks), tuple(headers), tuple(footers), tuple(notes),
                        tuple(sorted(reader.encodings)), macros)


def _relations(root: etree._Element | None) -> list[tuple[str, str]]:
    """(kind, target) of the document's relationships, in file order."""
    if root is None:
        return []
    out = []
    for rel in root:
        kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
        if rel.get("TargetMode") != "External":
            out.append((kind, rel.get("Target") or ""))
    return out
