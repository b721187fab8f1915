"""Share what a scan found with other providers, and use what they shared: STIX 2.1.

- :mod:`~distillguard.intel.export` turns a scan's campaigns into a STIX 2.1 bundle:
  one ``campaign`` per campaign above a risk floor, ``indicator`` objects for the
  infrastructure, payment and templates its accounts share, ``relationship`` objects
  linking them, the producer's ``identity`` and a TLP marking. Personal and sensitive
  values travel only as keyed hashes (:mod:`~distillguard.intel.hashing`).
- :mod:`~distillguard.intel.importing` validates a received bundle strictly (size,
  object count, types, pattern grammar and shape, hash format, plain text) and stores
  its indicators in the workspace table ``intel_indicators``.
- :mod:`~distillguard.intel.matching` finds the accounts whose own values match imported
  indicators (``account_intel``), which the scan turns into the ``shared_intel`` signal.

Only export and import need the ``stix2`` library (the ``intel`` extra); matching does
not. The bundle layout, the hashing scheme and the limits are in ``docs/intel.md``.
"""
