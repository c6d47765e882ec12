"""What the server tells its operator: one structured log event per request, the
reason behind every refusal, the start-up summary, and Prometheus metrics."""
