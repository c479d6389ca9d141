"""The UI's colours and heading sizes in one place, so screens follow the system's dark mode and font size.

Dark or light is read from the application palette (how light the window colour is): Qt sets
that palette from the desktop's colour scheme (``QStyleHints.colorScheme()``), and it also works
when a palette is set by hand or under the offscreen platform. Every named colour has a light and a
dark variant; text colours reach at least 4.5:1 contrast (WCAG AA) against the backgrounds they
are used on. Headings are sized as a multiple of the application font, so a larger system font
makes them larger too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from PySide6.QtCharts import QChart

#: Each colour as (light, dark).
COLOURS: dict[str, tuple[str, str]] = {
    # text on the window, a list or a table
    "overdue": ("#b3261e", "#ff8a80"),
    "warning": ("#8a5a00", "#f2b84b"),
    "ok": ("#1b5e20", "#7fd18b"),
    "info": ("#1c5a99", "#8ab4f8"),
    "muted": ("#5f6368", "#a8adb3"),
    "link": ("#1a4fa0", "#8ab4f8"),
    # ideal-week planner: cards by kind of help, with their text and borders
    "card_text": ("#111111", "#eeeeee"),
    "card_paid_visit": ("#ffffff", "#2a2f36"),
    "card_family": ("#fdf1dc", "#4a3a1c"),
    "card_community": ("#e3f3e3", "#1f3d26"),
    "card_technology": ("#ece6f5", "#352c47"),
    "card_other": ("#f0f0f0", "#333333"),
    "card_border": ("#9aa5b1", "#6b7684"),
    "cell_border": ("#c5ccd4", "#4a525c"),
    "cell_drop": ("#dbe8f7", "#2c3e55"),
    # table header shades: the planner's day and part-of-day headings, a claim's subtotal rows
    "day_header": ("#1f3a5f", "#2c4a73"),
    "day_header_text": ("#ffffff", "#ffffff"),
    "part_header": ("#dde6f0", "#2e3a48"),
    "part_header_text": ("#111111", "#e6e6e6"),
    "subtotal_row": ("#eef1f5", "#2f3640"),
    # chart series: a client's hours a week
    "chart_envelope": ("#9aa5b1", "#8794a3"),
    "chart_planned": ("#4f81bd", "#6fa0e0"),
    "chart_delivered": ("#2e7d32", "#5cb860"),
    # chart series: claim components and outcomes on the Today screen
    "chart_core": ("#0f6e6e", "#2fb3b3"),
    "chart_core_label": ("#ffffff", "#111111"),
    "chart_episode": ("#6a9f3a", "#8cc65a"),
    "chart_outcome_upfront": ("#e0a030", "#f0b848"),
    "chart_outcome_achieved": ("#c0392b", "#e8685a"),
    "chart_outcome_partial": ("#8e5ea2", "#b88bd0"),
    "chart_reward": ("#2e86c1", "#5aaae0"),
    "chart_hours_saved": ("#7f8c8d", "#a0abac"),
    "chart_adjustment": ("#34495e", "#8da3b9"),
}

#: Heading sizes as multiples of the application font's size.
SCREEN_TITLE = 1.6
SECTION_TITLE = 1.2
#: Text a little larger than the body: navigation, summary lines.
LARGER = 1.2
#: A headline figure, such as a percentage on the Today screen.
FIGURE = 2.4


def is_dark() -> bool:
    """True when the application palette is dark (its window colour is darker than mid-grey)."""
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def css(name: str) -> str:
    """The colour called ``name`` for the present palette, as ``#rrggbb`` for a style sheet."""
    light, dark = COLOURS[name]
    return dark if is_dark() else light


def colour(name: str) -> QColor:
    """The colour called ``name`` for the present palette."""
    return QColor(css(name))


def text_style(name: str, bold: bool = False) -> str:
    """A style sheet that writes a label's text in the colour called ``name``."""
    return f"color: {css(name)};" + (" font-weight: 600;" if bold else "")


def point_size(scale: float) -> float:
    """``scale`` times the application font's point size (a pixel-sized font counts at 96 dpi)."""
    font = QGuiApplication.font()
    base = font.pointSizeF()
    if base <= 0:
        base = font.pixelSize() * 72 / 96
    return round(base * scale, 1)


def font_style(scale: float, bold: bool = False) -> str:
    """A style sheet font size ``scale`` times the application font's."""
    return f"font-size: {point_size(scale)}pt;" + (" font-weight: 600;" if bold else "")


def scaled_font(scale: float, bold: bool = False) -> QFont:
    """The application font at ``scale`` times its size (to measure text styled with ``font_style``)."""
    font = QFont(QGuiApplication.font())
    font.setPointSizeF(point_size(scale))
    font.setBold(bold)
    return font


class _Follower(QObject):
    """Calls ``apply(widget)`` again soon after the application palette or font changes; it lives
    and dies with its widget (Qt tells only top-level windows of those changes by event).

    Waiting for the event loop lets Qt finish its own restyling first (a chart re-themed at once
    after a font change keeps stale axes) and makes a palette and font change one restyle."""

    def __init__(self, widget: QWidget, apply: Callable[[QWidget], None]):
        super().__init__(widget)
        self._apply = apply
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(0)
        self._soon.timeout.connect(self.refresh)
        application = QGuiApplication.instance()
        application.paletteChanged.connect(self.changed)
        application.fontChanged.connect(self.changed)

    @Slot()
    def changed(self) -> None:
        self._soon.start()

    @Slot()
    def refresh(self) -> None:
        self._apply(self.parent())


def follow(widget: QWidget, apply: Callable[[QWidget], None]) -> None:
    """Style ``widget`` with ``apply(widget)`` now and again when the system's colours or font change."""
    apply(widget)
    _Follower(widget, apply)


def screen_title(label: QWidget) -> None:
    """Make ``label`` a screen's title: bold, 1.6 times the application font."""
    follow(label, lambda widget: widget.setStyleSheet(font_style(SCREEN_TITLE, bold=True)))


def section_title(label: QWidget) -> None:
    """Make ``label`` a section's title: bold, 1.2 times the application font."""
    follow(label, lambda widget: widget.setStyleSheet(font_style(SECTION_TITLE, bold=True)))


def larger_text(label: QWidget, scale: float = LARGER) -> None:
    """Write ``label`` a little larger than body text, following the application font."""
    follow(label, lambda widget: widget.setStyleSheet(font_style(scale)))


def text_colour(label: QWidget, name: str, bold: bool = False) -> None:
    """Write ``label`` in the colour called ``name``, following light and dark mode."""
    follow(label, lambda widget: widget.setStyleSheet(text_style(name, bold)))


def style_chart(chart: QChart) -> None:
    """Give a chart the dark or light chart theme to match the palette (call before colouring series)."""
    from PySide6.QtCharts import QChart

    chart.setTheme(QChart.ChartTheme.ChartThemeDark if is_dark() else QChart.ChartTheme.ChartThemeLight)
