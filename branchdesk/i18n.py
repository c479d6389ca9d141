"""Translation marker for user-visible strings (English (UK) is the only language for now)."""


def _(text: str) -> str:
    """Return the user-visible text, translated when a translation is installed."""
    return text


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a user-visible text for a count of ``n`` (“1 problem”, “2 problems”)."""
    return singular if n == 1 else plural


def a_or_an(words: str) -> str:
    """``words`` with the English indefinite article: “a category”, “an outcome status”."""
    return f"{'an' if words[:1].lower() in 'aeiou' else 'a'} {words}"
