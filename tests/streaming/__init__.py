"""Streaming tests: workers on a real Kafka broker (scripts/kafka.sh), and the compose file."""
