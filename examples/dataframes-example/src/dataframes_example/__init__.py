"""dataframes-example: train an iris classifier through SHUFFLE stages and serve predictions.

Events: ``prepare_data`` (iris from scikit-learn, saved as a dataset), ``train_model`` (experiment,
datasets, training, evaluation and saving, each a stage joined by streams), ``experiment`` (read a
saved experiment) and ``predict`` (predictions of a trained model).
"""
