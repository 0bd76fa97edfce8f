"""Names for kafka-python's objects in annotations: it ships no type hints, so to mypy they are Any."""
from __future__ import annotations

from typing import Any, TypeAlias

Client: TypeAlias = Any          # KafkaConsumer, KafkaProducer, KafkaAdminClient
Record: TypeAlias = Any          # ConsumerRecord: topic, partition, offset, key, value
TopicPartition: TypeAlias = Any  # kafka.TopicPartition(topic, partition)
Offsets: TypeAlias = dict[TopicPartition, Any]  # partition -> OffsetAndMetadata
