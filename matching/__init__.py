"""Matching engine: explainable, vectorised ranking of organizations, social workers, volunteers and resources for a need."""
from linkage.catalogue import PROVIDER_KINDS
from matching.index import ProviderIndex
from matching.weights import Weights, load_weights

__all__ = ["PROVIDER_KINDS", "ProviderIndex", "Weights", "load_weights"]
