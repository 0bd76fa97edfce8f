"""Matching engine: explainable, vectorised ranking of organizations, social workers, volunteers and resources for a need."""
from matching.index import ProviderIndex
from matching.weights import PROVIDER_KINDS, Weights, load_weights

__all__ = ["PROVIDER_KINDS", "ProviderIndex", "Weights", "load_weights"]
