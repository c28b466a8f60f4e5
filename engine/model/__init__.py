"""The tuned Keras model: `keras_build` builds it (and is embedded in exported scripts),
`builder` quietens TensorFlow and summarises, `retrain` refits the winner after a search."""
