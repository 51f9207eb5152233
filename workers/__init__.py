"""Streaming workers: the stages of :mod:`referee.stages` as faust agents on Kafka.

``referee worker STAGE`` (or ``python -m workers worker STAGE``) starts one;
``docs/streaming.md`` describes topics, delivery guarantees and operations.
Importing this package is cheap: faust and aiokafka load only when a worker runs,
because :mod:`referee.settings` imports :mod:`workers.options`.
"""
