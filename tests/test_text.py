import pytest

from medstock.text import plural


@pytest.mark.parametrize(
    ("count", "noun", "many", "expected"),
    [
        (0, "purchase order", None, "0 purchase orders"),
        (1, "purchase order", None, "1 purchase order"),
        (2, "unit", None, "2 units"),
        (1, "more problem", None, "1 more problem"),
        (3, "entry", "entries", "3 entries"),
        (1, "entry", "entries", "1 entry"),
    ],
)
def test_plural_puts_the_noun_in_the_number_of_the_count(count, noun, many, expected):
    assert plural(count, noun, many) == expected
