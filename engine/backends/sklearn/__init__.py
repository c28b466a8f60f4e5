"""The scikit-learn backend (`search`) and its parameter grids (`grid`)."""
