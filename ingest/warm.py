"""Imported by the fork server that starts ingest workers (``corpus.executors``): what every
worker would otherwise load at its first file is loaded here once, before the fork, and the
workers share it copy-on-write.  Importing it has that side effect on purpose (a fork server
preloads modules by name); nothing else imports it.
"""

from ingest.lang import preload as _preload_language_profiles

_preload_language_profiles()
