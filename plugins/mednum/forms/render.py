"""The French texts of a converted form: the answer on the issue and the pull request's description.

Every text a person wrote is escaped for Markdown before it is shown (no link, image, HTML or
mention can come from it), and French typography is applied last: no-break spaces before
« : ; ! ? » and inside « », outside code.
"""

from __future__ import annotations

import re
from typing import Any

from ..french import NBSP, capitalize_first, format_number, format_phone
from .convert import Change, Result
from .geocode import PRECISE_TYPES
from .spec import ACCESSIBILITY, NEW_SITE, UPDATE_SITE

# The first line of the bot's comment: the workflow finds its comment by it and updates it.
MARKER = "<!-- formulaire-catalogue -->"
FORM_NAMES = {
    NEW_SITE: "Proposer un nouveau lieu",
    UPDATE_SITE: "Mettre à jour un lieu",
    "atelier": "Annoncer un atelier",
}
FIELD_LABELS = {
    "id": "Identifiant",
    "nom": "Nom",
    "adresse": "Adresse",
    "complement_adresse": "Complément d'adresse",
    "code_postal": "Code postal",
    "commune": "Commune",
    "code_insee": "Code INSEE",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "typologie": "Type de lieu",
    "telephone": "Téléphone",
    "courriels": "E-mail",
    "site_web": "Site web",
    "horaires": "Horaires",
    "presentation_resume": "Présentation",
    "source": "Source",
    "date_maj": "Vérifiée le",
    "services": "Services",
    "publics_specifiquement_adresses": "Publics",
    "frais_a_charge": "Coût",
    "modalites_acces": "Comment venir",
    "modalites_accompagnement": "Accompagnement",
    "x_pass_numerique": "Pass numérique",
    "x_accessibilite": "Accessibilité",
    "titre": "Titre",
    "type": "Genre",
    "lieu": "Lieu",
    "description": "Description",
    "thematiques": "Thèmes",
    "publics": "Pour qui",
    "niveau": "Niveau",
    "seances": "Séances",
    "recurrence": "Chaque semaine",
    "places": "Places",
    "inscription": "Inscription",
    "tarif": "Prix",
}
ACCESS_LABELS = {"commentaire": "Précisions", "entree_marches": "Marches", "sanitaires_presence": "Toilettes"}


# --- Markdown and typography ---------------------------------------------------------------


def escape(text: Any, limit: int = 300) -> str:
    """``text`` on one line, shorter than ``limit``, with nothing Markdown or GitHub would act on."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    # Without « [ » and « ] » no link or image can form; « < » opens no HTML; the rest is emphasis and tables.
    text = re.sub(r"([\\`*_\[\]<>|~])", r"\\\1", text)
    # « @name » would notify someone, « #12 » link an issue: a word joiner keeps them plain text.
    return re.sub(r"(?<!\w)([@#])(?=\w)", "\\1\u2060", text)


def french_spacing(markdown: str) -> str:
    """No-break spaces of French typography, outside code spans, fenced code and HTML comments."""
    out, fenced = [], False
    for line in markdown.split("\n"):
        if line.startswith(("```", "~~~")):
            fenced = not fenced
        if fenced or line.startswith(("```", "~~~", "<!--")):
            out.append(line)
            continue
        parts = re.split(r"(`[^`]*`)", line)
        for i in range(0, len(parts), 2):
            part = re.sub(r" ([:;!?»])", NBSP + r"\1", parts[i])
            parts[i] = part.replace("« ", "«" + NBSP)
        out.append("".join(parts))
    return "\n".join(out)


def _sentence(text: str) -> str:
    text = capitalize_first(text.strip())
    return text if text.endswith((".", "?", "!", "…")) else text + "."


# --- the answer on the issue -----------------------------------------------------------------


def error_comment(result: Result) -> str:
    lines = [
        MARKER,
        "Bonjour,",
        "",
        "Merci pour votre demande. Avant d'en faire une proposition de modification, quelques réponses"
        " sont à corriger :",
        "",
    ]
    for problem in result.problems:
        label = result.form.label(problem.field)
        message = escape(_sentence(problem.message), 1000)
        lines.append(f"- **{escape(label)}** : {message}" if label else f"- {message}")
    lines += [
        "",
        "Pour corriger : en haut de votre demande, cliquez sur « … » puis sur « Edit », corrigez ces"
        " réponses et enregistrez. La vérification recommence toute seule et ce message sera mis à jour.",
        "",
        "_Message de la vérification automatique du catalogue._",
    ]
    return french_spacing("\n".join(lines)) + "\n"


def success_comment(result: Result) -> str:
    """Ends with a colon: the workflow adds the pull request's address on the next line."""
    lines = [
        MARKER,
        "Bonjour,",
        "",
        "Merci ! Vos réponses sont devenues une proposition de modification du catalogue. L'équipe"
        " numérique du Département va la relire avant de la publier ; elle vous répondra ici ou"
        " dans la proposition si elle a une question.",
        "",
        "Si vous modifiez votre demande, la proposition est mise à jour toute seule, tant que l'équipe"
        " n'a pas commencé à la relire.",
        "",
    ]
    if result.warnings:
        lines.append("À compléter plus tard, si vous le savez (ce n'est pas obligatoire) :")
        lines += [f"- {escape(_sentence(w), 500)}" for w in result.warnings]
        lines.append("")
    lines.append("La proposition de modification :")
    return french_spacing("\n".join(lines)) + "\n\n"


