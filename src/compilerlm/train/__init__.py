"""Training: SFT (TRL's SFTTrainer) on `compilerlm data` datasets, and RL (TRL's GRPOTrainer; verl for PPO) with
rewards computed by the same code that evaluates: the real compiler, the program's tests, the sandbox.

Rewards run in isolated worker processes with a time limit (`train.pool`), so a reward that crashes or
hangs scores its sample as failed and training goes on.
"""
