"""Wording shared by messages: counts with their noun in the right number."""


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`count` and `noun`, such as "1 unit" or "3 units"; `many` for odd plurals."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"
