"""The RGAA self-audit grid (docs/rgaa/grille.yaml) stays honest.

* It lists exactly the 106 criteria of the RGAA 4.1, in the official order, with the official
  themes and titles: compared with docs/rgaa/criteres-4.1.json, a frozen extract of the official
  criteres.json (source and commit in the file).
* Every status is C, NC or NA; every NC says why and what will be done.
* Every proof is either a pytest test function that exists or a dated manual finding.
* plugins/mednum/rgaa.py computes the figures of the accessibility statement as the RGAA method
  does (checked on small grids computed by hand) and reports a malformed grid in French.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from mednum import rgaa

ROOT = Path(__file__).resolve().parents[1]
GRID = ROOT / "docs" / "rgaa" / "grille.yaml"
FROZEN = ROOT / "docs" / "rgaa" / "criteres-4.1.json"

# Number of criteria of each theme in the RGAA 4.1.
PER_THEME = {1: 9, 2: 2, 3: 3, 4: 13, 5: 8, 6: 2, 7: 5, 8: 10, 9: 4, 10: 14, 11: 13, 12: 11, 13: 12}
NODE_ID = re.compile(r"^(tests/[\w/]+\.py)::(\w+)$")
MANUAL = re.compile(r"^vérifié à la main le (\d{4}-\d{2}-\d{2}) : \S")


@functools.cache
def frozen() -> dict:
    return json.loads(FROZEN.read_text(encoding="utf-8"))


@functools.cache
def grid() -> tuple[rgaa.Critere, ...]:
    return tuple(rgaa.lire_grille(GRID))


@functools.cache
def defined_tests(path: str) -> frozenset[str]:
    """The test functions defined at the top level of a test file (what pytest collects there)."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=path)
    return frozenset(
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")
    )


# --------------------------------------------------------------------------------------------------
# The official list


def test_frozen_list_is_the_rgaa_4_1_and_says_where_it_comes_from():
    data = frozen()
    assert data["depot"] == "DISIC/accessibilite.numerique.gouv.fr"
    assert data["fichier"] == "RGAA/4.1/criteres.json"
    assert re.fullmatch(r"[0-9a-f]{40}", data["commit"])
    assert data["commit"] in data["source"]
    assert [n for n, _ in data["themes"]] == list(range(1, 14))
    numbers = [n for n, _ in data["criteres"]]
    assert len(numbers) == 106
    expected = [f"{theme}.{i}" for theme, count in PER_THEME.items() for i in range(1, count + 1)]
    assert numbers == expected
    for number, title in data["criteres"]:
        assert title.strip() == title and title.endswith("?"), number
        assert "](" not in title and "[" not in title, f"{number}: a markdown link is left: {title}"


def test_grid_has_the_106_official_criteria_in_order_with_their_titles():
    themes = dict(frozen()["themes"])
    official = [(n, themes[int(n.split(".")[0])], title) for n, title in frozen()["criteres"]]
    ours = [(c.numero, c.theme, c.titre) for c in grid()]
    assert [n for n, _, _ in ours] == [n for n, _, _ in official], "numbers or order differ"
    wrong = [f"{o[0]}: {o[1:]!r} ≠ officiel {f[1:]!r}" for o, f in zip(ours, official, strict=True) if o != f]
    assert not wrong, "titles or themes differ from docs/rgaa/criteres-4.1.json:\n" + "\n".join(wrong)


# --------------------------------------------------------------------------------------------------
# Statuses and proofs


def test_every_status_is_c_nc_or_na_and_every_nc_says_why_and_what_next():
    assert {c.statut for c in grid()} <= {"C", "NC", "NA"}
    for c in grid():
        if c.statut == "NC":
            assert c.raison and c.action, c.numero
        else:
            assert c.raison is None and c.action is None, c.numero


