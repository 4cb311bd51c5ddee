"""cashier_desk: a desktop cashiering workstation for city revenue counters."""

__version__ = "0.1.0"
