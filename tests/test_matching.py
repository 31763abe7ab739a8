"""Is it the same place? Pairs worked out by hand, from the real sources' spellings."""

from __future__ import annotations

import pytest

from mednum.importers.matching import Verdict, address_key, compare, facts, name_similarity, name_tokens


def place(name: str, commune: str = "Castries", insee: str = "34058", **fields) -> dict:
    return {"nom": name, "commune": commune, "code_insee": insee, **fields}


def verdict(a: dict, b: dict, kind_a: str | None = None, kind_b: str | None = None, stop_a: bool = False):
    return compare(facts("a:1", a, kind_a, stop=stop_a), facts("b:1", b, kind_b))[0]


@pytest.mark.parametrize(
    ("name", "commune", "tokens"),
    [
        ("France services Gutenberg-Grabels", "Grabels", {"gutenberg"}),
        ("France Services GRABELS (GUTENBERG)", "Grabels", {"gutenberg"}),
        ("Lieux d'Accès Multimédia de Lodève (cc Lodévois Larzac)", "Lodève", {"cc", "lodevoi", "larzac"}),
        ("France services Lodevois et Larzac", "Lodève", {"lodevoi", "larzac"}),
        ("France services des Avants Monts", "Capestang", {"avant", "mont"}),
        ("France services Les Avant-Monts", "Murviel-lès-Béziers", {"avant", "mont"}),
        ("France services Castries", "Castries", set()),
    ],
)
def test_distinctive_words_leave_out_kind_commune_case_accents_and_plurals(name, commune, tokens):
    assert name_tokens(name, commune) == tokens


def test_similarity_is_the_share_of_the_shorter_name():
    assert name_similarity(frozenset({"cc", "lodevoi", "larzac"}), frozenset({"lodevoi", "larzac"})) == 1.0
    assert name_similarity(frozenset({"grangette"}), frozenset({"centre", "ville"})) == 0.0
    assert name_similarity(frozenset(), frozenset()) == 1.0
    assert name_similarity(frozenset(), frozenset({"poste"})) == 0.5


def test_addresses_compare_without_small_words_and_plurals():
    assert address_key("Avenue de sergent") == address_key("avenue des sergents")
    assert address_key("12 bis chemin d'Agde") == address_key("12 chemin Agde")


FS_CASTRIES = place(
    "France services Castries",
    adresse="50 Avenue de la Gare",
    latitude=43.674329,
    longitude=3.987889,
    telephone="+33467162442",
    courriels=["accueil.csm@castries.fr"],
    typologie=["RFS"],
)


def test_one_address_and_one_phone_line_are_one_place_whatever_the_names():
    lam = place(
        "Lieux d'Accès Multimédia de CCAS DE CASTRIES - CENTRE SOCIOCULTUREL MUNICIPAL Lino Ventura",
        adresse="50 avenue de la Gare",
        latitude=43.674329,
        longitude=3.987889,
        telephone="+33467162442",
        typologie=["EPN"],
    )
    assert verdict(FS_CASTRIES, lam) is Verdict.SAME


def test_two_communes_are_never_one_place():
    other = {**FS_CASTRIES, "commune": "Baillargues", "code_insee": "34022"}
    assert verdict(FS_CASTRIES, other) is Verdict.DIFFERENT


def test_same_building_other_kind_and_other_phone_goes_to_a_person():
    fs = place(
        "France services Lodevois et Larzac",
        "Lodève",
        "34142",
        adresse="1 Place Capitaine Francis Morand",
        latitude=43.73204,
        longitude=3.316843,
        telephone="+33411950140",
        typologie=["RFS"],
    )
    lam = place(
        "Lieux d'Accès Multimédia de Lodève (cc Lodévois Larzac)",
        "Lodève",
        "34142",
        adresse="1 place capitaine Francis Morand",
        latitude=43.731809,
        longitude=3.316947,
        telephone="+33467889090",
        typologie=["EPN"],
    )
    assert verdict(fs, lam) is Verdict.MAYBE


def test_offices_of_different_kinds_sharing_a_building_are_different():
    caf = place(
        "Caisse d'Allocations Familiales de Ganges", "Ganges", "34111", latitude=43.932521, longitude=3.704428
    )
    lam = place(
        "Lieux d'Accès Multimédia de Ganges",
        "Ganges",
        "34111",
        latitude=43.932521,
        longitude=3.704428,
        telephone="+33467736657",
        typologie=["EPN"],
    )
    assert verdict(caf, lam, "caf") is Verdict.DIFFERENT


def test_same_name_far_apart_is_at_most_a_question():
    main = place(
        "France services Gutenberg-Grabels",
        "Grabels",
        "34116",
        latitude=43.647551,
        longitude=3.801765,
        telephone="+33467100831",
        typologie=["RFS"],
    )
    antenna = place(
        "France Services antenne GRABELS (GUTENBERG)",
        "Grabels",
        "34116",
        latitude=43.649626,
        longitude=3.832743,
        telephone="+33467100831",
        typologie=["RFS"],
    )
    assert verdict(main, antenna) is Verdict.DIFFERENT  # 2.5 km apart, and one is an antenna
    twin = {**antenna, "nom": "France services Gutenberg Grabels"}
    assert verdict(main, twin) is Verdict.MAYBE  # 2.5 km apart, same name, same phone


def test_renamed_at_the_same_address_is_the_same_public_office():
    before = place(
        "France services des Avants Monts",
        "Capestang",
        "34052",
        adresse="46 rue Louis Baisse",
        latitude=43.327671,
        longitude=3.046425,
        typologie=["RFS"],
    )
    after = place(
        "France services Vignobles et Languedoc - Antenne de Bédarieux",
        "Capestang",
        "34052",
        adresse="46 rue Louis Baisse",
        latitude=43.327671,
        longitude=3.046425,
        typologie=["RFS"],
    )
    assert verdict(before, after) is Verdict.SAME


def test_a_stop_is_never_the_itinerant_service_itself():
    bus = place(
        "Bus France services MSA du Languedoc",
        "Rieussec",
        "34228",
        latitude=43.418615,
        longitude=2.741334,
        itinerance=["Itinérant"],
        typologie=["RFS"],
    )
    stop = place(
        "France Services itinérante de Rieussec (MSA DU LANGUEDOC)",
        "Rieussec",
        "34228",
        latitude=43.418615,
        longitude=2.741334,
        itinerance=["Itinérant"],
        typologie=["RFS"],
    )
    assert verdict(stop, bus, stop_a=True) is Verdict.DIFFERENT
