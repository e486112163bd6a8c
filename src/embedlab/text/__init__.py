"""Text: sentence encoders on packaged models (:mod:`embedlab.text.encoders`, extra ``[text]``)."""

from embedlab.text.encoders import MODELS, SentenceEncoder

__all__ = ["MODELS", "SentenceEncoder"]
