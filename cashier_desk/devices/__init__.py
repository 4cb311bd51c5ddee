"""Devices at the counter: the device model, drivers, receipt layout, and simulators (sim/).

Importing any of these modules has no side effect: python-escpos is loaded (with its profile
cache) only when a printer is opened or a receipt encoded (:mod:`.escpos_lib`).
"""
