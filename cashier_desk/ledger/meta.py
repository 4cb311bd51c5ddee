"""The ledger's schema's metadata, naming convention and money type, in a module of their own
so that every table module (``schema``, ``schema_programs``, ``schema_corrections``) and
central's, which build on them, can be imported first, in any order."""

from __future__ import annotations

import sqlalchemy as sa

#: How constraints and indexes are named, in the ledger and at central alike (migrations
#: refer to them by these names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata: sa.MetaData = sa.MetaData(naming_convention=NAMING_CONVENTION)

#: Money in integer cents.
Cents: type[sa.BigInteger] = sa.BigInteger
