"""Learned models: the topic model and the urgency model, trained from the corpus.

* :mod:`bot.learning.features` turns a normalised message into its features (the same code at
  training and at inference);
* :mod:`bot.learning.corpus` reads the labelled messages (``corpus/`` beside ``intents/``, and the
  intents' own examples) and splits them, deterministically, into training and validation;
* :mod:`bot.learning.model` holds exported weights and scores a message with a sparse dot
  product (no scikit-learn at inference);
* :mod:`bot.learning.train` trains the candidates with scikit-learn, compares them on the
  validation split, calibrates the best and exports it (``python -m bot train``).
"""
