"""`check_upload()`: refuse unsafe or unusable files before anything parses them.

Cheap checks first (size, extension, magic bytes), then the container: an XLSX/ODS is
a zip, so its entry count, declared uncompressed size and compression ratios are
checked with `zipfile` *before* calamine opens it (calamine has no zip-bomb guard), and
every XML part is scanned for DTDs (`<!DOCTYPE`, `<!ENTITY`), which real Office files
never contain and XML bombs need. Then `inspect()` runs, so header-only files, files
with thousands of columns, NUL bytes and undecodable text are refused with the same
kind of message.
"""

import codecs
import hashlib
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import defusedxml.ElementTree
from defusedxml import DefusedXmlException

from .detect import TEXT_EXTENSIONS, WORKBOOK_EXTENSIONS, extension_of, inspect
from .encoding import BLOCK_BYTES, BOMS, utf16_without_bom
from .errors import UploadRefused
from .extent import OdsSheetExtent, XlsxSheetExtent
from .model import FileInfo

MAX_ZIP_ENTRIES = 2_000
MAX_ZIP_RATIO = 200  # real sheets compress 5-50x; bombs 1000x and more
MIN_UNCOMPRESSED_LIMIT = 100 << 20
MAX_UNCOMPRESSED_LIMIT = 2 << 30
_DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY", "<!doctype", "<!entity")
    for encoding in ("ascii", "utf-16-le", "utf-16-be")
)
# Control bytes text files do not contain (tab, line breaks, form feed and ESC excepted).
_BINARY_BYTES = frozenset(range(0, 9)) | frozenset(range(14, 27)) | frozenset(range(28, 32))
_MAGIC = (
    (b"PK\x03\x04", "zip", "a ZIP archive or Excel workbook"),
    (b"PK\x05\x06", "zip", "an empty ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2", "an Office document in the old format"),
    (b"MZ", "exe", "a Windows program"),
    (b"\x7fELF", "exe", "a Linux program"),
    (b"\xcf\xfa\xed\xfe", "exe", "a macOS program"),
    (b"\xfe\xed\xfa\xce", "exe", "a macOS program"),
    (b"%PDF", "document", "a PDF document"),
    (b"{\\rtf", "document", "an RTF document"),
    (b"\x89PNG", "image", "a PNG image"),
    (b"\xff\xd8\xff", "image", "a JPEG image"),
    (b"GIF8", "image", "a GIF image"),
    (b"\x1f\x8b", "archive", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "archive", "a 7-Zip archive"),
    (b"Rar!", "archive", "a RAR archive"),
)


@dataclass
class UploadCheck:
    """A file that passed the checks: its digest (for duplicate refusal) and layout."""

    sha256: str
    size: int
    extension: str
    info: FileInfo


