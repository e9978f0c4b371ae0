"""Learning from the repository and from what happened: eval on past commits, a record of requests, export.

``eval`` measures models on the repository's own small past commits
(:mod:`codeassist.learn.tasks`, :mod:`codeassist.learn.evaluate`); the opt-in
record (:mod:`codeassist.learn.record`, stored by :mod:`codeassist.learn.store`)
keeps each request's trajectory and its later fate (:mod:`codeassist.learn.fate`);
:mod:`codeassist.learn.export` turns both into fine-tuning files and
:mod:`codeassist.learn.stats` into the figures that choose a model. Nothing here
imports the interfaces or rich.
"""
