"""Code colours: CIEDE2000 as published, and neighbouring codes (parent, siblings) that
readers with normal vision, deuteranopia or protanopia can tell apart."""

from __future__ import annotations

import json
from itertools import combinations

import pytest

from desktop.core import palette
from desktop.services.project.project import template_path


# Sharma, Wu and Dalal (2005), table 1: pairs 1, 7, 17, 25 and 34
@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [
        ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
        ((50, 0, 0), (50, -1, 2), 2.3669),
        ((50, 2.5, 0), (73, 25, -18), 27.1492),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
        ((22.7233, 20.0904, -46.694), (23.0331, 14.973, -42.5619), 2.0373),
    ],
)
def test_ciede2000_matches_the_published_pairs(lab1, lab2, expected):
    assert palette.ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)


def test_no_code_colour_comes_near_the_selection():
    for c in palette.CANDIDATES:
        for shown in (c, palette.fill(c)):  # its stripe and its fill over the page
            assert palette.worst_distance(shown, palette.SELECTION) >= 20, c


def _neighbour_pairs(codes):
    """(colour, colour, names) for every parent/child and sibling pair of a template."""
    pairs = []

    def walk(nodes, parent):
        for n in nodes:
            if parent is not None:
                pairs.append((parent["color"], n["color"], (parent["name"], n["name"])))
            walk(n.get("children", []), n)
        for a, b in combinations(nodes, 2):
            pairs.append((a["color"], b["color"], (a["name"], b["name"])))

    walk(codes, None)
    return pairs


def test_the_sample_codebook_neighbours_are_distinguishable_for_colour_blind_readers():
    data = json.loads(template_path("conflict-news").read_text("utf-8"))
    pairs = _neighbour_pairs(data["codes"])
    assert len(pairs) > 20
    close = [
        (names, vision, round(palette.distance(a, b, vision), 1))
        for a, b, names in pairs
        for vision in palette.VISIONS
        if palette.distance(a, b, vision) < 10
    ]
    assert close == []


def test_assign_gives_siblings_and_parent_distinct_colours():
    # up to four children and their parent stay >= 10 apart for every reader (beyond
    # that, red-green dichromats see the candidates too close together to promise it)
    tree = [("A", None), *((f"A{i}", "A") for i in range(4)), ("B", None), ("B1", "B")]
    colours = palette.assign(tree)
    kids = [colours[f"A{i}"] for i in range(4)] + [colours["A"]]
    for a, b in combinations(kids, 2):
        assert palette.worst_distance(a, b) >= 10
    assert palette.pick([colours["A"]]) != colours["A"]


def test_a_new_code_gets_a_colour_its_siblings_and_parent_differ_from(tmp_path):
    from desktop.services.codebook import codebook
    from desktop.services.project.project import Project

    with Project.create(tmp_path / "p.tessera", template="conflict-news") as p:
        actors = codebook.code_paths(p)["Claims"]  # three sub-codes: the fourth is new
        new = codebook.add_code(p, "Claims/Threats")
        near = [c.color for c in codebook.list_codes(p) if c.parent_id == actors or c.id == actors]
        near.remove(new.color)
        assert min(palette.worst_distance(new.color, c) for c in near) >= 10
