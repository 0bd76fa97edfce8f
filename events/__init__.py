"""The event spine: envelope, topics, outbox relay, Kafka consumers (matcher, projector), DLQ, embedded broker."""
