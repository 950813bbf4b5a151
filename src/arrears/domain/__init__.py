"""The pure domain: no database, web framework, clock or I/O. The business date is passed in."""
