"""Pipeline stages: plain ``process(input) -> output`` code with no Kafka in it.

The embedded runner (:mod:`referee.pipeline`) and the streaming workers
(``workers/``) call the same stage objects; the workers only move messages.
"""
