"""The Apache Kafka launcher without starting a JVM: missing tools named, KRaft settings, cluster ids."""

from __future__ import annotations

import base64

import pytest

from events.broker import EmbeddedBroker, make_broker
from events.kafka_broker import KafkaBroker, KafkaCluster, KafkaUnavailable, java_binary, new_cluster_id
from events.producer import producer_config


def test_a_missing_java_is_named_with_the_debian_package_to_install(monkeypatch):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(KafkaUnavailable, match="apt-get install openjdk-17-jre-headless"):
        java_binary()


def test_cluster_ids_are_kafka_uuids_that_never_read_as_an_option():
    for _ in range(2000):
        cluster_id = new_cluster_id()
        assert len(cluster_id) == 22 and not cluster_id.startswith("-")
        assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16


def test_a_node_is_a_combined_kraft_controller_and_broker_that_creates_no_topic_by_itself(tmp_path):
    node = KafkaBroker(19500, controller_port=19501, data_dir=tmp_path)
    node._write_config()
    config = dict(line.split("=", 1) for line in (tmp_path / "server.properties").read_text().splitlines())
    assert config["process.roles"] == "broker,controller"
    assert config["controller.quorum.voters"] == "1@127.0.0.1:19501"
    assert config["listeners"] == "PLAINTEXT://127.0.0.1:19500,CONTROLLER://127.0.0.1:19501"
    assert config["auto.create.topics.enable"] == "false"
    assert config["offsets.topic.replication.factor"] == "1"
    assert node.bootstrap == "127.0.0.1:19500" and node.keeps_data_on_restart


def test_a_three_node_cluster_votes_together_and_replicates_three_times():
    cluster = KafkaCluster(3)
    try:
        voters = {node.voters for node in cluster.nodes}
        assert len(voters) == 1 and voters.pop().count("@127.0.0.1:") == 3
        assert {node.replication for node in cluster.nodes} == {3}
        assert {node.min_insync for node in cluster.nodes} == {2}
        assert len(set(cluster.bootstrap.split(","))) == 3
    finally:
        cluster.close()


def test_make_broker_knows_both_kinds_and_refuses_others():
    assert isinstance(make_broker("tansu"), EmbeddedBroker)
    kafka = make_broker("kafka")
    assert isinstance(kafka, KafkaBroker)
    kafka.close()
    with pytest.raises(ValueError, match="tansu, kafka"):
        make_broker("redpanda")


def test_producers_are_idempotent_on_apache_kafka_only():
    assert producer_config("kafka")["enable_idempotence"] is True
    assert producer_config("tansu") == {}
