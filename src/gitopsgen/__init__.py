"""gitopsgen: typed environment specs in, a validated Argo CD GitOps tree out."""

__version__ = "0.2.0"
