"""Pass-list search for code size: strategies, the evaluation cache, minimisation, verification, tuning."""
