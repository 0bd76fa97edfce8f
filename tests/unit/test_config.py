"""Configuration comes from the environment, once."""
import pytest

from linkage.config import settings_from_env


def test_defaults_are_a_sqlite_file_and_the_embedded_broker():
    settings = settings_from_env(environ={})
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith("instance/linkage.db")
    assert settings.kafka_bootstrap_servers is None
    assert settings.bootstrap_servers == "127.0.0.1:19092"


def test_the_environment_overrides_every_setting():
    settings = settings_from_env(environ={"DATABASE_URL": "postgresql+psycopg://x/y",
                                          "KAFKA_BOOTSTRAP_SERVERS": "kafka:9092", "SECRET_KEY": "s",
                                          "LINKAGE_FIELD_KEY": "f", "LINKAGE_ENV": "production"})
    assert (settings.database_url, settings.bootstrap_servers, settings.secret_key, settings.field_key,
            settings.is_production) == ("postgresql+psycopg://x/y", "kafka:9092", "s", "f", True)


def test_production_refuses_to_start_without_real_secrets():
    with pytest.raises(RuntimeError):
        settings_from_env(environ={"LINKAGE_ENV": "production"})
