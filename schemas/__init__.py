"""Marshmallow schemas: the API's request and response shapes, and their validation."""
