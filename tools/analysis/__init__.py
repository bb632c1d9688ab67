"""Model-zoo table (params/FLOPs vs the paper) and the speed benchmark."""