def sniff_magic(head: bytes) -> tuple[str, str] | None:
    """(kind, description) for well-known binary formats, from the first bytes."""
    for magic, kind, description in _MAGIC:
        if head.startswith(magic):
            return kind, description
    return None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(BLOCK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def check_arrival(path: str | Path, filename: str, max_bytes: int) -> tuple[str, int]:
    """The checks cheap enough for the web request: extension, size, the first bytes.

    Returns (extension, size). Nothing here parses the file: the zip container, the XML
    and the table are checked by `check_upload()`, in a confined process (isolated.py).
    """
    path = Path(path)
    extension = extension_of(filename)
    if extension not in TEXT_EXTENSIONS | WORKBOOK_EXTENSIONS:
        raise UploadRefused("extension", extension=extension or "(none)")
    size = path.stat().st_size
    if size == 0:
        raise UploadRefused("empty")
    if size > max_bytes:
        raise UploadRefused(
            "too_large", size_mb=megabytes(size, above=max_bytes), limit_mb=megabytes(max_bytes)
        )
    with path.open("rb") as handle:
        head = handle.read(8192)
    magic = sniff_magic(head)
    if extension in TEXT_EXTENSIONS:
        if magic:
            raise UploadRefused("binary_as_text", extension=extension, detected=magic[1])
    elif extension == "xls" and magic and magic[0] == "ole2":
        pass  # the old binary Excel format: calamine reads it, there is no zip to check
    elif magic is None or magic[0] != "zip":
        if magic and magic[0] == "ole2" and extension in ("xlsx", "xlsm", "xlsb"):
            # What Excel writes for a password-protected workbook: an OLE2 container.
            raise UploadRefused("encrypted_workbook")
        detected = magic[1] if magic else _describe_unknown(head)
        raise UploadRefused("not_a_workbook", extension=extension, detected=detected)
    return extension, size


def check_upload(
    path: str | Path,
    filename: str,
    max_bytes: int,
    *,
    encoding_override: str | None = None,
    saved_date_order: str | None = None,
    default_currency: str | None = None,
    digest: bool = True,
) -> UploadCheck:
    """Check an uploaded file; raise `UploadRefused` with a message for the uploader.

    Parses the file: run it through `isolated.check_upload_isolated()` outside tests.
    `digest=False` leaves `sha256` empty (the worker's caller hashed the file on arrival:
    reading it once more would only cost time).
    """
    path = Path(path)
    extension, size = check_arrival(path, filename, max_bytes)
    with path.open("rb") as handle:
        head = handle.read(8192)
    if extension in TEXT_EXTENSIONS:
        _check_text_bytes(path, head, extension)
    elif (sniff_magic(head) or ("",))[0] == "zip":
        check_zip_container(path, max_bytes, extension)
    info = inspect(
        path,
        filename,
        encoding_override=encoding_override,
        saved_date_order=saved_date_order,
        default_currency=default_currency,
    )
    sha256 = sha256_of(path) if digest else ""
    return UploadCheck(sha256=sha256, size=size, extension=extension, info=info)


def _describe_unknown(head: bytes) -> str:
    """What a file without a known signature seems to be, for the refusal message."""
    if head and sum(1 for byte in head if byte in _BINARY_BYTES) <= 0.01 * len(head):
        return "a text file, such as CSV: upload it with the .csv extension"
    return "unknown binary data"


def megabytes(size: int, above: int | None = None) -> str:
    """Megabytes with one decimal; more when needed to show `size` exceeds `above`."""
    for decimals in range(1, 7):
        text = f"{size / (1 << 20):.{decimals}f}".rstrip("0").rstrip(".")
        if above is None or text != megabytes(above):
            return text
    return text


def _check_text_bytes(path: Path, head: bytes, extension: str) -> None:
    """Refuse binary data and NUL bytes in a text file (UTF-16/32 text excepted)."""
    if any(head.startswith(bom) for bom, name in BOMS if "16" in name or "32" in name):
        return
    if utf16_without_bom(head):
        return
    control = sum(1 for byte in head if byte in _BINARY_BYTES)
    if control > 0.05 * len(head):
        raise UploadRefused("binary_as_text", extension=extension, detected="binary data")
    with path.open("rb") as handle:
        while block := handle.read(BLOCK_BYTES):
            if b"\x00" in block:
                raise UploadRefused("nul_bytes")


def check_zip_container(path: Path, max_bytes: int, extension: str) -> None:
    """Entry count, declared sizes, ratios and DTD-free XML, before any parser runs."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise UploadRefused("zip_corrupt") from error
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise UploadRefused("zip_too_many_entries", entries=len(entries), limit=MAX_ZIP_ENTRIES)
        limit = min(MAX_UNCOMPRESSED_LIMIT, max(MIN_UNCOMPRESSED_LIMIT, 20 * max_bytes))
        total = sum(entry.file_size for entry in entries)
        if total > limit:
            raise UploadRefused(
                "zip_too_large_uncompressed", size_mb=megabytes(total), limit_mb=megabytes(limit)
            )
        for entry in entries:
            if entry.file_size > (1 << 20):
                ratio = entry.file_size / max(1, entry.compress_size)
                if ratio > MAX_ZIP_RATIO:
                    raise UploadRefused("zip_ratio", ratio=int(ratio), limit=MAX_ZIP_RATIO)
        for entry in entries:
            if _unsafe_name(entry.filename):
                raise UploadRefused("zip_unsafe_names", name=entry.filename[:100])
        names = {entry.filename for entry in entries}
        if extension == "ods":
            if "content.xml" not in names:
                raise UploadRefused("not_a_workbook", extension=extension, detected="a ZIP archive")
        elif "[Content_Types].xml" not in names:
            raise UploadRefused("not_a_workbook", extension=extension, detected="a ZIP archive")
        for entry in entries:
            # Every part, whatever its name: the relationships may point a sheet at any
            # part, and calamine opens what they point at. Binary parts (.xlsb records,
            # images) are skipped by their first bytes, not by their names.
            if not entry.is_dir() and _looks_like_xml(archive, entry):
                _check_xml_part(archive, entry, extension)
        workbook_part = "xl/workbook.xml" if "xl/workbook.xml" in names else None
        if workbook_part:
            try:
                defusedxml.ElementTree.fromstring(archive.read(workbook_part))
            except DefusedXmlException as error:
                raise UploadRefused("xml_entities") from error
            except MemoryError:  # out of memory is not damage: the confined child reports it
                raise
            except Exception as error:  # malformed XML: calamine would fail too
                raise UploadRefused("zip_corrupt") from error


_UNSAFE_NAME = re.compile(r"(^|[/\\])\.\.($|[/\\])|^[/\\]|^[A-Za-z]:|\\|[\x00-\x1f]")


def _may_declare(window: bytes) -> bool:
    """One cheap search before the twelve exact ones: every marker starts with `<!`."""
    return b"<!" in window or b"<\x00!" in window or b"\x00<\x00!" in window


def _xml_encoding(head: bytes) -> str:
    """ "utf-16-le"/"utf-16-be" for UTF-16 XML, "" for UTF-8 (scanned as it is)."""
    if head.startswith((b"\xff\xfe", b"<\x00")):
        return "utf-16-le"
    if head.startswith((b"\xfe\xff", b"\x00<")):
        return "utf-16-be"
    return ""


def _unsafe_name(name: str) -> bool:
    """Parent-directory steps, absolute or Windows paths, control characters: an Office
    file never names its parts so, and an unzipping tool could write outside its folder."""
    return _UNSAFE_NAME.search(name) is not None


def _looks_like_xml(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bool:
    """True when the part starts as XML does (after a BOM or white space), in any encoding."""
    try:
        with archive.open(entry) as part:
            head = part.read(64)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:
        raise UploadRefused("zip_corrupt") from error
    except (NotImplementedError, RuntimeError) as error:  # encrypted entry
        raise UploadRefused("encrypted_workbook") from error
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        head = head.removeprefix(bom)
    stripped = head.replace(b"\x00", b"").lstrip()
    return stripped.startswith(b"<")


def _check_xml_part(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, extension: str) -> None:
    """Stream one XML part: no DTD declarations (never in real Office files), and no sheet
    whose cell grid would exhaust memory in calamine (see `extent.py`)."""
    overlap = b""
    extent = None
    if extension in ("xlsx", "xlsm"):
        extent = XlsxSheetExtent()
    elif extension == "ods" and entry.filename == "content.xml":
        extent = OdsSheetExtent()
    decoder = None
    try:
        with archive.open(entry) as part:
            while block := part.read(4 << 20):
                window = overlap + block
                if _may_declare(window) and any(marker in window for marker in _DTD_MARKERS):
                    raise UploadRefused("xml_entities")
                overlap = window[-32:]
                if extent is None:
                    continue
                if decoder is None:  # UTF-16 XML is scanned as UTF-8 all the same
                    encoding = _xml_encoding(block)
                    decoder = encoding and codecs.getincrementaldecoder(encoding)("replace")
                extent.feed(decoder.decode(block).encode("utf-8") if decoder else block)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:
        raise UploadRefused("zip_corrupt") from error
    except NotImplementedError as error:  # unsupported compression, or encryption
        raise UploadRefused("encrypted_workbook") from error
    except RuntimeError as error:  # zipfile raises this for encrypted entries
        raise UploadRefused("encrypted_workbook") from error
