"""Training engine parts: hooks (:mod:`.hooks`: channels-last, per-iteration
seeds, the training set's digits, visualization) and the CPU AMP optimizer
wrapper (:mod:`.optimizers`)."""
