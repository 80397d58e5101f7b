"""How any stage runs, independent of either paper: paths, MLflow tracking, the papermill runner, config and I/O."""