def test_every_cited_test_exists_and_every_manual_finding_is_dated():
    audit_date = dt.date.fromisoformat(
        re.search(r'^date:\s*"?(\d{4}-\d{2}-\d{2})', GRID.read_text(encoding="utf-8"), re.M).group(1)
    )
    problems = []
    cited = 0
    for c in grid():
        for proof in c.preuves:
            if proof.startswith("tests/"):
                match = NODE_ID.match(proof)
                if not match:
                    problems.append(f"{c.numero}: {proof!r} is not « tests/….py::test_name » (no [params])")
                    continue
                path, name = match.groups()
                if not (ROOT / path).is_file():
                    problems.append(f"{c.numero}: {path} does not exist")
                elif name not in defined_tests(path):
                    problems.append(f"{c.numero}: no test function {name} in {path}")
                cited += 1
            elif match := MANUAL.match(proof):
                try:
                    day = dt.date.fromisoformat(match.group(1))
                except ValueError:
                    problems.append(f"{c.numero}: invalid date in {proof[:40]!r}")
                    continue
                if day > audit_date:
                    problems.append(f"{c.numero}: finding dated {day}, after the grid's date {audit_date}")
            else:
                problems.append(
                    f"{c.numero}: a proof is a test id or « vérifié à la main le … : » ({proof[:60]!r})"
                )
    assert not problems, "\n".join(problems)
    assert cited > 50


def test_not_applicable_and_hand_checked_criteria_say_what_was_looked_at():
    """A NA, or a C without any test, rests on a finding written out, not on a bare status."""
    for c in grid():
        if c.statut == "NA" or not any(p.startswith("tests/") for p in c.preuves):
            assert any(MANUAL.match(p) and len(MANUAL.sub("", p)) >= 20 for p in c.preuves), c.numero


# --------------------------------------------------------------------------------------------------
# The figures


def entry(number: str, status: str, quote: bool = True) -> str:
    shown = f'"{number}"' if quote else number
    lines = [
        f"  - critere: {shown}",
        "    theme: Images",
        "    titre: Un intitulé ?",
        f"    statut: {status}",
        "    preuve:",
        '      - "vérifié à la main le 2026-12-03 : essai."',
    ]
    if status == "NC":
        lines += ["    raison: Parce que.", "    action: Corriger."]
    return "\n".join(lines)


def small_grid(*statuses: str) -> list[rgaa.Critere]:
    text = "criteres:\n" + "\n".join(entry(f"1.{i}", s) for i, s in enumerate(statuses, start=1))
    return rgaa.lire_texte(text + "\n", "essai.yaml")


def test_figures_of_a_small_grid_computed_by_hand():
    # 4 C, 2 NC, 1 NA: 4 / (4 + 2) = 66.666… % → 66,67 %; the NA does not count.
    figures = rgaa.chiffres(small_grid("C", "NC", "C", "NA", "C", "NC", "C"))
    assert (figures.conformes, figures.non_conformes, figures.non_applicables) == (4, 2, 1)
    assert figures.applicables == 6
    assert figures.taux == Decimal("66.67")
    assert figures.taux_fr == "66,67\u00a0%"
    assert [c.numero for c in figures.non_conformites] == ["1.2", "1.6"]
    assert figures.non_conformites[0].raison == "Parce que."
    assert figures.non_conformites[0].action == "Corriger."
    text = figures.texte()
    assert text.startswith("66,67\u00a0% des critères du RGAA applicables sont respectés (4 sur 6).")
    assert "- 1.2 Un intitulé ?" in text and "Action : Corriger." in text


def test_rate_is_rounded_to_the_hundredth_half_up():
    # 1 / 32 = 3,125 % → 3,13 % (half up, not the banker's 3,12 %).
    assert rgaa.chiffres(small_grid("C", *["NC"] * 31)).taux_fr == "3,13\u00a0%"
    # 2 / 3 = 66,666… % → 66,67 % ; 1 / 3 = 33,333… % → 33,33 %.
    assert rgaa.chiffres(small_grid("C", "C", "NC")).taux == Decimal("66.67")
    assert rgaa.chiffres(small_grid("C", "NC", "NC")).taux == Decimal("33.33")
    # Everything met: 100 %; nothing applicable: no rate.
    assert rgaa.chiffres(small_grid("C", "NA", "C")).taux_fr == "100\u00a0%"
    nothing = rgaa.chiffres(small_grid("NA", "NA"))
    assert nothing.taux is None and nothing.taux_fr == "sans objet" and nothing.applicables == 0