def under_review_comment() -> str:
    """The answer when the issue is edited once its pull request is being reviewed: the workflow
    changes nothing and adds the pull request's address on the next line (it ends with a colon)."""
    lines = [
        MARKER,
        "Bonjour,",
        "",
        "Votre demande a été modifiée, mais sa proposition de modification est déjà en cours de relecture"
        " par l'équipe numérique du Département : elle n'a pas été changée.",
        "",
        "Pour apporter ces modifications, écrivez-les dans la discussion de la proposition de modification ;"
        " l'équipe les reportera elle-même.",
        "",
        "La proposition de modification :",
    ]
    return french_spacing("\n".join(lines)) + "\n\n"


def closing_comment(number: int | None) -> str:
    """Said on the pull request the workflow closes when an edit of the issue has answers to correct."""
    asked = f"la demande #{number}" if number else "la demande"
    text = (
        f"Proposition fermée automatiquement : {asked} a été modifiée et ses réponses sont maintenant à"
        " corriger. Une fois la demande corrigée, une nouvelle proposition de modification sera ouverte."
    )
    return french_spacing(text) + "\n"


# --- the pull request's description ------------------------------------------------------------


def show(name: str, value: Any) -> str:
    """A value of the data as the reviewers read it, escaped for a table cell."""
    if value is None or value == [] or value == {}:
        return "—"
    if name == "telephone" and isinstance(value, str):
        return escape(format_phone(value))
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return escape(format_number(value))
    if name == "horaires":
        return f"`{value}`" if "`" not in str(value) else escape(value)
    if name == "x_accessibilite" and isinstance(value, dict):
        return "<br>".join(_access_fact(k, v) for k, v in value.items())
    if name == "seances" and isinstance(value, list):
        return "<br>".join(escape(f"{s.get('date')} {s.get('debut')}–{s.get('fin')}") for s in value)
    if isinstance(value, dict):
        return "<br>".join(f"{escape(k)} : {show(k, v)}" for k, v in value.items())
    if isinstance(value, list):
        return escape(", ".join(str(v) for v in value))
    return escape(value)


def _access_fact(key: str, value: Any) -> str:
    """« Entrée sans marche » for the facts the form asks about, « champ : valeur » for the others."""
    items = value if isinstance(value, list) else [value]
    labels = [label for label, fact in ACCESSIBILITY.items() if fact[0] == key and fact[1] in items]
    if labels and len(labels) == len(items):
        return escape(", ".join(labels))
    return f"{escape(ACCESS_LABELS.get(key, key))} : {show(key, value)}"


def _change_rows(changes: list[Change]) -> list[str]:
    rows = ["| Champ | Avant | Après |", "|---|---|---|"]
    for change in changes:
        label = FIELD_LABELS.get(change.field, change.field)
        rows.append(
            f"| {escape(label)} | {show(change.field, change.old)} | {show(change.field, change.new)} |"
        )
    return rows


def pull_request_body(result: Result, number: int | None, author: str) -> str:
    record = result.record or {}
    asked = f"la demande #{number}" if number else "une demande"
    by = f" de @{author}" if author and re.fullmatch(r"[A-Za-z0-9-]+(\[bot\])?", author) else ""
    lines = [
        f"Proposition écrite automatiquement à partir de {asked}{by}, formulaire « {FORM_NAMES[result.kind]} ».",
        "",
    ]
    if result.kind == UPDATE_SITE:
        lines += [f"### Fiche « {escape(record.get('nom', ''))} » (`{record.get('id')}`) : ce qui change", ""]
        lines += _change_rows(result.changes)
    else:
        noun = "Nouveau lieu" if result.kind == NEW_SITE else "Nouvel atelier"
        name = record.get("nom") or record.get("titre") or ""
        lines += [
            f"### {noun} « {escape(name)} » (`{record.get('id')}`)",
            "",
            "| Champ | Valeur |",
            "|---|---|",
        ]
        lines += [
            f"| {escape(FIELD_LABELS.get(k, k))} | {show(k, v)} |" for k, v in record.items() if k != "id"
        ]
    lines.append("")
    found = result.geocoded
    if found is not None:
        lines.append(
            f"Position trouvée d'après l'adresse par la Base adresse nationale : « {escape(found.label)} »"
            f" ({PRECISE_TYPES.get(found.type, found.type)}, score {format_number(round(found.score, 2))})."
            " Vérifiez le point sur la carte de l'aperçu du site."
        )
        lines.append("")
    if result.source:
        lines += [f"Source des informations, selon la demande : « {escape(result.source)} ».", ""]
    if result.notes or result.warnings:
        lines.append("À vérifier ou à compléter :")
        lines += [f"- {escape(n, 500)}" for n in result.notes]
        lines += [f"- {escape(_sentence(w), 500)}" for w in result.warnings]
        lines.append("")
    lines.append(
        "Relisez la proposition (onglet « Files changed ») et vérifiez l'information auprès de sa source"
        " avant de l'accepter."
    )
    if number:
        lines += ["", f"Accepter cette proposition fermera la demande : closes #{number}."]
    return french_spacing("\n".join(lines)) + "\n"
