"""The benchmark suite: cashier_desk's hot paths measured against this machine's own limits.

Run it with ``python -m benchmarks`` (``--size tiny|small|full``, ``--json FILE``); each figure
is printed beside a limit measured in the same run on the same machine (a raw ``sqlite3``
transaction, a raw ``COPY``, the serial line rate, a bare Qt window…) and the ratio between
them.  See ``benchmarks/README.md`` for the latest figures and what the profiles showed.
"""
