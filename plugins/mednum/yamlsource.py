"""Read a YAML data file safely, keeping the position of every value.

PyYAML's own constructors apply YAML 1.1 implicit typing: ``12:30`` becomes 750,
``01000`` becomes 512 and ``no`` becomes False. Partners never mean that, so this
reader builds values from the parser's events itself:

* quoted scalars are always text;
* plain scalars become ``None`` (empty, ``~``, ``null``), ``True``/``False``
  (only ``true``/``false``), an int (``0`` or no leading zero), a float
  (``43.61``) — anything else stays the text as written (``12:30``, ``01000``,
  ``no``, ``2026-03-01``). The written text of every plain scalar that became a
  number or a boolean is kept, so that a field whose schema wants text gets back
  exactly what the author typed (``code_postal: 34000`` → ``"34000"``);
* anchors, aliases and explicit tags are refused (no alias bombs, no objects);
* duplicate keys, several documents, non-UTF-8 bytes and oversized files are
  reported as located errors, never raised.
"""

from __future__ import annotations

import hashlib
import pickle
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .cachefile import read_pickle, write_pickle
from .problems import Location, Report

try:  # libyaml's parser is several times faster; marks are the same.
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 32

_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}

Path_ = tuple  # a path inside the document: (3, "x_arrets", 0, "horaires")


@dataclass
class YamlDocument:
    """A parsed file: its data, and where each value and key was written.

    A file read record by record (``read_yaml_cached``) keeps each record's own document,
    parsed alone, and the line it starts on (``records``), instead of the three tables.
    """

    file: str
    data: Any = None
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    plain_text: dict[Path_, str] = field(default_factory=dict)
    records: list[tuple[int, RecordTables]] | None = None  # (lines before it, its tables)

    def _record(self, path: Path_) -> tuple[int, RecordTables] | None:
        if self.records is None or not path:
            return None
        index = path[0]
        if type(index) is int and 0 <= index < len(self.records):
            return self.records[index]
        return None

    def written(self, path: Path_) -> str | None:
        """The text as written of the plain scalar at ``path``, if it was read as a number or a
        boolean (``code_postal: 34000``); None otherwise."""
        record = self._record(path)
        if record is not None:
            return record[1].document(self.file).plain_text.get((0, *path[1:]))
        return self.plain_text.get(path)

    def location(self, path: Path_, key: bool = False) -> Location:
        """Location of the value at ``path`` (or of its key), else of its nearest parent."""
        if self.records is not None:
            record = self._record(path)
            offset, tables = record if record is not None else self.records[0]
            inner = (0, *path[1:]) if record is not None else ()
            if inner == (0,) and not key:  # where a record starts: asked for each one
                line, column = tables.start
            else:
                found = tables.document(self.file).location(inner, key)
                line, column = found.line, found.column
            return Location(self.file, line + offset, column)
        table = self.keys if key else self.values
        probe = tuple(path)
        while True:
            if probe in table:
                line, column = table[probe]
                return Location(self.file, line, column)
            if probe in self.values:
                line, column = self.values[probe]
                return Location(self.file, line, column)
            if not probe:
                return Location(self.file, 1, 1)
            probe = probe[:-1]


class RecordTables:
    """Where the values and keys of a record read alone were written (its own document's
    tables, from its first line): kept pickled until a message needs them. Unpickling the
    tables of every record would cost more than parsing the one that changed."""

    __slots__ = ("_document", "pickled", "start")

    def __init__(self, start: tuple[int, int], pickled: bytes):
        self.start = start  # where the record's value starts: every record's line is asked for
        self.pickled = pickled
        self._document: YamlDocument | None = None

    @classmethod
    def of(cls, doc: YamlDocument) -> RecordTables:
        tables = (doc.values, doc.keys, doc.plain_text)
        return cls(doc.values[(0,)], pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL))

    def document(self, file: str) -> YamlDocument:
        if self._document is None:
            values, keys, plain_text = pickle.loads(self.pickled)  # written by ``of``
            self._document = YamlDocument(file, None, values, keys, plain_text)
        return self._document


class _Refused(Exception):
    def __init__(self, mark: Any, message: str):
        super().__init__(message)
        self.mark = mark
        self.message = message


def resolve_plain(text: str) -> Any:
    """Type of a plain (unquoted) scalar, by the narrow rules above."""
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text) and ("." in text or "e" in text.lower()):
        return float(text)
    return text


