"""The detection core: from validated events to risk, decisions, reasons and campaigns.

Read in the order the data flows:

- :mod:`~distillguard.detect.features`: per-event features, one pure function over Arrow.
- :mod:`~distillguard.detect.profiles`: per-account aggregates of those features (SQL).
- :mod:`~distillguard.detect.scoring`: account signals, own risk, decisions and reasons.
- :mod:`~distillguard.detect.linkage`: shared infrastructure, content and timing between
  accounts (the linkage graph).
- :mod:`~distillguard.detect.campaigns`: campaigns from the graph, their risk and evidence.
- :mod:`~distillguard.detect.calibration`: thresholds against a stated false-positive rate.
- :mod:`~distillguard.detect.supervised`: the optional supervised model.

Nothing here reads files or knows about the command line; the batch pipeline
(:mod:`distillguard.scan`) and the online guard (:mod:`distillguard.online`) both use it.
"""
