"""Translation marker for user-visible strings (English (UK) is the only language for now)."""


def _(text: str) -> str:
    """Return the user-visible text, translated when a translation is installed."""
    return text
