"""Draw the application icon (a house with a tick on a teal tile) into resources/icons/."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPen  # noqa: E402


def draw(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 256
    p.setBrush(QColor("#0f6e6e"))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawRoundedRect(QRectF(8 * s, 8 * s, 240 * s, 240 * s), 48 * s, 48 * s)
    house = QPainterPath()
    house.moveTo(QPointF(128 * s, 44 * s))
    house.lineTo(QPointF(214 * s, 120 * s))
    house.lineTo(QPointF(190 * s, 120 * s))
    house.lineTo(QPointF(190 * s, 208 * s))
    house.lineTo(QPointF(66 * s, 208 * s))
    house.lineTo(QPointF(66 * s, 120 * s))
    house.lineTo(QPointF(42 * s, 120 * s))
    house.closeSubpath()
    p.setBrush(QColor("#ffffff"))
    p.drawPath(house)
    pen = QPen(QColor("#0f6e6e"), 18 * s, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    tick = QPainterPath()
    tick.moveTo(QPointF(94 * s, 158 * s))
    tick.lineTo(QPointF(119 * s, 182 * s))
    tick.lineTo(QPointF(164 * s, 134 * s))
    p.drawPath(tick)
    p.end()
    return image


def main() -> int:
    QGuiApplication(sys.argv[:1])
    folder = Path(__file__).resolve().parent.parent / "resources" / "icons"
    folder.mkdir(parents=True, exist_ok=True)
    draw(256).save(str(folder / "branchdesk.png"))
    draw(64).save(str(folder / "branchdesk-64.png"))
    draw(256).save(str(folder / "branchdesk.ico"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
