"""Knowledge-graph models, one module each (the contract: :mod:`embedlab.kg.models.base`)."""
