"""Helpers of the tools and the registration: :mod:`.cli` (config and
runner arguments), :mod:`.dist` (CPU distributed training),
:mod:`.setup_env` (registering the modules)."""
