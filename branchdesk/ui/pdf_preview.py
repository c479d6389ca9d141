"""Show a printout before it goes to paper: preview, print and save any PDF BranchDesk makes.

``PdfPreviewDialog(parent, title, pdf_bytes, suggested_filename).exec()`` for a preview;
``print_pdf`` and ``save_pdf_as`` do the same jobs without one.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRect, QSize, Qt
from PySide6.QtGui import QKeySequence, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from branchdesk.i18n import _
from branchdesk.models.errors import BranchDeskError
from branchdesk.models.pdf_common import write_pdf_bytes
from branchdesk.ui.context import app_settings
from branchdesk.ui.dialogs import WindowModalDialog, show_error

#: Highest resolution pages are rendered at for the printer (enough for text, kind to memory).
PRINT_DPI = 300
PDF_FILTER = _("PDF documents (*.pdf)")


def load_pdf(pdf_bytes: bytes, parent=None) -> tuple[QPdfDocument, QBuffer]:
    """A ``QPdfDocument`` reading ``pdf_bytes`` (keep the returned buffer alive with it)."""
    document = QPdfDocument(parent)
    buffer = QBuffer(parent)
    buffer.setData(QByteArray(pdf_bytes))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready:
        raise BranchDeskError(_("The printout could not be read back for printing. Save it as a PDF instead."))
    return document, buffer


def render_to_printer(document: QPdfDocument, printer: QPrinter, first: int = 1, last: int = 0) -> int:
    """Print pages ``first``..``last`` (1-based; 0 means to the end), each scaled to fit the
    printable area; returns the number of pages printed."""
    count = document.pageCount()
    last = count if last <= 0 else min(last, count)
    painter = QPainter()
    if not painter.begin(printer):
        raise BranchDeskError(_("The printer could not be started. Check that it is switched on and try again."))
    printed = 0
    try:
        dpi = min(printer.resolution(), PRINT_DPI)
        target = printer.pageLayout().paintRectPixels(printer.resolution())
        for page in range(first - 1, last):
            if printed:
                printer.newPage()
            points = document.pagePointSize(page)
            image = document.render(page, QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72)))
            scale = min(target.width() / image.width(), target.height() / image.height())
            width, height = round(image.width() * scale), round(image.height() * scale)
            painter.drawImage(QRect(0, 0, width, height), image)
            printed += 1
    finally:
        painter.end()
    return printed


def print_pdf(parent: QWidget | None, pdf_bytes: bytes, title: str) -> bool:
    """Ask which printer (and pages), then print; True when something was sent to the printer."""
    document, _buffer = load_pdf(pdf_bytes, parent)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setFromTo(1, document.pageCount())
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(_("Print {title}").format(title=title))
    dialog.setMinMax(1, document.pageCount())
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    first, last = (printer.fromPage(), printer.toPage()) if printer.printRange() == QPrinter.PrintRange.PageRange else (1, 0)
    render_to_printer(document, printer, first or 1, last)
    return True


def choose_save_path(parent: QWidget | None, suggested_filename: str, caption: str, file_filter: str, key: str = "files/export_folder") -> Path | None:
    """A save-file dialog starting in the folder used last time; None when cancelled."""
    settings = app_settings()
    folder = str(settings.value(key, "") or Path.home())
    chosen, _selected = QFileDialog.getSaveFileName(parent, caption, str(Path(folder) / suggested_filename), file_filter)
    if not chosen:
        return None
    path = Path(chosen)
    settings.setValue(key, str(path.parent))
    return path


def save_pdf_as(parent: QWidget | None, pdf_bytes: bytes, suggested_filename: str) -> Path | None:
    """Ask where to save the PDF and save it; the path, or None when cancelled or it failed."""
    path = choose_save_path(parent, suggested_filename, _("Save PDF"), PDF_FILTER)
    if path is None:
        return None
    if path.suffix.lower() != ".pdf":
        path = path.with_name(path.name + ".pdf")
    try:
        return write_pdf_bytes(pdf_bytes, path)
    except BranchDeskError as error:
        show_error(parent, str(error))
        return None


class PdfPreviewDialog(WindowModalDialog):
    """The printout on screen, page by page, with Print… and Save PDF…

    Keys: Ctrl+P prints, Ctrl+S saves, Ctrl++ / Ctrl+- zoom, Ctrl+0 fits the width,
    Page Up / Page Down scroll, Esc closes.
    """

    def __init__(self, parent: QWidget | None, title: str, pdf_bytes: bytes, suggested_filename: str):
        super().__init__(parent, title)
        self.title = title
        self.pdf_bytes = pdf_bytes
        self.suggested_filename = suggested_filename
        self.saved_path: Path | None = None
        self.document, self._buffer = load_pdf(pdf_bytes, self)
        if self.saveGeometry().isEmpty() or self.size().width() < 400:
            self.resize(900, 1000)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.view.setAccessibleName(_("Printout preview"))
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.page_label = QLabel()
        self.page_label.setAccessibleName(_("Page shown"))
        self.print_button = QPushButton(_("&Print…"))
        self.save_button = QPushButton(_("&Save PDF…"))
        self.zoom_out_button = QPushButton(_("Zoom &out"))
        self.zoom_in_button = QPushButton(_("Zoom &in"))
        self.fit_button = QPushButton(_("&Fit width"))
        self.close_button = QPushButton(_("Close"))
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_document)
        self.zoom_in_button.clicked.connect(lambda: self.zoom(1.25))
        self.zoom_out_button.clicked.connect(lambda: self.zoom(0.8))
        self.fit_button.clicked.connect(self.fit_width)
        self.close_button.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_document)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save_document)
        QShortcut(QKeySequence.StandardKey.ZoomIn, self, lambda: self.zoom(1.25))
        QShortcut(QKeySequence.StandardKey.ZoomOut, self, lambda: self.zoom(0.8))
        QShortcut(QKeySequence("Ctrl+0"), self, self.fit_width)
        self.view.pageNavigator().currentPageChanged.connect(self._show_page_number)
        self._show_page_number(0)

        tools = QHBoxLayout()
        tools.addWidget(self.page_label)
        tools.addStretch(1)
        for button in (self.zoom_out_button, self.zoom_in_button, self.fit_button):
            tools.addWidget(button)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.print_button, self.save_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.view.setFocus()

    def page_count(self) -> int:
        return self.document.pageCount()

    def _show_page_number(self, page: int) -> None:
        self.page_label.setText(_("Page {n} of {m}").format(n=page + 1, m=self.page_count()))

    def zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.25, min(4.0, self.view.zoomFactor() * factor)))

    def fit_width(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    def go_to_page(self, page: int) -> None:
        """Show page ``page`` (0-based)."""
        self.view.pageNavigator().jump(page, QPointF(), self.view.pageNavigator().currentZoom())

    def print_document(self) -> None:
        try:
            print_pdf(self, self.pdf_bytes, self.title)
        except BranchDeskError as error:
            show_error(self, str(error))

    def save_document(self) -> None:
        path = save_pdf_as(self, self.pdf_bytes, self.suggested_filename)
        if path is not None:
            self.saved_path = path
