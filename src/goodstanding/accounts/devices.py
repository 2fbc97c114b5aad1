"""Describing a session for people: which browser on which system, and roughly where (pure)."""

from __future__ import annotations

import ipaddress
import re

from goodstanding.kit.i18n import gettext as _

_BROWSERS = (
    ("Edge", re.compile(r"Edg(e|A|iOS)?/")),
    ("Firefox", re.compile(r"(Firefox|FxiOS)/")),
    ("Chrome", re.compile(r"(Chrome|Chromium|CriOS)/")),
    ("Safari", re.compile(r"Version/[\d.]+.*Safari/")),
)
_SYSTEMS = (
    ("Android", re.compile(r"Android")),
    ("iPhone", re.compile(r"iPhone")),
    ("iPad", re.compile(r"iPad")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Mac OS X|Macintosh")),
    ("Linux", re.compile(r"Linux|X11")),
)


def describe_device(user_agent: str | None) -> str:
    if not user_agent:
        return _("Unknown device")
    browser = next((name for name, pattern in _BROWSERS if pattern.search(user_agent)), None)
    system = next((name for name, pattern in _SYSTEMS if pattern.search(user_agent)), None)
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Other app or device")


def describe_place(ip: str | None) -> str:
    """Where a session was opened. Without a location database, private ranges are named and a
    public address is shown as is, so the person can still tell their own connections apart."""
    if not ip:
        return _("Unknown place")
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return _("Unknown place")
    if address.is_loopback:
        return _("This computer")
    if address.is_private:
        return _("Local network (%(ip)s)") % {"ip": ip}
    return _("Internet address %(ip)s") % {"ip": ip}
