import itertools

from geo import schema


def _luminance(hex_colour: str) -> float:
    """Relative luminance (sRGB, WCAG), 0 = black … 1 = white."""
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_status_colours_stay_apart_in_greyscale():
    levels = sorted(_luminance(schema.POOL_STATUS_COLORS[s]) for s in schema.POOL_STATUS)
    gaps = [b - a for a, b in itertools.pairwise(levels)]
    assert min(gaps) >= 0.04, levels


def test_every_enum_value_has_a_colour_and_every_party_a_unique_key():
    assert set(schema.POOL_STATUS_COLORS) == set(schema.POOL_STATUS)
    assert set(schema.INTERVENTION_KIND_COLORS) == set(schema.INTERVENTION_KINDS)
    assert len({m.ags for m in schema.MUNICIPALITIES}) == len({m.slug for m in schema.MUNICIPALITIES}) == 9
    assert schema.municipality("wurzen") is schema.municipality("14729410")


def test_labels_are_german_and_layer_specific():
    assert schema.label("status", schema.POOL_AREAS) == "Status"
    assert schema.label("name", schema.INTERVENTIONS) == "Bezeichnung"
    assert schema.label("free_points") == "Frei (WP)"
