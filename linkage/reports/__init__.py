"""Printed documents (PDF) rendered from plain data: certificates."""
