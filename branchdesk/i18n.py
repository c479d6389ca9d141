"""Translation marker for user-visible strings (English (UK) is the only language for now)."""


def _(text: str) -> str:
    """Return the user-visible text, translated when a translation is installed."""
    return text


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a user-visible text for a count of ``n`` (“1 problem”, “2 problems”)."""
    return singular if n == 1 else plural
