"""Training engine parts: visualization hooks (:mod:`.hooks`, one per
task) and the CPU AMP optimizer wrapper (:mod:`.optimizers`)."""
