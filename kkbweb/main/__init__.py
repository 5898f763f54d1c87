"""Home page, health check, and the benchmarks' floor route (bench mode only)."""
