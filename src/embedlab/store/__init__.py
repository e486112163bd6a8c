"""Collections of embeddings on LanceDB."""
