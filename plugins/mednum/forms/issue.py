"""Read the answers of an issue form from the issue's text.

GitHub writes a submitted form as Markdown, one section per field, in the form's order::

    ### Nom du lieu

    Médiathèque de Lodève

    ### Ce que l'on peut y faire

    - [X] Faire mes démarches en ligne
    - [ ] Apprendre à me servir d'un ordinateur ou d'un smartphone

    ### Complément d'adresse

    _No response_

A section starts at a line ``### <label>`` whose label is one of the form's; anything else
(a ``###`` line written inside an answer included) belongs to the answer above it. The
text is untrusted: its size is capped, a field written twice is refused (an edited issue
could otherwise give two values to one field), and nothing of it is ever evaluated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .spec import Form, same_text

NO_RESPONSE = "_No response_"
# GitHub keeps an issue's text under 65,536 characters; an edited event file or a local
# file can be anything, so everything above this is refused before it is even split.
MAX_BODY_CHARS = 2 * 1024 * 1024
_HEADING = re.compile(r"###[ \t]+(.+?)[ \t]*#*[ \t]*")
_CHECKBOX = re.compile(r"[-*+][ \t]+\[([ xX])\][ \t]+(.*)")


@dataclass(frozen=True)
class Problem:
    """What is wrong with one answer (``field`` is the form's field id, None for the whole text)."""

    field: str | None
    message: str


@dataclass
class Answers:
    """The raw answers: text for inputs, text areas and dropdowns, ticked labels for checkboxes."""

    text: dict[str, str] = field(default_factory=dict)
    ticked: dict[str, list[str]] = field(default_factory=dict)

    def get(self, ident: str) -> str:
        return self.text.get(ident, "")

    def boxes(self, ident: str) -> list[str]:
        return self.ticked.get(ident, [])


def read_answers(body: str, form: Form) -> tuple[Answers, list[Problem]]:
    """The answers of ``body``, and the problems of its shape (field written twice, unknown box…)."""
    problems: list[Problem] = []
    answers = Answers()
    if len(body) > MAX_BODY_CHARS:
        problems.append(
            Problem(None, f"le texte de la demande est trop long ({len(body)} caractères) : elle est refusée")
        )
        return answers, problems
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    by_label = {same_text(item.label): item for item in form.items}
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for line in body.split("\n"):
        heading = _HEADING.fullmatch(line)
        item = by_label.get(same_text(heading.group(1))) if heading else None
        if item is not None:
            if item.id in sections:
                problems.append(
                    Problem(
                        item.id,
                        "ce champ est écrit deux fois dans la demande : gardez-en un seul"
                        " (modifiez la demande et supprimez le second)",
                    )
                )
                current = None
                continue
            current = item.id
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    if not sections:
        problems.append(
            Problem(
                None,
                "la demande ne suit pas le formulaire (aucune de ses rubriques n'a été trouvée) :"
                " ouvrez une nouvelle demande avec le bouton « New issue » et choisissez le formulaire",
            )
        )
        return answers, problems
    for item in form.items:
        lines = sections.get(item.id)
        if lines is None:
            continue
        value = "\n".join(lines).strip("\n")
        if value.strip() == NO_RESPONSE:
            value = ""
        if item.type == "checkboxes":
            answers.ticked[item.id] = _ticked(value, item, problems)
        else:
            answers.text[item.id] = value
    return answers, problems


def _ticked(value: str, item, problems: list[Problem]) -> list[str]:
    options = {same_text(option): option for option in item.options}
    ticked = []
    for line in value.split("\n"):
        if not line.strip():
            continue
        box = _CHECKBOX.fullmatch(line.strip())
        if box is None:
            problems.append(
                Problem(
                    item.id, f"ligne « {_short(line)} » inattendue : cochez seulement les cases proposées"
                )
            )
            continue
        if box.group(1) == " ":
            continue
        label = options.get(same_text(box.group(2)))
        if label is None:
            problems.append(
                Problem(
                    item.id,
                    f"case « {_short(box.group(2))} » inconnue : cochez seulement les cases proposées",
                )
            )
        elif label not in ticked:
            ticked.append(label)
    return ticked


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
