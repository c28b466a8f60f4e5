"""What a search aims at: one metric and its direction (`metric`), several objectives and the
constraints a trial must meet (`several`), and the Pareto fronts that rank them (`pareto`).

Light: plain Python, read by the console, the backends and the analysis alike."""
