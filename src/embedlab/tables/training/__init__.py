"""Training loops for models on embedding tables.

BPR with early stopping (:mod:`.bpr`) and Monolith-style online training with a serving copy,
syncs and snapshots (:mod:`.online`).
"""

from embedlab.tables.training.bpr import BPRTrainer
from embedlab.tables.training.online import OnlineTrainer, StreamResult

__all__ = ["BPRTrainer", "OnlineTrainer", "StreamResult"]
