"""Datasets: builtin sets, CSV and NPZ files, seeded stratified splits."""
