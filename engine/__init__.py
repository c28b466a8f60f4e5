"""The engine: search spaces, searches on Keras Tuner or scikit-learn, their journals and
exports, run headless (`python -m engine`) and never with Textual. Its layers: DESIGN.md."""