def test_numbers_stay_text_even_unquoted():
    """« 1.10 » is not read as the number 1.1, nor « NA » as anything but « NA »."""
    text = "criteres:\n" + entry("1.10", "NA", quote=False) + "\n" + entry("1.1", "C", quote=False) + "\n"
    criteria = rgaa.lire_texte(text, "essai.yaml")
    assert [(c.numero, c.statut) for c in criteria] == [("1.10", "NA"), ("1.1", "C")]


def test_command_prints_the_figures(capsys):
    assert rgaa.main([]) == 0
    out = capsys.readouterr().out
    assert "des critères du RGAA applicables sont respectés" in out
    assert "non applicables :" in out


# --------------------------------------------------------------------------------------------------
# A malformed grid: a French message naming the file, the line and the entry


GOOD = entry("1.1", "C")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "criteres:\n" + GOOD + "\n" + entry("1.2", "C").replace("statut: C", "statut: OK"),
            "essai.yaml, ligne 8, entrée 2 (critère 1.2) : statut « OK » inconnu (attendu : C, NC ou NA)",
        ),
        (
            "criteres:\n" + GOOD + "\n" + entry("1.2", "NC").replace("    action: Corriger.", ""),
            "essai.yaml, ligne 8, entrée 2 (critère 1.2) : « action » manque ou est vide",
        ),
        (
            "criteres:\n" + entry("1.1", "C").replace("statut: C", "statut: C\n    raison: Tant pis."),
            "essai.yaml, ligne 2, entrée 1 (critère 1.1) : « raison » seulement pour un critère NC",
        ),
        (
            "criteres:\n"
            + GOOD.replace('    preuve:\n      - "vérifié à la main le 2026-12-03 : essai."', ""),
            "essai.yaml, ligne 2, entrée 1 (critère 1.1) : « preuve » doit être une liste non vide",
        ),
        (
            "criteres:\n" + GOOD.replace('"1.1"', '"1,1"'),
            "essai.yaml, ligne 2, entrée 1 (critère 1,1) : numéro de critère « 1,1 » invalide",
        ),
        (
            "criteres:\n" + GOOD + "\n" + GOOD,
            "essai.yaml, ligne 8, entrée 2 (critère 1.1) : critère 1.1 déjà décrit à l'entrée 1",
        ),
        (
            "criteres:\n" + GOOD.replace("theme: Images", "thème: Images"),
            "essai.yaml, ligne 2, entrée 1 (critère 1.1) : clé(s) inconnue(s) : thème",
        ),
        ("criteres:\n  - critere: [1.1\n", "essai.yaml, ligne 3 : YAML illisible"),
        ("- critere: 1.1\n", "essai.yaml : la grille doit avoir une clé « criteres »"),
    ],
    ids=[
        "statut",
        "nc-sans-action",
        "raison-sur-c",
        "sans-preuve",
        "numero",
        "doublon",
        "cle",
        "yaml",
        "racine",
    ],
)
def test_malformed_grid_is_reported_in_french(text, expected):
    with pytest.raises(rgaa.GrilleInvalide) as raised:
        rgaa.lire_texte(text, "essai.yaml")
    assert str(raised.value).startswith(expected), str(raised.value)


def test_command_reports_a_malformed_grid_without_traceback(tmp_path, capsys):
    bad = tmp_path / "grille.yaml"
    bad.write_text("criteres:\n" + GOOD + "\n" + entry("1.2", "NC").replace("    raison: Parce que.\n", ""))
    assert rgaa.main([str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(
        f"Grille RGAA invalide : {bad}, ligne 8, entrée 2 (critère 1.2) : « raison »"
    )
    assert "Traceback" not in captured.err
    assert rgaa.main([str(tmp_path / "absente.yaml")]) == 2
    assert "absente.yaml : fichier introuvable" in capsys.readouterr().err
