"""The summary of an import, for people: on the terminal, and in Markdown for the pull request."""

from __future__ import annotations

from ..french import count_fr
from .consolidate import Summary
from .store import REVIEW_FILE

MAX_LISTED = 60  # past this, a list in the pull request says « … et N autres »


def _counts(summary: Summary) -> str:
    return ", ".join(
        [
            count_fr(len(summary.added), "fiche ajoutée", "fiches ajoutées"),
            count_fr(len(summary.changed), "modifiée", "modifiées"),
            count_fr(summary.unchanged, "inchangée", "inchangées"),
        ]
    )


def text_summary(summary: Summary, changed_files: list[str]) -> str:
    lines = []
    for source, snapshot in summary.snapshots:
        lines.append(
            f"{source.nom} : {len(snapshot.candidates)} lignes du département"
            + (f" ({snapshot.file}, données du {snapshot.date})" if snapshot.date else f" ({snapshot.file})")
            + (f", {snapshot.outside} hors du département" if snapshot.outside else "")
            + (f", {len(snapshot.problems)} problème(s) signalé(s)" if snapshot.problems else "")
        )
    lines.append(f"data/sites.yaml : {_counts(summary)}.")
    if summary.merged:
        lines.append(f"{len(summary.merged)} fiches réunissent plusieurs lignes de sources (même lieu).")
    for ident, n in summary.stops:
        lines.append(f"« {ident} » : {n} arrêts de service itinérant.")
    for ident, name in summary.kept_by_hand:
        lines.append(
            f"« {ident} », champ « {name} » : valeur écrite à la main gardée ; la source en donne une autre."
        )
    for ident, name, why in summary.left:
        lines.append(f"À vérifier : « {ident} » ({name}) {why} : fiche gardée.")
    for ident in summary.deleted:
        lines.append(f"« {ident} » : supprimée à la main, pas recréée.")
    if summary.open_pairs:
        lines.append(
            f"{count_fr(len(summary.open_pairs), 'paire', 'paires')} de lieux à vérifier dans "
            f"data/imports/{REVIEW_FILE} (dont {summary.new_pairs} nouvelle(s))."
        )
    lines.append("Fichiers modifiés : " + (", ".join(changed_files) if changed_files else "aucun") + ".")
    return "\n".join(lines)


def _limited(items: list[str]) -> list[str]:
    if len(items) <= MAX_LISTED:
        return items
    return [*items[:MAX_LISTED], f"- … et {len(items) - MAX_LISTED} autres"]


def markdown_summary(summary: Summary, changed_files: list[str]) -> str:
    """The description of the pull request the weekly job opens."""
    out = ["## Mise à jour des lieux depuis les sources", ""]
    out.append("| source | lignes du département | hors du département | problèmes | fichier |")
    out.append("|---|---:|---:|---:|---|")
    for source, snapshot in summary.snapshots:
        file = snapshot.file + (f" ({snapshot.date})" if snapshot.date else "")
        out.append(
            f"| {source.titre} | {len(snapshot.candidates)} | {snapshot.outside} | {len(snapshot.problems)} | {file} |"
        )
    out += ["", f"**data/sites.yaml** : {_counts(summary)}.", ""]
    if summary.added:
        out += [f"### Fiches ajoutées ({len(summary.added)})", ""]
        out += _limited([f"- `{c.ident}` : {c.name} ({c.commune})" for c in summary.added])
        out.append("")
    if summary.changed:
        out += [f"### Fiches modifiées ({len(summary.changed)})", ""]
        out += _limited([f"- `{c.ident}` ({c.name}) : {', '.join(c.fields)}" for c in summary.changed])
        out.append("")
    if summary.left:
        out += [f"### N'apparaissent plus dans leurs sources ({len(summary.left)})", ""]
        out.append(
            "Ces fiches sont gardées : vérifiez si le lieu existe encore, puis supprimez la fiche ou mettez à jour sa date."
        )
        out.append("")
        out += _limited([f"- `{ident}` ({name}) : {why}" for ident, name, why in summary.left])
        out.append("")
    if summary.kept_by_hand:
        out += ["### Valeurs écrites à la main, gardées alors que la source en donne une autre", ""]
        out += _limited([f"- `{ident}`, champ `{name}`" for ident, name in summary.kept_by_hand])
        out.append("")
    if summary.open_pairs:
        out += [
            f"### Lieux qui se ressemblent, à trancher ({len(summary.open_pairs)}, dont {summary.new_pairs} nouveaux)",
            "",
            f"Dans `data/imports/{REVIEW_FILE}`, écrivez `decision: même` ou `decision: distinct` "
            "sous chaque paire, puis `python -m mednum sources merge`.",
            "",
        ]
        out += _limited(
            [f"- {pair.places[0]}  \n  ↔ {pair.places[1]}  \n  ({pair.why})" for pair in summary.open_pairs]
        )
        out.append("")
    if summary.deleted:
        out += ["### Supprimées à la main, pas recréées", ""]
        out += _limited([f"- `{ident}`" for ident in summary.deleted])
        out.append("")
    out.append(
        "Fichiers modifiés : "
        + (", ".join(f"`{f}`" for f in changed_files) if changed_files else "aucun")
        + "."
    )
    return "\n".join(out) + "\n"
