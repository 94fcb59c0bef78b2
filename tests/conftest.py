import os

# Keras 3 picks its backend once, when first imported, and defaults to TensorFlow, which the book does
# not install. Every test process gets the torch backend before any test module can import keras.
os.environ["KERAS_BACKEND"] = "torch"