class _Builder:
    def __init__(self, events, doc: YamlDocument):
        self.events = events
        self.doc = doc

    def next(self):
        return next(self.events)

    def node(self, event, path: Path_, depth: int) -> Any:
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(
                event.start_mark,
                "les alias YAML (*nom) ne sont pas acceptés : recopiez la valeur",
            )
        if getattr(event, "anchor", None):
            raise _Refused(
                event.start_mark,
                "les ancres YAML (&nom) ne sont pas acceptées : recopiez la valeur",
            )
        tag = getattr(event, "tag", None)
        if tag and not (isinstance(event, yaml.ScalarEvent) and tag == "!"):
            raise _Refused(
                event.start_mark,
                f"les étiquettes YAML (« {tag} ») ne sont pas acceptées : retirez-la",
            )
        if depth > MAX_DEPTH:
            raise _Refused(event.start_mark, "structure trop profondément imbriquée")
        mark = event.start_mark
        self.doc.values[path] = (mark.line + 1, mark.column + 1)
        if isinstance(event, yaml.ScalarEvent):
            if not event.style:  # plain: libyaml says "", PyYAML says None
                value = resolve_plain(event.value)
                if value is not None and not isinstance(value, str):
                    self.doc.plain_text[path] = event.value
                return value
            return event.value
        if isinstance(event, yaml.SequenceStartEvent):
            items = []
            while True:
                child = self.next()
                if isinstance(child, yaml.SequenceEndEvent):
                    return items
                items.append(self.node(child, (*path, len(items)), depth + 1))
        if isinstance(event, yaml.MappingStartEvent):
            mapping: dict[str, Any] = {}
            while True:
                key_event = self.next()
                if isinstance(key_event, yaml.MappingEndEvent):
                    return mapping
                if (
                    not isinstance(key_event, yaml.ScalarEvent)
                    or key_event.anchor
                    or (key_event.tag and key_event.tag != "!")
                ):
                    raise _Refused(key_event.start_mark, "nom de champ invalide")
                key = key_event.value
                kmark = key_event.start_mark
                if key in mapping:
                    first = self.doc.keys[(*path, key)]
                    raise _Refused(
                        kmark,
                        f"le champ « {key} » est écrit deux fois"
                        f" (déjà à la ligne {first[0]}) : gardez-en un seul",
                    )
                self.doc.keys[(*path, key)] = (kmark.line + 1, kmark.column + 1)
                mapping[key] = self.node(self.next(), (*path, key), depth + 1)
        raise _Refused(mark, "élément YAML inattendu")  # pragma: no cover


def _french_yaml_error(exc: yaml.YAMLError, text: str) -> tuple[int, int, str]:
    """Translate PyYAML's error into a located French sentence."""
    if isinstance(exc, yaml.reader.ReaderError):
        line, column = _locate_char(text, exc.position)
        return line, column, f"caractère de contrôle interdit (code {exc.character})"
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = (getattr(exc, "problem", None) or str(exc)).strip()
    context = (getattr(exc, "context", None) or "").strip()
    both = f"{context} {problem}"
    if "\\t" in problem or "tab character" in problem:
        hint = "tabulation interdite : indentez avec des espaces"
    elif "mapping values are not allowed" in problem:
        hint = (
            "deux-points inattendu : une valeur qui contient « : » doit être entre"
            " guillemets, ou l'indentation de cette ligne est fausse"
        )
    elif "could not find expected ':'" in problem:
        hint = "il manque « : » après le nom du champ, ou une ligne est mal indentée"
    elif "expected <block end>" in problem or "expected <block" in both:
        hint = "indentation incohérente : alignez ce champ sur les autres champs de la fiche"
    elif "found unexpected end of stream" in problem and "quoted" in context:
        hint = "guillemet ouvert mais jamais fermé"
    elif "found character" in problem and "cannot start any token" in problem:
        shown = _char_at(text, line, column)
        hint = f"caractère « {shown} » interdit en début de valeur : mettez la valeur entre guillemets"
    elif "unknown escape character" in problem:
        hint = (
            "barre oblique inverse (\\) invalide entre guillemets doubles : utilisez des guillemets simples"
        )
    elif "while parsing a flow" in context or "flow" in problem:
        hint = "liste ou dictionnaire entre crochets ou accolades mal fermé"
    else:
        hint = f"syntaxe YAML invalide ({problem})"
    return line, column, hint


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    if 0 < line <= len(lines) and 0 < column <= len(lines[line - 1]):
        return lines[line - 1][column - 1]
    return "?"


