"""What a run gives out: export files (`exporter`, the standalone `script`), the headless
progress lines and summary (`report`) and the `ls` table (`listing`)."""
