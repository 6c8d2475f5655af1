#!/usr/bin/python3
"""Renders the application icons to the PNGs of the sizes GTK asks for at
start-up: 128 px (the first-run page) and 48 px (the window's icon).

GTK 4.8 draws an SVG icon through gdk-pixbuf's librsvg loader, which costs
the process about 7 MiB of memory once loaded. The window shows the application
icon at 128 px (first-run page) and 48 px (its icon), so the bundle
(resources/resources.gresource.xml) and the installed hicolor theme carry it
as PNGs of those sizes too, which GTK reads without librsvg (an exact fixed
size wins over the scalable SVG).
Run this after changing an SVG in data/icons/hicolor/scalable/apps; it draws
them with the same loader GTK uses. Needs python3-gi and gir1.2-gdkpixbuf.
Usage: tools/render-icons.py
"""

import os

import gi

gi.require_version("GdkPixbuf", "2.0")
from gi.repository import GdkPixbuf  # noqa: E402

SIZES = (48, 128)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SOURCE = os.path.join(ROOT, "data", "icons", "hicolor", "scalable", "apps")

for size in SIZES:
    target = os.path.join(ROOT, "data", "icons", "hicolor", f"{size}x{size}", "apps")
    os.makedirs(target, exist_ok=True)
    for name in sorted(os.listdir(SOURCE)):
        if not name.endswith(".svg"):
            continue
        pixbuf = GdkPixbuf.Pixbuf.new_from_file_at_size(os.path.join(SOURCE, name), size, size)
        out = os.path.join(target, name[: -len(".svg")] + ".png")
        pixbuf.savev(out, "png", ["compression"], ["9"])
        print(out)
