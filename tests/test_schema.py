import itertools

from geo import schema


def _grey(hex_colour: str) -> float:
    """Grey level (0–255) a colour prints as in greyscale (ITU-R BT.601 luma, as pdftoppm -gray)."""
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b


def test_status_colours_stay_apart_in_greyscale():
    levels = sorted(_grey(schema.POOL_STATUS_COLORS[s]) for s in schema.POOL_STATUS)
    gaps = [b - a for a, b in itertools.pairwise(levels)]
    assert min(gaps) >= 25, levels


def test_every_enum_value_has_a_colour_and_every_party_a_unique_key():
    assert set(schema.POOL_STATUS_COLORS) == set(schema.POOL_STATUS)
    assert set(schema.INTERVENTION_KIND_COLORS) == set(schema.INTERVENTION_KINDS)
    assert len({m.ags for m in schema.MUNICIPALITIES}) == len({m.slug for m in schema.MUNICIPALITIES}) == 9
    assert schema.municipality("wurzen") is schema.municipality("14729410")


def test_labels_are_german_and_layer_specific():
    assert schema.label("status", schema.POOL_AREAS) == "Status"
    assert schema.label("name", schema.INTERVENTIONS) == "Bezeichnung"
    assert schema.label("free_points") == "Frei (WP)"
