"""Widgets shared by the screens: money entry, the approver's override, large labels."""
