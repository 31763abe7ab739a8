"""Problems found in the data: located, in French, collected rather than raised.

Every stage appends to a ``Report`` so that a partner sees all problems of a
pull request at once, each on one line ``file:line:column: subject, champ « x » : message``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR = "erreur"
WARNING = "avertissement"


@dataclass(frozen=True, order=True)
class Location:
    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    location: Location
    message: str
    subject: str = ""
    field: str = ""
    severity: str = ERROR

    def __str__(self) -> str:
        head = self.subject
        if self.field:
            head = f"{head}, champ « {self.field} »" if head else f"champ « {self.field} »"
        return f"{self.location}: {head} : {self.message}" if head else f"{self.location}: {self.message}"

    @property
    def sort_key(self) -> tuple:
        return (self.location, self.subject, self.field, self.message)


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def error(self, location: Location, message: str, subject: str = "", field: str = "") -> None:
        self.add(Problem(location, message, subject, field, ERROR))

    def warning(self, location: Location, message: str, subject: str = "", field: str = "") -> None:
        self.add(Problem(location, message, subject, field, WARNING))

    def extend(self, other: Report) -> None:
        self.problems.extend(other.problems)

    def _sorted(self, severity: str) -> list[Problem]:
        unique = {str(p): p for p in self.problems if p.severity == severity}
        return sorted(unique.values(), key=lambda p: p.sort_key)

    @property
    def errors(self) -> list[Problem]:
        return self._sorted(ERROR)

    @property
    def warnings(self) -> list[Problem]:
        return self._sorted(WARNING)

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self, warnings: bool = True) -> str:
        """The report as partners read it: errors first, warnings apart."""
        lines: list[str] = []
        errors = self.errors
        if errors:
            lines.append(f"{_count(len(errors), 'erreur', 'erreurs')} :")
            lines.extend(str(p) for p in errors)
        if warnings and self.warnings:
            if lines:
                lines.append("")
            lines.append(f"{_count(len(self.warnings), 'avertissement', 'avertissements')} :")
            lines.extend(str(p) for p in self.warnings)
        if not errors:
            if lines:
                lines.append("")
            lines.append("Aucune erreur.")
        return "\n".join(lines)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
