"""Reading the CSV files that importers take: one reader, the same French errors for all.

Row numbers are the line where each row starts (a quoted cell may span several lines).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from pathlib import Path

from . import ImportFileError, RowProblem

# The France Services list is ~1 MB; the national consolidated file of every place in France
# tens of MB. Far bigger is a mistake (or not a list of places).
MAX_BYTES = 200 * 1024 * 1024


def read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"{path} : fichier introuvable") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path} : c'est un dossier, pas un fichier CSV") from None
    except OSError as error:
        raise ImportFileError(f"{path} : lecture impossible ({error.strerror})") from None
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"{path} : fichier trop gros ({len(data)} octets)")
    if not data.strip():
        raise ImportFileError(f"{path} : le fichier est vide")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFileError(
            f"{path}:{line}: le fichier n'est pas un texte en UTF-8 (enregistrez-le au format « CSV UTF-8 »)"
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportFileError(f"{path}:{line}: contenu binaire : ce n'est pas un fichier CSV")
    return text


def clean(text: str) -> str:
    """Cell text with non-breaking spaces made ordinary and runs of spaces collapsed (lines kept)."""
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\r\n", "\n")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


class RowKeys:
    """Rows told apart by their key in the source (``id_fs``, ``n_ref``, ``code_service``).

    A second row with a key already read is reported and skipped: one row, one place.
    """

    def __init__(self, column: str):
        self.column = column
        self.seen: dict[str, int] = {}

    def repeated(self, key: str, line: int, problems: list[RowProblem]) -> bool:
        if key in self.seen:
            problems.append(
                RowProblem(
                    line, f"ligne en double ({self.column} {key} déjà lu ligne {self.seen[key]}) : ignorée"
                )
            )
            return True
        self.seen[key] = line
        return False


def read_table(
    path: Path, delimiter: str, required: Iterable[str], expected: str
) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[RowProblem]]:
    """Header, rows as {column: text} with their first line, and rows of the wrong width.

    Raises ``ImportFileError`` (French) for an unreadable file, a wrong delimiter or
    missing columns.
    """
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[RowProblem] = []
    try:
        while True:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [clean(cell).strip('"') for cell in cells]
                continue
            if len(cells) != len(header):
                problems.append(
                    RowProblem(start, f"{len(cells)} champs au lieu de {len(header)} : ligne ignorée")
                )
                continue
            rows.append((start, dict(zip(header, cells, strict=True))))
    except csv.Error as error:
        raise ImportFileError(f"{path}:{reader.line_num}: CSV illisible ({error})") from None
    missing = [name for name in required if name not in (header or [])]
    if missing:
        raise ImportFileError(f"{path}:1: colonnes manquantes : {', '.join(missing)} (attendu : {expected})")
    assert header is not None
    return header, rows, problems
