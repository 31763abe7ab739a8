"""Pull request summary: records added, changed, removed (tools/catalogue_diff.py)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap

from conftest import ROOT, SITES, TRAININGS, WORKSHOPS, Project

spec = importlib.util.spec_from_file_location("catalogue_diff", ROOT / "tools" / "catalogue_diff.py")
catalogue_diff = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = catalogue_diff  # dataclasses look their module up
spec.loader.exec_module(catalogue_diff)

NEW_WORKSHOP = """\
- id: atelier-nouveau
  titre: Nouvel atelier <b>gras</b>
  type: atelier-collectif
  lieu: lieu-test-sete
  thematiques:
    - Aide aux démarches administratives
  publics:
    - Tout public
  niveau: debutant
  seances:
    - date: "2026-12-10"
      debut: "10:00"
      fin: "12:00"
  inscription:
    modes:
      - sans-inscription
  tarif:
    frais: Gratuit
  date_maj: "2026-11-20"
  exemple: true
"""


def _projects(tmp_path):
    base = tmp_path / "base"
    head = tmp_path / "head"
    base.mkdir()
    head.mkdir()
    return Project(base), Project(head)


def test_added_changed_removed_by_file_and_id(tmp_path):
    base, head = _projects(tmp_path)
    head.write(
        # Same record, other quotes: not a change. Other phone and hours: a change.
        sites=SITES.replace('"+33465710001"', "'+33465710002'").replace(
            "Tu,Th 14:00-17:00", "Tu,Th 14:00-18:00"
        ),
        workshops=WORKSHOPS + "\n" + NEW_WORKSHOP,
        trainings="",
    )
    head.path("sites").write_text(
        head.path("sites")
        .read_text(encoding="utf-8")
        .replace('code_postal: "34700"', "code_postal: '34700'"),
        encoding="utf-8",
    )
    diffs = {d.name: d for d in catalogue_diff.diff(base.data, head.data)}
    assert diffs["sites.yaml"].added == [] and diffs["sites.yaml"].removed == []
    assert diffs["sites.yaml"].changed == [
        ("lieu-test-lodeve", "Lieu de test de Lodève", ["telephone"]),
        ("lieu-test-sete", "Lieu de test de Sète", ["horaires"]),
    ]
    assert diffs["workshops.yaml"].added == [("atelier-nouveau", "Nouvel atelier <b>gras</b>")]
    assert diffs["trainings.yaml"].removed == [("formation-test", "Formation de test")]

    text = catalogue_diff.render_markdown(list(diffs.values()))
    assert text.startswith("## Changements dans le catalogue\n")
    assert "| `data/sites.yaml` | 0 | 2 | 0 |" in text
    assert "| `data/workshops.yaml` | 1 | 0 | 0 |" in text
    assert "- modifiée : `lieu-test-lodeve` — Lieu de test de Lodève (1 champ : telephone)" in text
    # Names come from the pull request: shown as text, never as HTML.
    assert "- ajoutée : `atelier-nouveau` — Nouvel atelier &lt;b&gt;gras&lt;/b&gt;" in text
    assert "- supprimée : `formation-test` — Formation de test" in text
    assert "*0 fiche ajoutée, 0 modifiée, 1 supprimée.*" in text


def test_removed_and_added_fields_are_named(tmp_path):
    base, head = _projects(tmp_path)
    head.write(
        sites=SITES.replace("  x_accessibilite:\n    entree_plain_pied: false\n", "").replace(
            '  source: Tests\n  date_maj: "2026-09-15"', '  source: Tests\n  date_maj: "2026-11-20"'
        )
    )
    (d, *_) = catalogue_diff.diff(base.data, head.data)
    assert d.changed == [("lieu-test-sete", "Lieu de test de Sète", ["date_maj", "x_accessibilite"])]


def test_no_change_and_unreadable_file(tmp_path, capsys):
    base, head = _projects(tmp_path)
    assert catalogue_diff.main([str(base.data), str(head.data)]) == 0
    assert capsys.readouterr().out.endswith("Aucune fiche ajoutée, modifiée ou supprimée.\n")

    head.path("sites").write_text("- id: a\n  nom: [\n", encoding="utf-8")
    text = catalogue_diff.render_markdown(catalogue_diff.diff(base.data, head.data))
    assert "| `data/sites.yaml` | ? | ? | ? |" in text
    assert "Comparaison impossible : sites.yaml illisible" in text


def test_new_file_in_head_and_command_line(tmp_path):
    base, head = _projects(tmp_path)
    base.path("trainings").unlink()
    head.write(trainings=TRAININGS)
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "catalogue_diff.py"), str(base.data), str(head.data)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "- ajoutée : `formation-test` — Formation de test" in run.stdout
    usage = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "catalogue_diff.py")], capture_output=True, text=True
    )
    assert usage.returncode == 2 and "usage" in usage.stderr


def test_records_without_id_are_still_counted(tmp_path):
    base, head = _projects(tmp_path)
    head.path("trainings").write_text(
        textwrap.dedent(TRAININGS) + "\n- titre: Sans identifiant\n", encoding="utf-8"
    )
    (*_, trainings) = catalogue_diff.diff(base.data, head.data)
    assert trainings.added == [("fiche n° 2 (sans id)", "Sans identifiant")]
