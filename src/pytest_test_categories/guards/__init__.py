"""The resource guards; each module defines one ``GUARD`` (see :mod:`..isolation`)."""
