"""Policy profiles: TOML tables merged over ``default_policy.toml`` (``disburse serve --profile NAME``)."""
