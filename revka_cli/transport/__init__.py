"""HTTP transport: timeouts, retries, redirects and status-to-error mapping. Uses httpx lazily."""
