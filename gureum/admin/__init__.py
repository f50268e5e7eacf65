"""Non-AWS endpoints: health, reset, and the LocalStack/moto-compatible routes."""