def _locate_char(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _locate_byte(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return line, column


def read_yaml(path: Path, display: str, report: Report, max_bytes: int = DEFAULT_MAX_BYTES):
    """Parse ``path``; problems go to ``report``. Returns a YamlDocument or None."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        report.error(Location(display), "fichier introuvable")
        return None
    except OSError as exc:
        report.error(Location(display), f"fichier illisible ({exc.strerror})")
        return None
    if size > max_bytes:
        report.error(
            Location(display),
            f"fichier trop gros ({size} octets, {max_bytes} au plus) : découpez-le ou vérifiez son contenu",
        )
        return None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        report.error(Location(display), f"fichier illisible ({exc.strerror})")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _locate_byte(raw, exc.start)
        report.error(
            Location(display, line, column),
            f"le fichier n'est pas encodé en UTF-8 (octet 0x{raw[exc.start]:02X}) : enregistrez-le en UTF-8",
        )
        return None
    if "\x00" in text:
        line, column = _locate_byte(raw, raw.index(b"\x00"))
        report.error(Location(display, line, column), "le fichier contient des données binaires (octet nul)")
        return None
    return _parse(text, display, report)


def _parse(text: str, display: str, report: Report) -> YamlDocument | None:
    """The document in ``text`` (decoded, checked for size and binary bytes)."""
    doc = YamlDocument(display)
    try:
        events = yaml.parse(text, Loader=_Loader)
        builder = _Builder(events, doc)
        first = builder.next()  # StreamStart
        document_start = builder.next()
        if isinstance(document_start, yaml.StreamEndEvent):
            report.error(
                Location(display),
                "le fichier est vide : s'il ne doit contenir aucune fiche, écrivez []",
            )
            return None
        del first
        doc.data = builder.node(builder.next(), (), 0)
        builder.next()  # DocumentEnd
        extra = builder.next()
        if not isinstance(extra, yaml.StreamEndEvent):
            mark = extra.start_mark
            report.error(
                Location(display, mark.line + 1, mark.column + 1),
                "un seul document YAML attendu : retirez la ligne « --- » en trop",
            )
            return None
    except _Refused as exc:
        report.error(Location(display, exc.mark.line + 1, exc.mark.column + 1), exc.message)
        return None
    except yaml.YAMLError as exc:
        line, column, message = _french_yaml_error(exc, text)
        report.error(Location(display, line, column), message)
        return None
    except RecursionError:
        report.error(Location(display), "structure trop profondément imbriquée")
        return None
    return doc


# --------------------------------------------------------------------------------------------------
# Cache of parsed files

CACHE_FOLDER = "yaml"


def _reader_version() -> bytes:
    """This reader's code and PyYAML's version: a cached parse is only as good as what made it."""
    return hashlib.sha256(Path(__file__).read_bytes() + yaml.__version__.encode()).digest()


def read_yaml_cached(
    path: Path, display: str, report: Report, max_bytes: int = DEFAULT_MAX_BYTES, cache: Path | None = None
):
    """``read_yaml``, or the document parsed from the same bytes by an earlier build.

    Only files read without any problem are kept: a file with a mistake is parsed (and its
    mistakes reported) every time. Files are keyed by their content, their name and this
    reader's code; an unreadable cache entry is parsed again. Parsing is the slowest part
    of reading a national catalogue (about 28 MB of YAML).

    A file laid out as the data files are, a list whose records start at the beginning of a
    line (``- id: …``), is kept record by record (``_read_records``): a pull request changes
    one record, and only that record is parsed again (4,000 places: 1.4 s for the whole
    file). Any other layout, or a record that does not read alone, is read whole.
    """
    if cache is None:
        return read_yaml(path, display, report, max_bytes)
    try:
        if path.stat().st_size > max_bytes:
            return read_yaml(path, display, report, max_bytes)
        raw = path.read_bytes()
    except OSError:
        return read_yaml(path, display, report, max_bytes)
    prefix = hashlib.sha256(display.encode()).hexdigest()[:12]
    folder = cache / CACHE_FOLDER
    texts = _record_texts(raw)
    if texts is not None:
        doc = _read_records(texts, display, folder, prefix)
        if doc is not None:
            return doc
    key = hashlib.sha256(_reader_version() + display.encode() + b"\0" + raw).hexdigest()
    entry = folder / f"{prefix}-{key}.pickle"
    doc = read_pickle(entry)
    if isinstance(doc, YamlDocument) and doc.file == display:
        return doc
    problems = len(report.problems)
    doc = read_yaml(path, display, report, max_bytes)
    if doc is None or len(report.problems) != problems:
        return doc
    try:
        write_pickle(entry, doc)
        for older in folder.glob(f"{prefix}-*.pickle"):  # earlier versions of the same file
            if older != entry:
                older.unlink(missing_ok=True)
    except OSError:
        pass  # a cache that cannot be written only costs time
    return doc


# A record's first line ("- id: …"), and a line that shows another layout than a list of
# records: one that starts with anything but a space, a comment or a record ("---", "[]", a
# quoted text going on at the start of a line, a tab). Line breaks other than \n are counted
# differently by the parser: such a file is read whole.
# (Written from the line break: a pattern that starts with a fixed text is searched fast.)
_RECORD = re.compile(r"\n-(?=[ \n]|$)")
_NOT_RECORDS = re.compile(r"\n(?:(?=[^ #\n-])|-(?=[^ \n]))")
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")
RECORD_SHARDS = 16  # cache files of records per data file: a changed record rewrites one


def _record_texts(raw: bytes) -> list[tuple[int, str]] | None:
    """(lines before it, text) of each record of a file laid out as a list of records, the
    comments before the first one with it; None for any other layout."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    text = "\n" + text  # the first line is a line like the others
    if "\x00" in text or _NOT_RECORDS.search(text) or any(b in text for b in _OTHER_BREAKS):
        return None
    starts = [match.start() for match in _RECORD.finditer(text)]
    if not starts:
        return None
    text = text[1:]  # the offsets found were those of the line breaks before the records
    starts[0] = 0
    texts, line = [], 0
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        texts.append((line, text[start:end]))
        line += text.count("\n", start, end)
    return texts


def _read_records(texts: list[tuple[int, str]], display: str, folder: Path, prefix: str):
    """The document of a file read record by record (``_record_texts``), each record parsed
    alone unless an earlier build parsed the same text; None if a record does not read
    alone as one record without any problem (the file is then read whole, and its
    mistakes reported as a whole read reports them)."""
    version = _reader_version()
    keys = [hashlib.sha256(version + text.encode()).hexdigest() for _, text in texts]

    def shard_of(key: str) -> int:
        return int(key[0], 16) % RECORD_SHARDS

    def shard_file(shard: int) -> Path:
        return folder / f"{prefix}-records-{shard:x}.pickle"

    known: dict[int, dict] = {}
    for shard in {shard_of(key) for key in keys}:
        loaded = read_pickle(shard_file(shard))
        known[shard] = loaded if isinstance(loaded, dict) else {}
    kept: dict[int, dict] = defaultdict(dict)
    changed, records, data = set(), [], []
    for (offset, text), key in zip(texts, keys, strict=True):
        shard = shard_of(key)
        # The same text twice in a file (a record copied) is parsed twice: two objects.
        parsed = known[shard].pop(key, None)
        if not (isinstance(parsed, tuple) and len(parsed) == 4 and parsed[0] == key):
            doc = _parse(text, display, Report())
            if doc is None or not (isinstance(doc.data, list) and len(doc.data) == 1):
                return None
            tables = RecordTables.of(doc)
            parsed = (key, doc.data[0], tables.start, tables.pickled)
            changed.add(shard)
        kept[shard][key] = parsed
        records.append((offset, RecordTables(parsed[2], parsed[3])))
        data.append(parsed[1])
    # Written again with the records of the file only: those of earlier versions are forgotten.
    stale = {shard for shard, left in known.items() if left}
    if changed or stale:
        try:
            for shard in changed | stale:
                write_pickle(shard_file(shard), kept[shard])
            used = {shard_file(shard) for shard in kept}
            for older in folder.glob(f"{prefix}-*.pickle"):  # the whole file's, other shards
                if older not in used:
                    older.unlink(missing_ok=True)
        except OSError:
            pass  # a cache that cannot be written only costs time
    return YamlDocument(display, data, records=records)
