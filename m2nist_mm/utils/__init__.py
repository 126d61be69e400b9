"""Helpers of the tools and the registration: :mod:`.cli` (config and
runner arguments, CPU distributed training), :mod:`.setup_env`
(registering the modules), :mod:`.compat` (the fixes that make the pinned
OpenMMLab stack work on torch 2.13)."""
