"""The theme: light and dark colours that stay readable, and headings that grow with the system font."""

from __future__ import annotations

import pytest
from PySide6.QtCharts import QChart
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from branchdesk.ui import theme

TEXT_COLOURS = ("overdue", "warning", "ok", "info", "muted", "link")
#: (text, background) pairs the theme sets together.
THEME_PAIRS = [
    ("card_text", "card_paid_visit"),
    ("card_text", "card_family"),
    ("card_text", "card_community"),
    ("card_text", "card_technology"),
    ("card_text", "card_other"),
    ("day_header_text", "day_header"),
    ("part_header_text", "part_header"),
    ("chart_core_label", "chart_core"),
]
#: Theme backgrounds drawn behind the palette's own text colour.
UNDER_PALETTE_TEXT = ("subtotal_row", "cell_drop")


def relative_luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    lighter, darker = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def make_palette(window: str, base: str, text: str) -> QPalette:
    palette = QPalette()
    for role, value in ((QPalette.ColorRole.Window, window), (QPalette.ColorRole.Base, base),
                        (QPalette.ColorRole.AlternateBase, base), (QPalette.ColorRole.Button, window),
                        (QPalette.ColorRole.WindowText, text), (QPalette.ColorRole.Text, text),
                        (QPalette.ColorRole.ButtonText, text)):
        palette.setColor(role, QColor(value))
    return palette


DARK = ("#2b2b2b", "#1e1e1e", "#e6e6e6")
LIGHT = ("#efefef", "#ffffff", "#1a1a1a")


@pytest.fixture
def app(qtbot):
    """The test application; its palette and font are put back afterwards."""
    application = QApplication.instance()
    palette, font = QPalette(application.palette()), QFont(application.font())
    yield application
    application.setPalette(palette)
    application.setFont(font)


def assert_readable(palette: QPalette) -> None:
    backgrounds = [palette.color(QPalette.ColorRole.Window), palette.color(QPalette.ColorRole.Base)]
    for name in TEXT_COLOURS:
        for background in backgrounds:
            assert contrast(theme.colour(name), background) >= 4.5, (name, background.name())
    for text, background in THEME_PAIRS:
        assert contrast(theme.colour(text), theme.colour(background)) >= 4.5, (text, background)
    palette_text = palette.color(QPalette.ColorRole.Text)
    for background in UNDER_PALETTE_TEXT:
        assert contrast(palette_text, theme.colour(background)) >= 4.5, background


@pytest.mark.parametrize(("colours", "dark"), [(DARK, True), (LIGHT, False)], ids=["dark", "light"])
def test_theme_follows_the_palette_and_its_text_stays_readable(app, colours, dark):
    palette = make_palette(*colours)
    app.setPalette(palette)
    assert theme.is_dark() is dark
    assert_readable(palette)
    chart = QChart()
    theme.style_chart(chart)
    assert chart.theme() == (QChart.ChartTheme.ChartThemeDark if dark else QChart.ChartTheme.ChartThemeLight)


def test_every_colour_has_a_different_dark_variant_where_it_is_text_on_the_window():
    for name in TEXT_COLOURS:
        light, dark = theme.COLOURS[name]
        assert QColor(dark).lightness() > QColor(light).lightness(), name


def test_a_label_changes_colour_when_the_system_turns_dark(app, qtbot):
    app.setPalette(make_palette(*LIGHT))
    form = QWidget()
    qtbot.addWidget(form)
    label = QLabel("Problem", form)
    theme.text_colour(label, "overdue")
    assert theme.COLOURS["overdue"][0] in label.styleSheet()
    app.setPalette(make_palette(*DARK))
    qtbot.waitUntil(lambda: theme.COLOURS["overdue"][1] in label.styleSheet())


def test_headings_scale_with_the_application_font(app, qtbot):
    font = QFont(app.font())
    font.setPointSizeF(10)
    app.setFont(font)
    assert theme.point_size(theme.SCREEN_TITLE) == pytest.approx(16)
    assert theme.point_size(theme.SECTION_TITLE) == pytest.approx(12)
    screen = QWidget()
    qtbot.addWidget(screen)
    title = QLabel("Clients", screen)
    theme.screen_title(title)
    title.ensurePolished()
    assert title.font().pointSizeF() == pytest.approx(16)

    font.setPointSizeF(13)
    app.setFont(font)
    assert theme.point_size(theme.SCREEN_TITLE) == pytest.approx(20.8)
    qtbot.waitUntil(lambda: title.font().pointSizeF() == pytest.approx(20.8))
    assert title.font().pointSizeF() > QLabel("body").font().pointSizeF()


def test_every_screen_title_has_the_same_size(app, qtbot, tmp_path):
    from branchdesk.models.db import create_branch
    from branchdesk.ui.main_window import SCREENS, MainWindow

    path = tmp_path / "north.sqlite"
    create_branch(path, "North Wiltshire").close()
    window = MainWindow()
    qtbot.addWidget(window)
    assert window.open_branch_file(path)
    sizes = []
    for key, title, _module, _cls in SCREENS:
        screen = window.show_screen(key)
        wanted = "North Wiltshire" if key == "today" else title
        heading = next(label for label in screen.findChildren(QLabel) if label.text() == wanted)
        heading.ensurePolished()
        sizes.append(heading.font().pointSizeF())
    assert sizes == [pytest.approx(theme.point_size(theme.SCREEN_TITLE))] * len(SCREENS)
    window.close_branch()
